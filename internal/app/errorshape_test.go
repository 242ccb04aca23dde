package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// errShape is the form of an error answer.
type errShape int

const (
	errDetail   errShape = iota // {"detail": "…"} as application/json
	errOAuth                    // RFC 6749 §5.2 {"error", "error_description"}, no-store, no-cache
	errOutcome                  // a valid R4 OperationOutcome as application/fhir+json
	errPage                     // an HTML page, never a redirect
	errRedirect                 // a 302 to the client's registered redirect URI with error=
)

func (s errShape) String() string {
	return [...]string{"detail", "oauth", "OperationOutcome", "HTML page", "redirect"}[s]
}

// fhirShape is the FHIR base's error shape in profile p (README, "Profiles").
func fhirShape(p profile.Profile) errShape {
	if p == profile.Strict {
		return errOutcome
	}
	return errDetail
}

// always is a shape that does not depend on the profile.
func always(s errShape) func(profile.Profile) errShape {
	return func(profile.Profile) errShape { return s }
}

// errorRequest is one request of the table.
type errorRequest struct {
	method, target string
	header         http.Header
	body           string
	status         int
}

// errorShapeCase is one path family: a request that fails for real and,
// when the family can be faulted, a fault armed on the same path and the
// request that meets it. Both must answer in shape.
type errorShapeCase struct {
	family string
	real   errorRequest
	fault  string // the fault's JSON; empty: the family has no fault row
	faulty errorRequest
	shape  func(profile.Profile) errShape
}

