package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// urlSafe is what codes and tokens may contain, so a SMART client can put
// them in a body unencoded.
var urlSafe = regexp.MustCompile(`^[A-Za-z0-9\-_.~]+$`)

// The docs' curl call, misspelled Content-Type and all, gets the docs'
// response fields and the RFC 6749 §5.1 headers.
func TestDocsCurlTokenCall(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	code := codeFor(t, s, e, authorizeQuery(map[string]string{"scope": "openid read profile patient/*.read", "nonce": "n-0S6"}))
	if !urlSafe.MatchString(code) {
		t.Fatalf("code %q is not URL-safe", code)
	}
	// The docs' body is written by hand, unencoded, exactly as curl -d sends it.
	body := "grant_type=authorization_code&code=" + code + "&redirect_uri=https://oidcdebugger.com/debug&client_id=" +
		docsClientID + "&client_secret=" + docsClientSecret
	r := httptest.NewRequest(http.MethodPost, IssuerPath+"/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-formurlencoded;charset=UTF-8")
	w := serve(e, r)
	tr := tokens(t, w)
	if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("Pragma") != "no-cache" {
		t.Errorf("headers %v", w.Header())
	}
	if tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 || tr.Scope != "openid profile patient/*.read" ||
		tr.Patient != "-20140000008325" || tr.RefreshToken == "" || tr.IDToken == "" {
		t.Errorf("response %+v", tr)
	}
	for _, tok := range []string{tr.AccessToken, tr.RefreshToken} {
		if !urlSafe.MatchString(tok) {
			t.Errorf("token %q is not URL-safe", tok)
		}
	}
	claims := idTokenPayload(t, tr.IDToken)
	if claims["iss"] != issuerURL || claims["sub"] != "BCNCUser03" || claims["aud"] != docsClientID ||
		claims["nonce"] != "n-0S6" || claims["fhirUser"] != fhirURL+"/Patient/-20140000008325" {
		t.Errorf("id_token claims %v", claims)
	}
	for _, k := range []string{"exp", "iat", "auth_time"} {
		if _, ok := claims[k].(float64); !ok {
			t.Errorf("id_token claim %s = %v", k, claims[k])
		}
	}
	g, err := s.Lookup(context.Background(), tr.AccessToken)
	if err != nil || g.Patient != "-20140000008325" || g.FHIRUser != "Patient/-20140000008325" || g.ClientID != docsClientID || g.Representative != nil {
		t.Errorf("Lookup = %+v, %v", g, err)
	}
}

// client_secret_basic (RFC 6749 §2.3.1, id and secret form-urlencoded inside
// Basic) and client_secret_post both work.
func TestClientAuthMethods(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	q := authorizeQuery(map[string]string{"client_id": otherID, "redirect_uri": otherRedirect})
	basic := url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)}, "redirect_uri": {otherRedirect}}
	tokens(t, postForm(e, IssuerPath+"/token", basic, []string{otherID, otherSecret}))

	post := url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)}, "redirect_uri": {otherRedirect},
		"client_id": {otherID}, "client_secret": {otherSecret}}
	tokens(t, postForm(e, IssuerPath+"/token", post, nil))

	// The raw secret in Basic, without the §2.3.1 encoding, fails: it has reserved characters.
	r := httptest.NewRequest(http.MethodPost, IssuerPath+"/token", strings.NewReader(url.Values{"grant_type": {"authorization_code"},
		"code": {codeFor(t, s, e, q)}, "redirect_uri": {otherRedirect}}.Encode()))
	r.SetBasicAuth(otherID, otherSecret)
	wantError(t, serve(e, r), http.StatusUnauthorized, codeInvalidClient)
}

// A public client authenticates with its client_id and PKCE S256 (RFC 7636),
// and gets no refresh token in strict without offline_access.
func TestPublicClientPKCE(t *testing.T) {
	for _, prof := range profile.All() {
		t.Run(prof.String(), func(t *testing.T) {
			s := newServer(t, func(c *Config) { c.Profile = prof })
			e := router(s)
			q := authorizeQuery(map[string]string{"client_id": publicID, "redirect_uri": publicRedirect, "scope": "openid fhirUser patient/*.rs",
				"code_challenge": challengeOf(verifier), "code_challenge_method": "S256"})
			form := url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)}, "redirect_uri": {publicRedirect},
				"client_id": {publicID}, "code_verifier": {verifier}}
			tr := tokens(t, postForm(e, IssuerPath+"/token", form, nil))
			if (tr.RefreshToken != "") != (prof == profile.BCBSNC) {
				t.Errorf("refresh token %q in profile %s", tr.RefreshToken, prof)
			}
			if tr.Scope != "openid fhirUser patient/*.rs" || tr.IDToken == "" {
				t.Errorf("response %+v", tr)
			}
		})
	}
}

