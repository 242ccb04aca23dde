package oauth

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// The docs' own authorize URL, host replaced, works as written: no PKCE, the
// unknown scope "read" is dropped, and the browser goes to the consent screens.
func TestAuthorizeDocsURL(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	target := IssuerPath + "/authorize?response_type=code&client_id=" + docsClientID +
		"&redirect_uri=https://oidcdebugger.com/debug&scope=openid%20read%20profile%20patient/*.read&state=test"
	u := location(t, get(e, target))
	if got := u.Scheme + "://" + u.Host + u.Path; got != issuerURL+"/consent" {
		t.Fatalf("redirected to %s, want %s/consent", got, issuerURL)
	}
	req, err := s.Describe(context.Background(), u.Query().Get("request"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"openid", "profile", "patient/*.read"}; !slices.Equal(req.Scopes, want) {
		t.Errorf("scopes %q, want %q", req.Scopes, want)
	}
	if req.ClientID != docsClientID || req.ClientName != "Docs app" {
		t.Errorf("described %+v", req)
	}
	to, err := s.Finish(context.Background(), u.Query().Get("request"), decisionSelf())
	if err != nil {
		t.Fatal(err)
	}
	back, _ := url.Parse(to)
	if back.Query().Get("state") != "test" || back.Query().Get("iss") != issuerURL ||
		!strings.HasPrefix(to, docsRedirect+"?") {
		t.Errorf("code redirect %s lacks state=test or iss", to)
	}
}

// The docs warn "the last backslash is important": /authorize/ works, and
// so does POST (SMART App Launch 2 "authorize-post").
func TestAuthorizeTrailingSlashAndPost(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	q := authorizeQuery(nil)
	if u := location(t, get(e, IssuerPath+"/authorize/?"+q.Encode())); u.Query().Get("request") == "" {
		t.Errorf("GET /authorize/ went to %s", u)
	}
	if u := location(t, postForm(e, IssuerPath+"/authorize", q, nil)); u.Query().Get("request") == "" {
		t.Errorf("POST /authorize went to %s", u)
	}
}

// RFC 6749 §4.1.2.1: a bad client or redirect_uri gets a page, never a redirect.
func TestAuthorizeBadClientOrRedirect(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tests := []struct {
		name  string
		query string
		says  string
	}{
		{"unknown client", "response_type=code&client_id=nobody&redirect_uri=" + url.QueryEscape(docsRedirect), "not registered"},
		{"missing client", "response_type=code&redirect_uri=" + url.QueryEscape(docsRedirect), "client_id"},
		{"unregistered redirect", "response_type=code&client_id=" + docsClientID + "&redirect_uri=https://evil.example/cb", "https://evil.example/cb"},
		{"redirect with a fragment", "response_type=code&client_id=" + docsClientID + "&redirect_uri=" + url.QueryEscape(docsRedirect+"#x"), "not registered"},
		{"redirect prefix only", "response_type=code&client_id=" + docsClientID + "&redirect_uri=" + url.QueryEscape(docsRedirect+"/more"), "not registered"},
		{"no redirect, two registered", "response_type=code&client_id=" + docsClientID, "several"},
		{"repeated client_id", "response_type=code&client_id=" + docsClientID + "&client_id=" + docsClientID, "repeats"},
		{"markup is escaped", "response_type=code&client_id=" + url.QueryEscape("<script>x</script>"), "&lt;script&gt;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := get(e, IssuerPath+"/authorize?"+tc.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", w.Code)
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Fatalf("redirected to %s", loc)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(w.Body.String(), tc.says) {
				t.Errorf("page does not say %q:\n%s", tc.says, w.Body)
			}
		})
	}
}

