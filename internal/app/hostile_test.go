package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
)

// shape is what a hostile request's answer must look like besides its status.
type shape int

const (
	shapeDetail   shape = iota // JSON {"detail": "..."}: the FHIR API and the app (README, "FHIR")
	shapeOAuth                 // JSON {"error": want, "error_description": "..."} (RFC 6749 §5.2, RFC 6750 §3)
	shapePage                  // an HTML page, no Location: never a redirect (RFC 6749 §4.1.2.1)
	shapeRedirect              // a redirect to the client with error=want (RFC 6749 §4.1.2.1)
	shapeConsent               // a redirect into the consent screens
	shapeBundle                // a FHIR searchset Bundle of at most 50 entries
	shapeJSON                  // any JSON object
	shapeEmpty                 // no body
	shapeAny                   // a body of a type checked elsewhere (CSS)
)

// hostileCase is one request a buggy or hostile client sends.
type hostileCase struct {
	name   string
	method string
	target string // path and raw query, sent as is (invalid UTF-8 included)
	header http.Header
	body   string
	status int
	shape  shape
	want   string // the error code for shapeOAuth and shapeRedirect
	// bug, when set, names a known defect outside this change's files: the
	// case runs and, if it still fails, is skipped with "BUG: " + bug.
	bug string
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

const formType = "application/x-www-form-urlencoded"

// hostileCases lists the battery. Every route of the router must be reached
// by at least one case (TestHostileInput fails otherwise).
func hostileCases(tb testing.TB, env *hostileEnv) []hostileCase {
	bearerA := hdr("Authorization", "Bearer "+env.tokA.AccessToken)
	long := strings.Repeat("A", 10<<10)
	huge := strings.Repeat("a", 1<<20+10)
	docs := "client_id=" + docsClientID + "&redirect_uri=" + url.QueryEscape(docsRedir) + "&response_type=code&scope=patient/*.read"
	tokenForm := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	docsCreds := []string{"client_id", docsClientID, "client_secret", docsClientSecret}
	creds := func(kv ...string) string { return tokenForm(append(append([]string{}, docsCreds...), kv...)...) }
	form := hdr("Content-Type", formType)

	cs := []hostileCase{
		// /authorize: client and redirect errors are pages, the rest redirect (README, "The consent flow").
		{name: "authorize docs request", method: "GET", target: issuerPath + "/authorize?" + docs + "&state=test", status: 302, shape: shapeConsent},
		{name: "authorize trailing slash", method: "GET", target: issuerPath + "/authorize/?" + docs, status: 302, shape: shapeConsent},
		{name: "authorize post", method: "POST", target: issuerPath + "/authorize", header: form, body: docs, status: 302, shape: shapeConsent},
		{name: "authorize post trailing slash malformed form", method: "POST", target: issuerPath + "/authorize/", header: form, body: "client_id=%zz&%%%", status: 400, shape: shapePage},
		{name: "authorize overlong state", method: "GET", target: issuerPath + "/authorize?" + docs + "&state=" + long, status: 302, shape: shapeRedirect, want: "invalid_request"},
		{name: "authorize repeated client_id", method: "GET", target: issuerPath + "/authorize?" + docs + "&client_id=" + docsClientID, status: 400, shape: shapePage},
		{name: "authorize repeated state", method: "GET", target: issuerPath + "/authorize?" + docs + "&state=a&state=b", status: 302, shape: shapeRedirect, want: "invalid_request"},
		{name: "authorize repeated scope", method: "GET", target: issuerPath + "/authorize?" + docs + "&scope=openid", status: 302, shape: shapeRedirect, want: "invalid_request"},
		{name: "authorize invalid UTF-8 state", method: "GET", target: issuerPath + "/authorize?" + docs + "&state=\xff\xfe", status: 302, shape: shapeConsent},
		{name: "authorize invalid UTF-8 client_id", method: "GET", target: issuerPath + "/authorize?client_id=\xff\xfe&response_type=code", status: 400, shape: shapePage},
		{name: "authorize script in state", method: "GET", target: issuerPath + "/authorize?" + docs + "&state=%3Cscript%3Ealert(1)%3C/script%3E", status: 302, shape: shapeConsent},
		{name: "authorize script in redirect_uri", method: "GET", target: issuerPath + "/authorize?client_id=" + docsClientID + "&response_type=code&redirect_uri=%3Cscript%3Ealert(1)%3C/script%3E", status: 400, shape: shapePage},
		{name: "authorize script in client_id", method: "GET", target: issuerPath + "/authorize?client_id=%3Cscript%3Ealert(1)%3C/script%3E", status: 400, shape: shapePage},
		{name: "authorize script in login_hint", method: "GET", target: issuerPath + "/authorize?" + docs + "&login_hint=%3Cscript%3Ealert(1)%3C/script%3E", status: 302, shape: shapeConsent},
		{name: "authorize CRLF in redirect_uri", method: "GET", target: issuerPath + "/authorize?client_id=" + docsClientID + "&response_type=code&redirect_uri=" + url.QueryEscape(docsRedir) + "%0D%0ASet-Cookie:%20x=1", status: 400, shape: shapePage},
		{name: "authorize CRLF in state of an error redirect", method: "GET", target: issuerPath + "/authorize?client_id=" + docsClientID + "&redirect_uri=" + url.QueryEscape(docsRedir) + "&response_type=token&state=x%0D%0ASet-Cookie:%20x=1", status: 302, shape: shapeRedirect, want: "unsupported_response_type"},
		{name: "authorize another client's redirect_uri", method: "GET", target: issuerPath + "/authorize?client_id=" + docsClientID + "&response_type=code&redirect_uri=" + url.QueryEscape(clientB.redirect), status: 400, shape: shapePage},
		{name: "authorize json body", method: "POST", target: issuerPath + "/authorize", header: hdr("Content-Type", "application/json"), body: `{"client_id":"` + docsClientID + `"}`, status: 400, shape: shapePage},
		{name: "authorize oversized body", method: "POST", target: issuerPath + "/authorize", header: form, body: huge, status: 413, shape: shapeDetail},
		{name: "authorize wrong method", method: "PUT", target: issuerPath + "/authorize?" + docs, status: 405, shape: shapeDetail},
		{name: "authorize path traversal", method: "GET", target: issuerPath + "/authorize/../../../etc/passwd", status: 404, shape: shapeDetail},

		// The token endpoint (RFC 6749 §5.2; README, "Tokens").
		{name: "token malformed form", method: "POST", target: issuerPath + "/token", header: form, body: "grant_type=%zz&&%", status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token json body", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", "application/json"), body: `{"grant_type":"authorization_code"}`, status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token repeated grant_type", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "grant_type", "refresh_token"), status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token repeated client_id", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "client_id", "x"), status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token unknown grant", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "password"), status: 400, shape: shapeOAuth, want: "unsupported_grant_type"},
		{name: "token invalid UTF-8 code", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "code", "\xff\xfe") + "&redirect_uri=" + url.QueryEscape(docsRedir), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token overlong code", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "code", long), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token body over its 64 KB bound", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "code", strings.Repeat("c", 70<<10)), status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token oversized body", method: "POST", target: issuerPath + "/token", header: form, body: huge, status: 413, shape: shapeOAuth, want: "invalid_request"},
		{name: "token CRLF in redirect_uri", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "code", "x", "redirect_uri", docsRedir+"\r\nX: y"), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token wrong secret", method: "POST", target: issuerPath + "/token", header: form, body: tokenForm("grant_type", "authorization_code", "code", "x", "client_id", docsClientID, "client_secret", "nope"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Authorization Bearer alone", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", "Bearer"), body: tokenForm("grant_type", "authorization_code", "code", "x"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Authorization Bearer two spaces", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", "Bearer  x"), body: tokenForm("grant_type", "authorization_code", "code", "x"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Basic not base64", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", "Basic !!!"), body: tokenForm("grant_type", "authorization_code", "code", "x"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Basic 10 KB", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", "Basic "+long), body: tokenForm("grant_type", "authorization_code", "code", "x"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Basic bad percent-encoding", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", "Basic JXp6OiV6eg=="), body: tokenForm("grant_type", "authorization_code", "code", "x"), status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "token Basic and client_secret both", method: "POST", target: issuerPath + "/token", header: hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), body: creds("grant_type", "authorization_code", "code", "x"), status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "token another client's refresh token", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "refresh_token", "refresh_token", env.tokB.RefreshToken), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token another client's code", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "authorization_code", "code", env.auto.mintCode(tb, clientB, "BCNCUser05", nil), "redirect_uri", clientB.redirect), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token access token as refresh token", method: "POST", target: issuerPath + "/token", header: form, body: creds("grant_type", "refresh_token", "refresh_token", env.tokA.AccessToken), status: 400, shape: shapeOAuth, want: "invalid_grant"},
		{name: "token wrong method", method: "GET", target: issuerPath + "/token?" + creds("grant_type", "authorization_code"), status: 405, shape: shapeOAuth, want: "invalid_request"},
		{name: "token preflight", method: "OPTIONS", target: issuerPath + "/token", header: hdr("Origin", "https://app.example", "Access-Control-Request-Method", "POST"), status: 204, shape: shapeEmpty},

		// RFC 7009 revoke and RFC 7662 introspect.
		{name: "revoke another client's token", method: "POST", target: issuerPath + "/revoke", header: form, body: creds("token", env.tokB.AccessToken), status: 400, shape: shapeOAuth, want: "unauthorized_client"},
		{name: "revoke malformed form", method: "POST", target: issuerPath + "/revoke", header: form, body: "token=%zz", status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "revoke Basic not base64", method: "POST", target: issuerPath + "/revoke", header: hdr("Content-Type", formType, "Authorization", "Basic !!!"), body: "token=x", status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "revoke preflight", method: "OPTIONS", target: issuerPath + "/revoke", status: 204, shape: shapeEmpty},
		{name: "introspect no token", method: "POST", target: issuerPath + "/introspect", header: form, body: creds(), status: 400, shape: shapeOAuth, want: "invalid_request"},
		{name: "introspect garbage token", method: "POST", target: issuerPath + "/introspect", header: form, body: creds("token", "\xff"+long), status: 200, shape: shapeJSON},
		{name: "introspect no client", method: "POST", target: issuerPath + "/introspect", header: form, body: "token=" + env.tokA.AccessToken, status: 401, shape: shapeOAuth, want: "invalid_client"},
		{name: "introspect preflight", method: "OPTIONS", target: issuerPath + "/introspect", status: 204, shape: shapeEmpty},

		// Discovery and keys.
		{name: "jwks hostile host", method: "GET", target: issuerPath + "/jwks", header: hdr("X-Forwarded-Host", "<script>"), status: 200, shape: shapeJSON},
		{name: "jwks preflight", method: "OPTIONS", target: issuerPath + "/jwks", status: 204, shape: shapeEmpty},
		{name: "openid configuration hostile forwarded host", method: "GET", target: issuerPath + "/.well-known/openid-configuration", header: hdr("X-Forwarded-Host", "evil\"><script>", "X-Forwarded-Proto", "javascript"), status: 200, shape: shapeJSON},
		{name: "openid configuration preflight", method: "OPTIONS", target: issuerPath + "/.well-known/openid-configuration", status: 204, shape: shapeEmpty},
		{name: "root openid configuration", method: "GET", target: "/.well-known/openid-configuration?x=\xff", status: 200, shape: shapeJSON},
		{name: "root openid configuration preflight", method: "OPTIONS", target: "/.well-known/openid-configuration", status: 204, shape: shapeEmpty},
		{name: "smart configuration", method: "GET", target: fhirPath + "/.well-known/smart-configuration", status: 200, shape: shapeJSON},
		{name: "smart configuration preflight", method: "OPTIONS", target: fhirPath + "/.well-known/smart-configuration", status: 204, shape: shapeEmpty},

		// Userinfo (RFC 6750 §3).
		{name: "userinfo no token", method: "GET", target: "/v1/connect/userinfo", status: 401, shape: shapeOAuth, want: "invalid_token"},
		{name: "userinfo Bearer alone", method: "GET", target: "/v1/connect/userinfo", header: hdr("Authorization", "Bearer"), status: 401, shape: shapeOAuth, want: "invalid_token"},
		{name: "userinfo 10 KB token", method: "POST", target: "/v1/connect/userinfo", header: hdr("Authorization", "Bearer "+long), status: 401, shape: shapeOAuth, want: "invalid_token"},
		{name: "userinfo refresh token as bearer", method: "GET", target: fhirPath + "/UserInfo", header: hdr("Authorization", "Bearer "+env.tokA.RefreshToken), status: 401, shape: shapeOAuth, want: "invalid_token"},
		{name: "userinfo Basic", method: "POST", target: fhirPath + "/UserInfo", header: hdr("Authorization", "Basic !!!"), status: 401, shape: shapeOAuth, want: "invalid_token"},
		{name: "userinfo preflight", method: "OPTIONS", target: "/v1/connect/userinfo", status: 204, shape: shapeEmpty},
		{name: "fhir userinfo preflight", method: "OPTIONS", target: fhirPath + "/UserInfo", status: 204, shape: shapeEmpty},
		{name: "fhir userinfo wrong method", method: "DELETE", target: fhirPath + "/UserInfo", header: bearerA, status: 405, shape: shapeDetail},

		// Consent screens without a flow.
		{name: "consent forged handle", method: "GET", target: issuerPath + "/consent?request=%3Cscript%3E" + long, status: 400, shape: shapePage},
		{name: "consent invalid UTF-8 handle", method: "GET", target: issuerPath + "/consent?request=\xff\xfe", status: 400, shape: shapePage},
		{name: "consent post without cookie", method: "POST", target: issuerPath + "/consent", header: form, body: "step=login&csrf=x&username=%3Cscript%3E", status: 400, shape: shapePage},
		{name: "consent post oversized", method: "POST", target: issuerPath + "/consent", header: form, body: huge, status: 413, shape: shapeDetail},
		{name: "consent forged cookie", method: "POST", target: issuerPath + "/consent", header: hdr("Content-Type", formType, "Cookie", "sandbox_consent="+long), body: "step=login&csrf=x", status: 400, shape: shapePage},
		{name: "consent stylesheet traversal query", method: "GET", target: issuerPath + "/consent/style.css?../../etc/passwd", status: 200, shape: shapeAny},
		{name: "consent wrong method", method: "DELETE", target: issuerPath + "/consent", status: 405, shape: shapeDetail},

		// The FHIR API's base and catch-all.
		{name: "fhir base", method: "GET", target: fhirPath, status: 404, shape: shapeDetail},
		{name: "fhir unknown type", method: "GET", target: fhirPath + "/Claim/1", header: bearerA, status: 404, shape: shapeDetail},
		{name: "fhir traversal", method: "GET", target: fhirPath + "/../../../../etc/passwd", status: 404, shape: shapeDetail},
		{name: "fhir encoded traversal", method: "GET", target: fhirPath + "/%2e%2e/%2e%2e/etc/passwd", header: bearerA, status: 404, shape: shapeDetail},
		{name: "metadata", method: "GET", target: fhirPath + "/metadata", status: 200, shape: shapeJSON},
		{name: "metadata script _format", method: "GET", target: fhirPath + "/metadata?_format=%3Cscript%3E", status: 400, shape: shapeDetail},
		{name: "metadata wrong method", method: "POST", target: fhirPath + "/metadata", status: 405, shape: shapeDetail},

		// The console.
		{name: "home hostile host", method: "GET", target: "/", header: hdr("X-Forwarded-Host", "\"><script>alert(1)</script>"), status: 200, shape: shapeAny},
		{name: "home wrong method", method: "POST", target: "/", status: 405, shape: shapeDetail},
		{name: "debug script in every parameter", method: "GET", target: "/debug?code=%3Cscript%3E&state=%3Cscript%3Ealert(1)%3C/script%3E&error=%3Cscript%3E&error_description=%3Cscript%3E&iss=%3Cscript%3E", status: 200, shape: shapeAny},
		{name: "debug invalid UTF-8", method: "GET", target: "/debug?code=\xff\xfe&state=\xc3", status: 200, shape: shapeAny},
		{name: "debug exchange without csrf", method: "POST", target: "/debug", header: form, body: "code=abc&state=%3Cscript%3E", status: 403, shape: shapePage},
		{name: "debug exchange malformed form", method: "POST", target: "/debug", header: form, body: "code=%zz", status: 403, shape: shapePage},
		{name: "debug exchange oversized", method: "POST", target: "/debug", header: form, body: huge, status: 413, shape: shapeDetail},
		{name: "postman hostile host", method: "GET", target: "/postman.json", header: hdr("X-Forwarded-Host", "\"><script>"), status: 200, shape: shapeJSON},
		{name: "static traversal", method: "GET", target: "/static/../../go.mod", status: 404, shape: shapeAny},
		{name: "static encoded traversal", method: "GET", target: "/static/%2e%2e/%2e%2e/go.mod", status: 404, shape: shapeAny},
		{name: "health", method: "GET", target: "/health?\xff", status: 200, shape: shapeJSON},
		{name: "apps page script in query", method: "GET", target: issuerPath + "/apps?client_id=%3Cscript%3E", status: 200, shape: shapePage},
		{name: "apps page post without its cookie", method: "POST", target: issuerPath + "/apps", header: form, body: "action=remove&client_id=" + docsClientID, status: 400, shape: shapePage},
		{name: "apps page malformed form", method: "POST", target: issuerPath + "/apps", header: form, body: "action=%zz", status: 400, shape: shapePage},
		{name: "workspace script name", method: "GET", target: "/w/%3Cscript%3E/health", status: 404, shape: shapeDetail},
		{name: "workspace upper-case name on the token endpoint", method: "POST", target: "/w/Team/fhirmember/sps/oauth/oauth20/token", header: form, body: "grant_type=x", status: 404, shape: shapeOAuth, want: "invalid_request"},
		{name: "workspace escaped name", method: "GET", target: "/w/%61b/health", status: 404, shape: shapeDetail},
		{name: "workspace without a name", method: "GET", target: "/w/", status: 404, shape: shapeDetail},
		{name: "unknown path", method: "GET", target: "/%3Cscript%3E", status: 404, shape: shapeDetail},
		{name: "unknown path from a browser", method: "GET", target: "/%3Cscript%3E", header: hdr("Accept", "text/html,*/*;q=0.8"), status: 404, shape: shapePage},
		{name: "try it hostile choices", method: "GET", target: "/debug/start?client_id=%3Cscript%3E", status: 400, shape: shapePage},
		{name: "try it hostile scope and hint", method: "GET", target: "/debug/start?scope=%3Cscript%3E&login_hint=%22%3E%3Cscript%3E&pkce=%00", status: 303, shape: shapeAny},
		{name: "token buttons forged", method: "POST", target: "/debug/tokens", header: form, body: "action=refresh&client_id=JVjR77J3j4BaRVqoDtLx&access_token=%3Cscript%3E&mac=x", status: 403, shape: shapePage},
		{name: "token buttons malformed form", method: "POST", target: "/debug/tokens", header: form, body: "action=%zz", status: 403, shape: shapePage},
		{name: "requests page", method: "GET", target: "/requests?limit=%3Cscript%3E", status: 200, shape: shapeAny},
		{name: "faults page", method: "GET", target: "/faults", status: 200, shape: shapeAny},
		{name: "clock page", method: "GET", target: "/clock", status: 200, shape: shapeAny},
		{name: "stylesheet", method: "GET", target: "/static/style.css?%3Cscript%3E", status: 200, shape: shapeAny},
		{name: "favicon", method: "GET", target: "/favicon.ico", status: 200, shape: shapeAny},
		{name: "consent favicon", method: "GET", target: issuerPath + "/consent/favicon.ico", status: 200, shape: shapeAny},
		{name: "finder on the home page, hostile", method: "GET", target: "/?find=1&claim_type=%3Cscript%3E&condition=%3Cscript%3E&from=x", status: 200, shape: shapeAny},

		// The control API.
		{name: "control index", method: "GET", target: "/sandbox", status: 200, shape: shapeJSON},
		{name: "members finder", method: "GET", target: "/sandbox/members?claim_type=inpatient&limit=2", status: 200, shape: shapeJSON},
		{name: "members finder bad claim type", method: "GET", target: "/sandbox/members?claim_type=%3Cscript%3E", status: 400, shape: shapeDetail},
		{name: "members finder bad numbers", method: "GET", target: "/sandbox/members?limit=-1&min_claims=x&from=BCNCUser99999999", status: 400, shape: shapeDetail},
		{name: "faults malformed json", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":`, status: 400, shape: shapeDetail},
		{name: "faults unknown field", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"/x","stauts":500}`, status: 400, shape: shapeDetail},
		{name: "faults two objects", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"/x","status":500}{}`, status: 400, shape: shapeDetail},
		{name: "faults status out of range", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"/x","status":200}`, status: 400, shape: shapeDetail},
		{name: "faults on the control API", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"/sandbox/reset","status":500}`, status: 400, shape: shapeDetail},
		{name: "faults huge delay", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"/x","delay_ms":99999999999}`, status: 400, shape: shapeDetail},
		{name: "faults oversized", method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path":"` + huge + `"}`, status: 413, shape: shapeDetail},
		{name: "faults list", method: "GET", target: "/sandbox/faults", status: 200, shape: shapeAny},
		{name: "faults clear", method: "DELETE", target: "/sandbox/faults", status: 204, shape: shapeEmpty},
		{name: "clock negative", method: "POST", target: "/sandbox/clock", header: hdr("Content-Type", "application/json"), body: `{"advance":"-1h"}`, status: 400, shape: shapeDetail},
		{name: "clock overflow", method: "POST", target: "/sandbox/clock", header: hdr("Content-Type", "application/json"), body: `{"advance":"9999999999h"}`, status: 400, shape: shapeDetail},
		{name: "clock form body", method: "POST", target: "/sandbox/clock", header: form, body: "advance=1h", status: 403, shape: shapeDetail},
		{name: "clock read", method: "GET", target: "/sandbox/clock", status: 200, shape: shapeJSON},
		{name: "requests negative limit", method: "GET", target: "/sandbox/requests?limit=-1", status: 400, shape: shapeDetail},
		{name: "requests huge limit", method: "GET", target: "/sandbox/requests?limit=99999999999999999999", status: 400, shape: shapeDetail},
		{name: "requests clear", method: "DELETE", target: "/sandbox/requests", status: 204, shape: shapeEmpty},
		{name: "members claims malformed json", method: "POST", target: "/sandbox/members/" + env.patientA + "/claims", header: hdr("Content-Type", "application/json"), body: `{"type":`, status: 400, shape: shapeDetail},
		{name: "members touch traversal", method: "POST", target: "/sandbox/members/..%2f..%2fx/touch", header: hdr("Content-Type", "application/json"), body: `{"resourceType":"Patient","id":"x"}`, status: 404, shape: shapeDetail},
		{name: "tokens malformed json", method: "POST", target: "/sandbox/tokens", header: hdr("Content-Type", "application/json"), body: `{"username":`, status: 400, shape: shapeDetail},
		{name: "tokens form body", method: "POST", target: "/sandbox/tokens", header: form, body: "username=BCNCUser03", status: 403, shape: shapeDetail},
		{name: "tokens unknown account", method: "POST", target: "/sandbox/tokens", header: hdr("Content-Type", "application/json"), body: `{"username":"<script>","client_id":"` + docsClientID + `","scope":"patient/*.read"}`, status: 400, shape: shapeDetail},
		{name: "tokens another member's relationship", method: "POST", target: "/sandbox/tokens", header: hdr("Content-Type", "application/json"), body: `{"username":"BCNCUser03","client_id":"` + docsClientID + `","scope":"patient/*.read","representative":{"relationship":"cousin","full_name":"X"}}`, status: 400, shape: shapeDetail},
		{name: "grants of an unknown member", method: "GET", target: "/sandbox/members/..%2f..%2fx/grants", status: 404, shape: shapeDetail},
		{name: "grants unknown client", method: "GET", target: "/sandbox/members/" + env.patientA + "/grants?client_id=%3Cscript%3E", status: 400, shape: shapeDetail},
		{name: "grants revoke unknown field", method: "POST", target: "/sandbox/members/" + env.patientA + "/grants/revoke", header: hdr("Content-Type", "application/json"), body: `{"client":"x"}`, status: 400, shape: shapeDetail},
		{name: "grants expire unknown client", method: "POST", target: "/sandbox/members/" + env.patientA + "/grants/expire", header: hdr("Content-Type", "application/json"), body: `{"client_id":"\u0000"}`, status: 400, shape: shapeDetail},
		{name: "workspaces list", method: "GET", target: "/sandbox/workspaces?\xff", status: 200, shape: shapeAny},
		{name: "workspaces create traversal name", method: "POST", target: "/sandbox/workspaces", header: hdr("Content-Type", "application/json"), body: `{"name":"../x"}`, status: 400, shape: shapeDetail},
		{name: "workspaces create unknown profile", method: "POST", target: "/sandbox/workspaces", header: hdr("Content-Type", "application/json"), body: `{"name":"x","profile":"<script>"}`, status: 400, shape: shapeDetail},
		{name: "workspaces create huge token ttl", method: "POST", target: "/sandbox/workspaces", header: hdr("Content-Type", "application/json"), body: `{"name":"x","token_ttl":"9999999h"}`, status: 400, shape: shapeDetail},
		{name: "workspaces read script name", method: "GET", target: "/sandbox/workspaces/%3Cscript%3E", status: 404, shape: shapeDetail},
		{name: "workspaces delete unknown", method: "DELETE", target: "/sandbox/workspaces/nope", status: 404, shape: shapeDetail},
		{name: "reset wrong method", method: "GET", target: "/sandbox/reset", status: 405, shape: shapeDetail},
		{name: "reset", method: "POST", target: "/sandbox/reset", status: 200, shape: shapeJSON},
	}
	cs = append(cs, fhirHostileCases(env)...)
	return cs
}