// PKCE failures at /token are invalid_grant (RFC 7636 §4.6) in both profiles;
// plain works only in bcbsnc.
func TestPKCENegatives(t *testing.T) {
	ch := challengeOf(verifier)
	tests := []struct {
		name                string
		challenge, method   string
		verifier            string
		wantBCBSNC, wantStr string // "" = success
	}{
		{"right S256", ch, "S256", verifier, "", ""},
		{"blank verifier", ch, "S256", "", codeInvalidGrant, codeInvalidGrant},
		{"wrong verifier", ch, "S256", strings.Repeat("x", 43), codeInvalidGrant, codeInvalidGrant},
		{"verifier equal to the challenge", ch, "S256", ch, codeInvalidGrant, codeInvalidGrant},
		{"short verifier", ch, "S256", "abc", codeInvalidGrant, codeInvalidGrant},
		{"verifier without a challenge", "", "", verifier, codeInvalidGrant, "authorize"},
		{"right plain", verifier, "plain", verifier, "", "authorize"},
		{"wrong plain", verifier, "plain", strings.Repeat("y", 43), codeInvalidGrant, "authorize"},
	}
	for _, prof := range profile.All() {
		for _, tc := range tests {
			t.Run(prof.String()+"/"+tc.name, func(t *testing.T) {
				s := newServer(t, func(c *Config) { c.Profile = prof })
				e := router(s)
				want := tc.wantBCBSNC
				if prof == profile.Strict {
					want = tc.wantStr
				}
				q := authorizeQuery(map[string]string{"code_challenge": tc.challenge, "code_challenge_method": tc.method})
				if want == "authorize" {
					// Strict refuses the request before any code exists.
					u := location(t, get(e, IssuerPath+"/authorize?"+q.Encode()))
					if u.Query().Get("error") != codeInvalidRequest {
						t.Errorf("authorize gave %s", u)
					}
					return
				}
				form := exchangeForm(codeFor(t, s, e, q))
				form.Set("code_verifier", tc.verifier)
				w := postForm(e, IssuerPath+"/token", form, nil)
				if want == "" {
					tokens(t, w)
					return
				}
				wantError(t, w, http.StatusBadRequest, want)
			})
		}
	}
}

// Every RFC 6749 §5.2 error that applies, with its status.
func TestTokenErrors(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	codeOnly := func() string {
		return codeFor(t, s, e, authorizeQuery(map[string]string{"client_id": codeOnlyID, "redirect_uri": otherRedirect}))
	}
	tests := []struct {
		name   string
		form   func() url.Values
		basic  []string
		status int
		want   string
	}{
		{"no grant_type", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Del("grant_type")
			return f
		}, nil, 400, codeInvalidRequest},
		{"no code", func() url.Values { f := exchangeForm(""); return f }, nil, 400, codeInvalidRequest},
		{"secret in Basic and body", func() url.Values { return exchangeForm(codeFor(t, s, e, authorizeQuery(nil))) }, []string{docsClientID, docsClientSecret}, 400, codeInvalidRequest},
		{"repeated code", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Add("code", "x")
			return f
		}, nil, 400, codeInvalidRequest},
		{"wrong secret", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Set("client_secret", "wrong")
			return f
		}, nil, 401, codeInvalidClient},
		{"unknown client", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Set("client_id", "nobody")
			return f
		}, nil, 401, codeInvalidClient},
		{"no client authentication", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Del("client_id")
			f.Del("client_secret")
			return f
		}, nil, 401, codeInvalidClient},
		{"confidential client without its secret", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Del("client_secret")
			return f
		}, nil, 401, codeInvalidClient},
		{"garbled code", func() url.Values { return exchangeForm("not-a-code") }, nil, 400, codeInvalidGrant},
		{"access token as code", func() url.Values { return exchangeForm(tr.AccessToken) }, nil, 400, codeInvalidGrant},
		{"wrong redirect_uri", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Set("redirect_uri", base+"/debug")
			return f
		}, nil, 400, codeInvalidGrant},
		{"redirect_uri omitted", func() url.Values {
			f := exchangeForm(codeFor(t, s, e, authorizeQuery(nil)))
			f.Del("redirect_uri")
			return f
		}, nil, 400, codeInvalidGrant},
		{"client may not refresh", func() url.Values {
			w := postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {codeOnly()},
				"redirect_uri": {otherRedirect}}, []string{codeOnlyID, codeOnlySecret})
			if got := tokens(t, w); got.RefreshToken != "" {
				t.Error("a client without the refresh grant got a refresh token")
			}
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}
		}, []string{codeOnlyID, codeOnlySecret}, 400, codeUnauthorizedClient},
		{"password grant", func() url.Values {
			return url.Values{"grant_type": {"password"}, "username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}}
		}, []string{docsClientID, docsClientSecret}, 400, codeUnsupportedGrantType},
		{"refresh wider than granted", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "scope": {"patient/*.read launch/patient"}}
		}, []string{docsClientID, docsClientSecret}, 400, codeInvalidScope},
		{"refresh for nothing grantable", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "scope": {"read"}}
		}, []string{docsClientID, docsClientSecret}, 400, codeInvalidScope},
		{"oversized body", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "pad": {strings.Repeat("a", maxTokenBodySize)}}
		}, nil, 400, codeInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := postForm(e, IssuerPath+"/token", tc.form(), tc.basic)
			wantError(t, w, tc.status, tc.want)
			if tc.status == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
				t.Errorf("401 without WWW-Authenticate: Basic: %v", w.Header())
			}
			if w.Header().Get("Cache-Control") != "no-store" {
				t.Error("error response may be cached")
			}
		})
	}
}