// Every other error redirects with error, error_description, state and iss
// (RFC 6749 §4.1.2.1, RFC 9207 §2).
func TestAuthorizeErrorRedirects(t *testing.T) {
	ch := challengeOf(verifier)
	tests := []struct {
		name    string
		profile profile.Profile
		extra   map[string]string
		want    string
		raw     string // appended to the encoded query as is
	}{
		{"response_type token", profile.BCBSNC, map[string]string{"response_type": "token"}, codeUnsupportedResponseType, ""},
		{"no response_type", profile.BCBSNC, map[string]string{"response_type": ""}, codeInvalidRequest, ""},
		{"method without challenge", profile.BCBSNC, map[string]string{"code_challenge_method": "S256"}, codeInvalidRequest, ""},
		{"short challenge", profile.BCBSNC, map[string]string{"code_challenge": "abc", "code_challenge_method": "S256"}, codeInvalidRequest, ""},
		{"challenge with a bad character", profile.BCBSNC, map[string]string{"code_challenge": strings.Repeat("a", 42) + "+", "code_challenge_method": "S256"}, codeInvalidRequest, ""},
		{"unknown method", profile.BCBSNC, map[string]string{"code_challenge": ch, "code_challenge_method": "S512"}, codeInvalidRequest, ""},
		{"public client without PKCE", profile.BCBSNC, map[string]string{"client_id": publicID, "redirect_uri": publicRedirect}, codeInvalidRequest, ""},
		{"only unknown scopes", profile.BCBSNC, map[string]string{"scope": "read write system/*.read"}, codeInvalidScope, ""},
		{"no scope", profile.BCBSNC, map[string]string{"scope": ""}, codeInvalidScope, ""},
		{"repeated scope", profile.BCBSNC, nil, codeInvalidRequest, "&scope=profile"},
		{"strict: no PKCE", profile.Strict, nil, codeInvalidRequest, ""},
		{"strict: plain", profile.Strict, map[string]string{"code_challenge": verifier, "code_challenge_method": "plain"}, codeInvalidRequest, ""},
		{"strict: challenge without method is plain", profile.Strict, map[string]string{"code_challenge": ch}, codeInvalidRequest, ""},
		{"strict: no state", profile.Strict, map[string]string{"state": "", "code_challenge": ch, "code_challenge_method": "S256"}, codeInvalidRequest, ""},
		{"strict: wrong aud", profile.Strict, map[string]string{"aud": "https://elsewhere.example/fhir", "code_challenge": ch, "code_challenge_method": "S256"}, codeInvalidRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := router(newServer(t, func(c *Config) { c.Profile = tc.profile }))
			q := authorizeQuery(tc.extra)
			u := location(t, get(e, IssuerPath+"/authorize?"+q.Encode()+tc.raw))
			got := u.Query()
			redirect := q.Get("redirect_uri")
			if !strings.HasPrefix(u.String(), redirect+"?") {
				t.Errorf("redirected to %s, want %s", u, redirect)
			}
			if got.Get("error") != tc.want || got.Get("error_description") == "" {
				t.Errorf("error %q (%q), want %q", got.Get("error"), got.Get("error_description"), tc.want)
			}
			if got.Get("state") != q.Get("state") {
				t.Errorf("state %q, want %q", got.Get("state"), q.Get("state"))
			}
			if got.Get("iss") != issuerURL {
				t.Errorf("iss %q, want %q", got.Get("iss"), issuerURL)
			}
		})
	}
}

// What profile bcbsnc accepts that strict does not: a wrong aud, plain
// PKCE, a confidential client without PKCE and without state.
func TestAuthorizeBCBSNCLeniency(t *testing.T) {
	e := router(newServer(t, nil))
	for name, extra := range map[string]map[string]string{
		"wrong aud":    {"aud": "https://elsewhere.example/fhir"},
		"plain PKCE":   {"code_challenge": verifier, "code_challenge_method": "plain"},
		"no state":     {"state": ""},
		"right aud":    {"aud": fhirURL},
		"docs' scopes": {"scope": "patient/*.read openID FHIRUser"},
	} {
		t.Run(name, func(t *testing.T) { startFlow(t, e, authorizeQuery(extra)) })
	}
}