// TestErrorShapes: on every path family and in every profile, a real error
// and an injected fault answer in the same shape, with the same media type,
// through the wired router.
func TestErrorShapes(t *testing.T) {
	form := hdr("Content-Type", formType)
	docsCreds := "client_id=" + docsClientID + "&client_secret=" + docsClientSecret
	authorizeQuery := func(clientID string) string {
		return url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {docsRedir},
			"scope": {"openid patient/*.read"}, "state": {"s-0123456789abcdef"}}.Encode()
	}
	cases := []errorShapeCase{
		{family: "token", shape: always(errOAuth),
			real:  errorRequest{method: "POST", target: issuerPath + "/token", header: form, body: docsCreds + "&grant_type=password", status: 400},
			fault: `{"path": "` + issuerPath + `/token", "status": 503}`, faulty: errorRequest{method: "POST", target: issuerPath + "/token", header: form, status: 503}},
		{family: "token wrong method", shape: always(errOAuth),
			real:  errorRequest{method: "GET", target: issuerPath + "/token", status: 405},
			fault: `{"path": "` + issuerPath + `/token", "oauth_error": "invalid_grant"}`, faulty: errorRequest{method: "POST", target: issuerPath + "/token", header: form, status: 400}},
		{family: "revoke", shape: always(errOAuth),
			real:  errorRequest{method: "POST", target: issuerPath + "/revoke", header: form, body: "token=x", status: 401},
			fault: `{"path": "` + issuerPath + `/revoke", "status": 500}`, faulty: errorRequest{method: "POST", target: issuerPath + "/revoke", header: form, status: 500}},
		{family: "introspect", shape: always(errOAuth),
			real:  errorRequest{method: "POST", target: issuerPath + "/introspect", header: form, body: "token=x", status: 401},
			fault: `{"path": "` + issuerPath + `/introspect", "status": 429, "retry_after": 2}`, faulty: errorRequest{method: "POST", target: issuerPath + "/introspect", header: form, status: 429}},
		{family: "authorize", shape: always(errDetail),
			real:  errorRequest{method: "PUT", target: issuerPath + "/authorize?" + authorizeQuery(docsClientID), status: 405},
			fault: `{"path": "` + issuerPath + `/authorize", "status": 500}`, faulty: errorRequest{method: "GET", target: issuerPath + "/authorize?" + authorizeQuery(docsClientID), status: 500}},
		{family: "authorize, registered client", shape: always(errRedirect),
			real:  errorRequest{method: "GET", target: issuerPath + "/authorize?" + authorizeQuery(docsClientID) + "&response_type=token", status: 302},
			fault: `{"path": "` + issuerPath + `/authorize", "oauth_error": "server_error"}`, faulty: errorRequest{method: "GET", target: issuerPath + "/authorize?" + authorizeQuery(docsClientID), status: 302}},
		{family: "authorize, unregistered client", shape: always(errPage),
			real:  errorRequest{method: "GET", target: issuerPath + "/authorize?" + authorizeQuery("nobody"), status: 400},
			fault: `{"path": "` + issuerPath + `/authorize", "oauth_error": "server_error"}`, faulty: errorRequest{method: "GET", target: issuerPath + "/authorize?" + authorizeQuery("nobody"), status: 400}},
		{family: "consent screens", shape: always(errDetail),
			real:  errorRequest{method: "DELETE", target: issuerPath + "/consent", status: 405},
			fault: `{"path": "` + issuerPath + `/consent", "status": 503}`, faulty: errorRequest{method: "GET", target: issuerPath + "/consent?request=x", status: 503}},
		{family: "consent screens, the screens' own page", shape: always(errPage),
			real: errorRequest{method: "GET", target: issuerPath + "/consent", status: 400}},
		{family: "jwks", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: issuerPath + "/jwks", status: 405},
			fault: `{"path": "` + issuerPath + `/jwks", "status": 500}`, faulty: errorRequest{method: "GET", target: issuerPath + "/jwks", status: 500}},
		{family: "issuer discovery", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: issuerPath + "/.well-known/openid-configuration", status: 405},
			fault: `{"path": "` + issuerPath + `/.well-known/*", "status": 503}`, faulty: errorRequest{method: "GET", target: issuerPath + "/.well-known/openid-configuration", status: 503}},
		{family: "root discovery", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: "/.well-known/openid-configuration", status: 405},
			fault: `{"path": "/.well-known/openid-configuration", "status": 502}`, faulty: errorRequest{method: "GET", target: "/.well-known/openid-configuration", status: 502}},
		{family: "SMART discovery under the FHIR base", shape: fhirShape,
			real:  errorRequest{method: "POST", target: fhirPath + "/.well-known/smart-configuration", status: 405},
			fault: `{"path": "` + fhirPath + `/.well-known/smart-configuration", "status": 503}`, faulty: errorRequest{method: "GET", target: fhirPath + "/.well-known/smart-configuration", status: 503}},
		{family: "userinfo", shape: always(errDetail),
			real:  errorRequest{method: "PUT", target: "/v1/connect/userinfo", status: 405},
			fault: `{"path": "/v1/connect/userinfo", "status": 503}`, faulty: errorRequest{method: "GET", target: "/v1/connect/userinfo", status: 503}},
		{family: "userinfo bearer error", shape: always(errOAuth),
			real: errorRequest{method: "GET", target: "/v1/connect/userinfo", status: 401}},
		{family: "FHIR UserInfo", shape: fhirShape,
			real:  errorRequest{method: "DELETE", target: fhirPath + "/UserInfo", status: 405},
			fault: `{"path": "` + fhirPath + `/UserInfo", "status": 500}`, faulty: errorRequest{method: "GET", target: fhirPath + "/UserInfo", status: 500}},
		{family: "FHIR UserInfo bearer error", shape: always(errOAuth),
			real: errorRequest{method: "GET", target: fhirPath + "/UserInfo", status: 401}},
		{family: "FHIR API", shape: fhirShape,
			real:  errorRequest{method: "GET", target: fhirPath + "/Patient/x", status: 401},
			fault: `{"path": "` + fhirPath + `/*", "status": 429, "retry_after": 3}`, faulty: errorRequest{method: "GET", target: fhirPath + "/ExplanationOfBenefit", status: 429}},
		{family: "FHIR API, oauth_error fault", shape: fhirShape,
			real:  errorRequest{method: "GET", target: fhirPath + "/Claim/1", status: 404},
			fault: `{"path": "` + fhirPath + `/Coverage", "oauth_error": "invalid_request"}`, faulty: errorRequest{method: "GET", target: fhirPath + "/Coverage", status: 400}},
		{family: "FHIR API, body over the router's limit", shape: fhirShape,
			real:  errorRequest{method: "POST", target: fhirPath + "/Coverage/_search", header: form, body: strings.Repeat("a", 1<<20+1), status: 413},
			fault: `{"path": "` + fhirPath + `/Coverage/_search", "status": 401}`, faulty: errorRequest{method: "POST", target: fhirPath + "/Coverage/_search", header: form, status: 401}},
		{family: "control API", shape: always(errDetail),
			real: errorRequest{method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: `{"path": "/x"}`, status: 400}},
		{family: "control API wrong method", shape: always(errDetail),
			real: errorRequest{method: "GET", target: "/sandbox/reset", status: 405}},
		{family: "health", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: "/health", status: 405},
			fault: `{"path": "/health", "status": 503}`, faulty: errorRequest{method: "GET", target: "/health", status: 503}},
		{family: "console home", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: "/", status: 405},
			fault: `{"path": "/", "status": 500}`, faulty: errorRequest{method: "GET", target: "/", status: 500}},
		{family: "console debugger", shape: always(errDetail),
			real:  errorRequest{method: "POST", target: "/debug", header: form, body: strings.Repeat("a", 1<<20+1), status: 413},
			fault: `{"path": "/debug", "status": 503}`, faulty: errorRequest{method: "GET", target: "/debug?code=x", status: 503}},
		{family: "console debugger, its own page", shape: always(errPage),
			real: errorRequest{method: "POST", target: "/debug", header: form, body: "code=x&csrf=y", status: 403}},
		{family: "unknown path", shape: always(errDetail),
			real:  errorRequest{method: "GET", target: "/nothing/here", status: 404},
			fault: `{"path": "/nothing/*", "status": 418}`, faulty: errorRequest{method: "GET", target: "/nothing/here", status: 418}},
	}
	for _, p := range profile.All() {
		h := startSandbox(t, sandboxOptions{Profile: p.String()}).app.handler
		for _, tc := range cases {
			want := tc.shape(p)
			var realType string
			t.Run(p.String()+"/"+tc.family+"/real", func(t *testing.T) {
				rec := sendError(h, tc.real)
				realType = rec.Header().Get("Content-Type")
				checkErrorShape(t, rec, tc.real.status, want)
			})
			if tc.fault == "" {
				continue
			}
			t.Run(p.String()+"/"+tc.family+"/fault", func(t *testing.T) {
				arm := sendError(h, errorRequest{method: "POST", target: "/sandbox/faults", header: hdr("Content-Type", "application/json"), body: tc.fault})
				if arm.Code != http.StatusCreated {
					t.Fatalf("arming %s: %d %s", tc.fault, arm.Code, arm.Body)
				}
				t.Cleanup(func() { sendError(h, errorRequest{method: "DELETE", target: "/sandbox/faults"}) })
				rec := sendError(h, tc.faulty)
				checkErrorShape(t, rec, tc.faulty.status, want)
				if got := rec.Header().Get("Content-Type"); got != realType {
					t.Errorf("Content-Type %q, a real error on the path answers %q", got, realType)
				}
				var fault struct {
					RetryAfter int `json:"retry_after"`
				}
				_ = json.Unmarshal([]byte(tc.fault), &fault)
				if ra := rec.Header().Get("Retry-After"); fault.RetryAfter > 0 && ra != fmt.Sprint(fault.RetryAfter) {
					t.Errorf("Retry-After %q, want %d", ra, fault.RetryAfter)
				}
			})
		}
	}
}