// RFC 6749 §4.1.2: a code used twice is refused and revokes every token
// issued from it.
func TestCodeReplayRevokes(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	code := codeFor(t, s, e, authorizeQuery(nil))
	tr := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err != nil {
		t.Fatal(err)
	}
	wantError(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil), 400, codeInvalidGrant)
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err == nil {
		t.Error("the access token survived the code's replay")
	}
	w := postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}},
		[]string{docsClientID, docsClientSecret})
	wantError(t, w, 400, codeInvalidGrant)
}

// Refresh tokens rotate; a reused one is invalid_grant and revokes the family.
func TestRefreshRotation(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	first := docsTokens(t, s, e)
	refresh := func(rt string) *httptest.ResponseRecorder {
		return postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}},
			[]string{docsClientID, docsClientSecret})
	}
	second := tokens(t, refresh(first.RefreshToken))
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	if second.Scope != first.Scope || second.Patient != first.Patient || second.IDToken == "" {
		t.Errorf("refreshed %+v", second)
	}
	if c := idTokenPayload(t, second.IDToken); c["nonce"] != nil || c["sub"] != "BCNCUser03" {
		t.Errorf("refreshed id_token claims %v", c)
	}
	third := tokens(t, refresh(second.RefreshToken))
	wantError(t, refresh(second.RefreshToken), 400, codeInvalidGrant)
	// The reuse revoked the whole family, the newest tokens included.
	wantError(t, refresh(third.RefreshToken), 400, codeInvalidGrant)
	for _, at := range []string{first.AccessToken, second.AccessToken, third.AccessToken} {
		if _, err := s.Lookup(context.Background(), at); err == nil {
			t.Error("an access token of a revoked family still works")
		}
	}
}

// RFC 6749 §6: a refresh may ask for a subset of the grant; the access token
// then has the subset and the rotated refresh token keeps the whole grant.
func TestRefreshSubsetScope(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	first := docsTokens(t, s, e)
	w := postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken},
		"scope": {"patient/Coverage.read patient/ExplanationOfBenefit.rs"}}, []string{docsClientID, docsClientSecret})
	narrow := tokens(t, w)
	if narrow.Scope != "patient/Coverage.read patient/ExplanationOfBenefit.rs" || narrow.IDToken != "" {
		t.Errorf("narrowed %+v", narrow)
	}
	g, err := s.Lookup(context.Background(), narrow.AccessToken)
	if err != nil || len(g.Scopes) != 2 {
		t.Errorf("Lookup %q, %v", g.Scopes, err)
	}
	wide := tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {narrow.RefreshToken}},
		[]string{docsClientID, docsClientSecret}))
	if wide.Scope != first.Scope {
		t.Errorf("the rotated refresh token lost scope: %q, want %q", wide.Scope, first.Scope)
	}
}