// RFC 8252 §7.1 and §7.3: custom schemes match exactly, a native (public)
// app's loopback registrations in any port.
func TestMatchRedirect(t *testing.T) {
	reg := Client{ID: publicID, RedirectURIs: []string{"com.example.app:/callback", "http://127.0.0.1/cb", "http://[::1]:8000/cb", "http://localhost/cb", "{base}/debug"}}
	tests := []struct {
		requested string
		ok        bool
	}{
		{"com.example.app:/callback", true},
		{"com.example.app:/other", false},
		{"com.example.evil:/callback", false},
		{"http://127.0.0.1:51004/cb", true},
		{"http://127.0.0.1/cb", true},
		{"http://127.0.0.1:51004/cb2", false},
		{"https://127.0.0.1:51004/cb", false},
		{"http://[::1]:1234/cb", true},
		{"http://localhost:1234/cb", true},
		{"http://localhost/cb", true},
		{base + "/debug", true},
		{"http://other.test/debug", false},
		{"{base}/debug", false},
	}
	for _, tc := range tests {
		got, ok := matchRedirect(reg, tc.requested, base)
		if ok != tc.ok || (ok && got != tc.requested) {
			t.Errorf("matchRedirect(%q) = %q, %v; want ok=%v", tc.requested, got, ok, tc.ok)
		}
	}
	if got, ok := matchRedirect(Client{RedirectURIs: []string{"{base}/debug"}}, "", base); !ok || got != base+"/debug" {
		t.Errorf("omitted redirect_uri with one registration = %q, %v", got, ok)
	}
}

// A native app's loopback redirect works end to end with the port it picked.
func TestAuthorizeLoopbackPort(t *testing.T) {
	e := router(newServer(t, nil))
	q := authorizeQuery(map[string]string{"client_id": publicID, "redirect_uri": "http://127.0.0.1:49152/callback",
		"code_challenge": challengeOf(verifier), "code_challenge_method": "S256"})
	startFlow(t, e, q)
}

func TestParseScope(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{"openid read profile patient/*.read", []string{"openid", "profile", "patient/*.read"}},
		{"patient/*.read openID FHIRUser", []string{"patient/*.read", "openid", "fhirUser"}},
		{"PROFILE Profile profile", []string{"profile"}},
		{"patient/Observation.rs patient/Patient.r patient/Coverage.s", []string{"patient/Observation.rs", "patient/Patient.r", "patient/Coverage.s"}},
		{"patient/Patient.cruds patient/Condition.c patient/Encounter.cud", []string{"patient/Patient.rs"}},
		{"patient/Patient.sr patient/Patient.rr patient/Patient.x patient/Patient.", nil},
		{"patient/*.* patient/*.write patient/Unknown.read patient/Patient", []string{"patient/*.read"}},
		{"user/*.read system/*.read launch offline_access launch/patient", []string{"user/*.read", "offline_access", "launch/patient"}},
		{"patient/Observation.rs?category=laboratory", nil},
		{"", nil},
	}
	for _, tc := range tests {
		if got := testScopes.parse(tc.raw); !slices.Equal(got, tc.want) {
			t.Errorf("testScopes.parse(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func FuzzParseScope(f *testing.F) {
	f.Add("openid read profile patient/*.read")
	f.Add("patient/Patient.cruds patient/*.rs")
	f.Fuzz(func(t *testing.T, raw string) {
		got := testScopes.parse(raw)
		for _, s := range got {
			if testScopes.parse(s) == nil || testScopes.parse(s)[0] != s {
				t.Errorf("granted scope %q does not parse to itself", s)
			}
		}
		_ = testScopes.withoutPersonal(got)
	})
}

func FuzzMatchRedirect(f *testing.F) {
	f.Add("http://127.0.0.1:5000/cb")
	f.Add("com.example.app:/callback")
	f.Add("http://[::1]:80/cb?x=1")
	reg := Client{ID: publicID, RedirectURIs: []string{"com.example.app:/callback", "http://127.0.0.1/cb", "http://[::1]/cb", "{base}/debug"}}
	f.Fuzz(func(t *testing.T, requested string) {
		got, ok := matchRedirect(reg, requested, base)
		if ok && got != requested {
			t.Errorf("matched %q as %q", requested, got)
		}
		if ok && strings.Contains(requested, "#") {
			t.Errorf("matched %q with a fragment", requested)
		}
	})
}
