package oauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/go-jose/go-jose/v4"
)

func getJSON(t testing.TB, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// OIDC Discovery §3 at both paths, with the issuer byte for byte and the
// profile's PKCE methods.
func TestOpenIDConfiguration(t *testing.T) {
	for _, prof := range profile.All() {
		e := router(newServer(t, func(c *Config) { c.Profile = prof }))
		for _, path := range []string{"/.well-known/openid-configuration", IssuerPath + "/.well-known/openid-configuration"} {
			d := getJSON(t, get(e, path))
			want := map[string]any{
				"issuer": issuerURL, "authorization_endpoint": issuerURL + "/authorize", "token_endpoint": issuerURL + "/token",
				"userinfo_endpoint": base + "/v1/connect/userinfo", "jwks_uri": issuerURL + "/jwks",
				"revocation_endpoint": issuerURL + "/revoke", "introspection_endpoint": issuerURL + "/introspect",
				"authorization_response_iss_parameter_supported": true,
			}
			for k, v := range want {
				if d[k] != v {
					t.Errorf("%s %s: %s = %v, want %v", prof, path, k, d[k], v)
				}
			}
			methods := strs(d["code_challenge_methods_supported"])
			if slices.Contains(methods, "plain") != (prof == profile.BCBSNC) || !slices.Contains(methods, "S256") {
				t.Errorf("%s: code_challenge_methods_supported %q", prof, methods)
			}
			for _, k := range []string{"scopes_supported", "grant_types_supported", "subject_types_supported", "token_endpoint_auth_methods_supported"} {
				if len(strs(d[k])) == 0 {
					t.Errorf("%s empty", k)
				}
			}
			if !slices.Equal(strs(d["response_types_supported"]), []string{"code"}) || !slices.Equal(strs(d["id_token_signing_alg_values_supported"]), []string{"RS256"}) {
				t.Errorf("response types %v, algs %v", d["response_types_supported"], d["id_token_signing_alg_values_supported"])
			}
		}
	}
}

// SMART App Launch 2 §2.1: the smart-configuration document, strict
// advertising S256 only, and every advertised scope actually grantable.
func TestSMARTConfiguration(t *testing.T) {
	for _, prof := range profile.All() {
		e := router(newServer(t, func(c *Config) { c.Profile = prof }))
		d := getJSON(t, get(e, fhirPath+"/.well-known/smart-configuration"))
		if d["issuer"] != issuerURL || d["jwks_uri"] != issuerURL+"/jwks" || d["token_endpoint"] != issuerURL+"/token" ||
			d["authorization_endpoint"] != issuerURL+"/authorize" || d["revocation_endpoint"] != issuerURL+"/revoke" ||
			d["introspection_endpoint"] != issuerURL+"/introspect" {
			t.Errorf("%s: endpoints %v", prof, d)
		}
		caps := strs(d["capabilities"])
		for _, c := range []string{"launch-standalone", "client-public", "client-confidential-symmetric", "context-standalone-patient",
			"permission-patient", "permission-v1", "permission-v2", "sso-openid-connect", "authorize-post"} {
			if !slices.Contains(caps, c) {
				t.Errorf("capability %s missing", c)
			}
		}
		if m := strs(d["code_challenge_methods_supported"]); prof == profile.Strict && !slices.Equal(m, []string{"S256"}) {
			t.Errorf("strict advertises %q", m)
		}
		for _, sc := range strs(d["scopes_supported"]) {
			if got := testScopes.parse(sc); len(got) != 1 || got[0] != sc {
				t.Errorf("advertised scope %q parses to %q", sc, got)
			}
		}
	}
}

// The id_token verifies with the key published at jwks_uri, found by kid.
func TestIDTokenVerifiesWithJWKS(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	w := get(e, IssuerPath+"/jwks")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwks %s: %v", w.Body, err)
	}
	k := set.Keys[0]
	if k.KeyID == "" || k.Use != "sig" || k.Algorithm != "RS256" || !k.IsPublic() {
		t.Errorf("jwk %+v", k)
	}
	var raw map[string][]map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["keys"][0]["d"]; ok {
		t.Error("the JWKS leaks private key material")
	}
	tr := docsTokens(t, s, e)
	jws, err := jose.ParseSignedCompact(tr.IDToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if kid := jws.Signatures[0].Header.KeyID; kid != k.KeyID {
		t.Errorf("id_token kid %q, JWKS kid %q", kid, k.KeyID)
	}
	if _, err := jws.Verify(set.Key(k.KeyID)[0]); err != nil {
		t.Errorf("id_token does not verify with the JWKS: %v", err)
	}
}

// Browser apps get CORS on discovery, JWKS, token and userinfo, preflights included.
func TestCORS(t *testing.T) {
	e := router(newServer(t, nil))
	for _, path := range []string{IssuerPath + "/token", IssuerPath + "/revoke", IssuerPath + "/introspect", "/v1/connect/userinfo", fhirPath + "/UserInfo"} {
		r := httptest.NewRequest(http.MethodOptions, path, nil)
		r.Header.Set("Origin", "https://app.example")
		r.Header.Set("Access-Control-Request-Method", "POST")
		r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		w := serve(e, r)
		if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "*" ||
			w.Header().Get("Access-Control-Allow-Headers") == "" {
			t.Errorf("preflight %s: %d %v", path, w.Code, w.Header())
		}
	}
	for _, path := range []string{"/.well-known/openid-configuration", IssuerPath + "/jwks", fhirPath + "/.well-known/smart-configuration"} {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Origin", "https://app.example")
		if w := serve(e, r); w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: %d %v", path, w.Code, w.Header())
		}
	}
}

// The issuer and every endpoint are built from Config.BaseURL for each
// request (main's baseURLFunc follows the Host and X-Forwarded-* headers,
// checked in the root package's TestBaseURL).
func TestIssuerFollowsBaseURL(t *testing.T) {
	e := router(newServer(t, func(c *Config) {
		c.BaseURL = func(r *http.Request) string { return "https://" + r.Header.Get("X-Test-Host") }
	}))
	for _, h := range []string{"one.example", "two.example:8443"} {
		r := httptest.NewRequest(http.MethodGet, "/.well-known/openid-configuration", nil)
		r.Header.Set("X-Test-Host", h)
		d := getJSON(t, serve(e, r))
		if d["issuer"] != "https://"+h+IssuerPath || d["token_endpoint"] != "https://"+h+IssuerPath+"/token" {
			t.Errorf("host %s: issuer %v, token endpoint %v", h, d["issuer"], d["token_endpoint"])
		}
	}
}