// Client B can use neither A's code nor A's refresh token (RFC 6749 §4.1.3,
// §6); a public client may refresh without client_id, a confidential one not.
func TestCrossClient(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	otherAuth := []string{otherID, otherSecret}
	code := codeFor(t, s, e, authorizeQuery(nil))
	w := postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedirect}}, otherAuth)
	wantError(t, w, 400, codeInvalidGrant)
	a := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil)) // B's attempt did not burn the code
	w = postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken}}, otherAuth)
	wantError(t, w, 400, codeInvalidGrant)
	w = postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken}}, nil)
	wantError(t, w, 401, codeInvalidClient)
	w = postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken},
		"client_id": {publicID}}, nil)
	wantError(t, w, 400, codeInvalidGrant)

	q := authorizeQuery(map[string]string{"client_id": publicID, "redirect_uri": publicRedirect,
		"code_challenge": challengeOf(verifier), "code_challenge_method": "S256"})
	p := tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)},
		"redirect_uri": {publicRedirect}, "client_id": {publicID}, "code_verifier": {verifier}}, nil))
	p2 := tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {p.RefreshToken}}, nil))
	if g, err := s.Lookup(context.Background(), p2.AccessToken); err != nil || g.ClientID != publicID {
		t.Errorf("public refresh: %+v, %v", g, err)
	}
}

// Replicas sharing a key accept each other's codes and tokens.
func TestServersShareKey(t *testing.T) {
	s1, s2 := newServer(t, nil), newServer(t, nil)
	e1, e2 := router(s1), router(s2)
	code := codeFor(t, s1, e1, authorizeQuery(nil))
	tr := tokens(t, postForm(e2, IssuerPath+"/token", exchangeForm(code), nil))
	if _, err := s1.Lookup(context.Background(), tr.AccessToken); err != nil {
		t.Error(err)
	}
	tokens(t, postForm(e1, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}},
		[]string{docsClientID, docsClientSecret}))
	h := startFlow(t, e1, authorizeQuery(nil))
	if _, err := s2.Describe(context.Background(), h); err != nil {
		t.Error(err)
	}
	other := newServer(t, func(c *Config) { c.Key = otherKey() })
	if _, err := other.Lookup(context.Background(), tr.AccessToken); err == nil {
		t.Error("a server with another key accepted the token")
	}
}

// Concurrent redemptions of one code: exactly one wins (the store's mutex).
func TestConcurrentCodeRedemption(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	code := codeFor(t, s, e, authorizeQuery(nil))
	const n = 8
	results := make(chan int, n)
	for range n {
		go func() { results <- postForm(e, IssuerPath+"/token", exchangeForm(code), nil).Code }()
	}
	wins := 0
	for range n {
		if <-results == http.StatusOK {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d redemptions succeeded, want exactly 1", wins)
	}
}

// A code or token is accepted only as the exact string issued: a base64
// decoder skips line breaks even in strict mode, so one posted with a
// line break inside must still be refused (RFC 4648 §3.3: the decoder
// must reject characters outside the alphabet unless told otherwise).
func TestLineBreakSpellingsRefused(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	code := codeFor(t, s, e, authorizeQuery(nil))
	tr := docsTokens(t, s, e)
	split := func(v, sep string) string { return v[:len(v)/2] + sep + v[len(v)/2:] }
	for _, sep := range []string{"\n", "\r", "\r\n"} {
		w := postForm(e, IssuerPath+"/token", exchangeForm(split(code, sep)), nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "invalid_grant") {
			t.Errorf("code with %q inside: %d %s, want invalid_grant", sep, w.Code, w.Body)
		}
		w = postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {split(tr.RefreshToken, sep)}}, docsAuth)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "invalid_grant") {
			t.Errorf("refresh token with %q inside: %d %s, want invalid_grant", sep, w.Code, w.Body)
		}
		if r := introspectAs(t, s, split(tr.AccessToken, sep), docsAuth); r["active"] != false {
			t.Errorf("access token with %q inside introspected as %v", sep, r)
		}
	}
	// The genuine ones still work, and the code was not spent by the tries.
	tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
	if r := introspectAs(t, s, tr.AccessToken, docsAuth); r["active"] != true {
		t.Errorf("the genuine access token introspected as %v", r)
	}
}