// fhirHostileCases repeats the FHIR API's hostile requests for every type.
func fhirHostileCases(env *hostileEnv) []hostileCase {
	bearerA := hdr("Authorization", "Bearer "+env.tokA.AccessToken)
	long := strings.Repeat("A", 10<<10)
	var search []string // every type the route table serves a search of
	var cs []hostileCase
	for _, ti := range fhir.Types() {
		if len(ti.Params) > 0 {
			search = append(search, ti.Name)
			continue
		}
		// A type only read (Provenance, Medication): its reads.
		base := fhirPath + "/" + ti.Name
		cs = append(cs,
			hostileCase{name: ti.Name + " read no token", method: "GET", target: base + "/x", status: 401, shape: shapeDetail},
			hostileCase{name: ti.Name + " read script id", method: "GET", target: base + "/%3Cscript%3Ealert(1)%3C%2Fscript%3E", header: bearerA, status: 404, shape: shapeDetail},
			hostileCase{name: ti.Name + " search not served", method: "GET", target: base + "?_count=1", header: bearerA, status: 404, shape: shapeDetail},
		)
	}
	for _, t := range search {
		base := fhirPath + "/" + t
		cs = append(cs,
			hostileCase{name: t + " read no token", method: "GET", target: base + "/x", status: 401, shape: shapeDetail},
			hostileCase{name: t + " read script id", method: "GET", target: base + "/%3Cscript%3Ealert(1)%3C%2Fscript%3E", header: bearerA, status: 404, shape: shapeDetail},
			hostileCase{name: t + " read encoded traversal", method: "GET", target: base + "/..%2f..%2f..%2fetc%2fpasswd", header: bearerA, status: 404, shape: shapeDetail},
			hostileCase{name: t + " read another client's token for another member", method: "GET", target: base + "/" + env.patientB, header: bearerA, status: 404, shape: shapeDetail},
			hostileCase{name: t + " read wrong method", method: "PUT", target: base + "/x", header: bearerA, body: "{}", status: 405, shape: shapeDetail},
		)
	}
	for _, t := range search {
		base := fhirPath + "/" + t
		cs = append(cs,
			hostileCase{name: t + " search huge _count", method: "GET", target: base + "?_count=99999999999999999999", header: bearerA, status: 200, shape: shapeBundle},
			hostileCase{name: t + " search negative startIndex", method: "GET", target: base + "/?startIndex=-1", header: bearerA, status: 400, shape: shapeDetail},
			hostileCase{name: t + " search repeated _count", method: "GET", target: base + "/?_count=1&_count=%3Cscript%3E", header: bearerA, status: 400, shape: shapeDetail},
			hostileCase{name: t + " search invalid UTF-8 _lastUpdated", method: "GET", target: base + "?_lastUpdated=\xff\xfe", header: bearerA, status: 400, shape: shapeDetail},
			hostileCase{name: t + " search Bearer alone", method: "GET", target: base, header: hdr("Authorization", "Bearer"), status: 401, shape: shapeDetail},
			hostileCase{name: t + " search Bearer two spaces", method: "GET", target: base, header: hdr("Authorization", "Bearer  x"), status: 401, shape: shapeDetail},
			hostileCase{name: t + " search Basic", method: "GET", target: base, header: hdr("Authorization", "Basic !!!"), status: 401, shape: shapeDetail},
			hostileCase{name: t + " search 10 KB token", method: "GET", target: base, header: hdr("Authorization", "Bearer "+long), status: 401, shape: shapeDetail},
			hostileCase{name: t + " search refresh token as bearer", method: "GET", target: base, header: hdr("Authorization", "Bearer "+env.tokA.RefreshToken), status: 401, shape: shapeDetail},
			hostileCase{name: t + " _search malformed form", method: "POST", target: base + "/_search", header: hdr("Authorization", "Bearer "+env.tokA.AccessToken, "Content-Type", formType), body: "_count=%zz", status: 400, shape: shapeDetail},
			hostileCase{name: t + " _search oversized", method: "POST", target: base + "/_search", header: hdr("Authorization", "Bearer "+env.tokA.AccessToken, "Content-Type", formType), body: strings.Repeat("a", 1<<20+10), status: 413, shape: shapeDetail},
			hostileCase{name: t + " _search wrong method", method: "GET", target: base + "/_search", header: bearerA, status: 405, shape: shapeDetail},
		)
	}
	eob := fhirPath + "/ExplanationOfBenefit"
	cs = append(cs,
		hostileCase{name: "EOB type wrong case", method: "GET", target: eob + "?type=Carrier", header: bearerA, status: 400, shape: shapeDetail, want: "not a valid value"},
		hostileCase{name: "EOB type script", method: "GET", target: eob + "?type=%3Cscript%3E", header: bearerA, status: 400, shape: shapeDetail, want: "not a valid value"},
		hostileCase{name: "EOB type empty item", method: "GET", target: eob + "?type=carrier,,pde", header: bearerA, status: 400, shape: shapeDetail, want: "not a valid value"},
		hostileCase{name: "EOB another member", method: "GET", target: eob + "/?patient=" + env.patientB, header: bearerA, status: 403, shape: shapeDetail},
		hostileCase{name: "EOB another member as reference", method: "GET", target: eob + "/?patient=Patient/" + env.patientB, header: bearerA, status: 403, shape: shapeDetail},
		hostileCase{name: "EOB patient repeated with another member", method: "GET", target: eob + "/?patient=" + env.patientA + "&patient=" + env.patientB, header: bearerA, status: 403, shape: shapeDetail},
		hostileCase{name: "Coverage another member", method: "GET", target: fhirPath + "/Coverage?beneficiary=" + env.patientB, header: bearerA, status: 403, shape: shapeDetail},
		hostileCase{name: "Patient _id another member", method: "POST", target: fhirPath + "/Patient/_search", header: hdr("Authorization", "Bearer "+env.tokA.AccessToken, "Content-Type", formType), body: "_id=" + env.patientB, status: 403, shape: shapeDetail},
		hostileCase{name: "Patient read lower-case bearer", method: "GET", target: fhirPath + "/Patient/" + env.patientA, header: hdr("Authorization", "bearer "+env.tokA.AccessToken), status: 200, shape: shapeJSON},
	)
	return cs
}