func sendError(h http.Handler, rq errorRequest) *httptest.ResponseRecorder {
	req := httptest.NewRequest(rq.method, rq.target, strings.NewReader(rq.body))
	req.Host = inProcessHost // a host the control API answers on
	for k, v := range rq.header {
		req.Header[k] = v
	}
	return serve(h, req)
}

// checkErrorShape asserts the status and that the answer has shape want.
func checkErrorShape(t *testing.T, rec *httptest.ResponseRecorder, status int, want errShape) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	got, why := shapeOfError(rec)
	if why != "" {
		t.Fatalf("%s: %s %q", why, rec.Header().Get("Content-Type"), rec.Body)
	}
	if got != want {
		t.Fatalf("shape %s, want %s: %s %s", got, want, rec.Header().Get("Content-Type"), rec.Body)
	}
	if status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("a 401 without WWW-Authenticate (RFC 9110 §15.5.2)")
	}
}

// shapeOfError names the shape of an error answer, or says why it is none.
func shapeOfError(rec *httptest.ResponseRecorder) (errShape, string) {
	h, body := rec.Header(), rec.Body.Bytes()
	if rec.Code == http.StatusFound {
		loc, err := url.Parse(h.Get("Location"))
		if err != nil || !strings.HasPrefix(loc.String(), docsRedir+"?") || loc.Query().Get("error") == "" {
			return 0, "a redirect that is not an error for the registered redirect URI"
		}
		return errRedirect, ""
	}
	if h.Get("Location") != "" {
		return 0, "an error with a Location"
	}
	switch mediaType(h) {
	case "text/html":
		return errPage, ""
	case "application/fhir+json":
		if err := r4check.Validate(body); err != nil {
			return 0, "not a valid R4 resource: " + err.Error()
		}
		var oo struct {
			ResourceType string `json:"resourceType"`
			Issue        []struct{ Severity, Code, Diagnostics string }
		}
		if err := json.Unmarshal(body, &oo); err != nil || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 {
			return 0, "not an OperationOutcome with one issue"
		}
		if is := oo.Issue[0]; is.Severity != "error" || is.Code == "" || is.Diagnostics == "" {
			return 0, "an issue without severity error, a code and diagnostics"
		}
		return errOutcome, ""
	case "application/json":
		var obj map[string]any
		if err := json.Unmarshal(body, &obj); err != nil {
			return 0, "JSON that does not parse"
		}
		keys := make([]string, 0, len(obj))
		for k, v := range obj {
			if s, _ := v.(string); s == "" {
				return 0, "an empty or non-string " + k
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch {
		case slices.Equal(keys, []string{"detail"}):
			return errDetail, ""
		case slices.Equal(keys, []string{"error", "error_description"}):
			if h.Get("Cache-Control") != "no-store" || h.Get("Pragma") != "no-cache" {
				return 0, "an OAuth error that may be cached (RFC 6749 §5.1)"
			}
			return errOAuth, ""
		}
		return 0, "JSON with the keys " + strings.Join(keys, ", ")
	}
	return 0, "an error of an unexpected media type"
}