// TestHostileInput is the battery: each request a buggy or hostile client
// may send gets its exact status and the body shape the contract names, and
// every route of the router is reached by at least one case (every method
// of a route that serves few; a route that takes any method, by one).
func TestHostileInput(t *testing.T) {
	env := newHostileEnv(t)
	cases := hostileCases(t, env)
	t.Logf("%d cases", len(cases))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := env.send(t, c.method, c.target, c.header, c.body)
			msg := ""
			if status != c.status {
				msg = "status " + http.StatusText(status) + ", want " + http.StatusText(c.status)
			} else {
				msg = checkShape(c, h, body)
			}
			if msg == "" && status >= 400 && mediaType(h) == "text/html" && bytes.Contains(bytes.ToLower(bytes.ReplaceAll(body, []byte(servedScript), nil)), []byte("<script")) {
				msg = "the page reflects <script"
			}
			switch {
			case msg == "":
			case c.bug != "":
				t.Skipf("BUG: %s (got %d %s)", c.bug, status, truncate(string(body), 200))
			default:
				t.Errorf("%s %s: %s\n%d %v\n%s", c.method, truncate(c.target, 200), msg, status, h, truncate(string(body), 600))
			}
		})
	}
	for _, r := range uncoveredRoutes(t, env) {
		t.Errorf("no hostile case reaches %s: add one", r)
	}
}

// uncoveredRoutes lists the routes no case reached.
func uncoveredRoutes(tb testing.TB, env *hostileEnv) []string {
	methods := map[string][]string{}
	var paths []string
	for _, r := range routesOf(tb, env.app) {
		if _, ok := methods[r.Path]; !ok {
			paths = append(paths, r.Path)
		}
		methods[r.Path] = append(methods[r.Path], r.Method)
	}
	var missing []string
	for _, p := range paths {
		ms := methods[p]
		if len(ms) >= 10 { // g.Any: one method shows the route is reached
			hit := false
			for _, m := range ms {
				hit = hit || env.wire.reached(m, p)
			}
			if !hit {
				missing = append(missing, "ANY "+p)
			}
			continue
		}
		for _, m := range ms {
			if !env.wire.reached(m, p) {
				missing = append(missing, m+" "+p)
			}
		}
	}
	return missing
}

// checkShape says how the answer differs from the case's shape, or "".
func checkShape(c hostileCase, h http.Header, body []byte) string {
	mt := mediaType(h)
	var obj map[string]any
	jsonErr := json.Unmarshal(body, &obj)
	switch c.shape {
	case shapeDetail:
		d, _ := obj["detail"].(string)
		switch {
		case !isJSONType(mt) || jsonErr != nil:
			return "not a JSON object: " + h.Get("Content-Type")
		case d == "":
			return `no "detail"`
		case c.want != "" && d != c.want:
			return "detail " + d + ", want " + c.want
		case h.Get("Location") != "":
			return "a Location on an error"
		}
		if c.status == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			return "a 401 without WWW-Authenticate: Bearer (RFC 6750 §3)"
		}
	case shapeOAuth:
		e, _ := obj["error"].(string)
		_, hasDesc := obj["error_description"].(string)
		switch {
		case !isJSONType(mt) || jsonErr != nil:
			return "not a JSON object: " + h.Get("Content-Type")
		case e != c.want:
			return "error " + e + ", want " + c.want
		case !hasDesc:
			return "no error_description"
		case h.Get("Cache-Control") != "no-store" && isTokenEndpoint(strings.SplitN(c.target, "?", 2)[0]):
			return "a token endpoint error without Cache-Control: no-store (RFC 6749 §5.1)"
		}
	case shapePage:
		switch {
		case mt != "text/html":
			return "not an HTML page: " + h.Get("Content-Type")
		case h.Get("Location") != "":
			return "an error page with a Location"
		}
	case shapeRedirect, shapeConsent:
		loc := h.Get("Location")
		u, err := url.Parse(loc)
		switch {
		case err != nil || loc == "":
			return "no usable Location"
		case strings.ContainsAny(loc, "\r\n"):
			return "CR or LF in Location"
		case c.shape == shapeConsent && u.Path != issuerPath+"/consent":
			return "redirected to " + loc + ", not into the consent screens"
		case c.shape == shapeRedirect && !strings.HasPrefix(loc, docsRedir+"?"):
			return "redirected to " + loc + ", not to the registered redirect URI"
		case c.shape == shapeRedirect && u.Query().Get("error") != c.want:
			return "error " + u.Query().Get("error") + ", want " + c.want
		}
	case shapeBundle:
		var b struct {
			ResourceType string            `json:"resourceType"`
			Type         string            `json:"type"`
			Entry        []json.RawMessage `json:"entry"`
		}
		if err := json.Unmarshal(body, &b); err != nil || b.ResourceType != "Bundle" || b.Type != "searchset" {
			return "not a searchset Bundle"
		}
		if len(b.Entry) > 50 {
			return "more than 50 entries (the FHIR API serves at most 50)"
		}
	case shapeJSON:
		if !isJSONType(mt) || jsonErr != nil {
			return "not a JSON object: " + h.Get("Content-Type")
		}
	case shapeEmpty:
		if len(body) != 0 {
			return "a body where none is due"
		}
	}
	return ""
}
