package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/labstack/echo/v4"
)

// introspectActive reports whether the docs' client sees tok as active.
func introspectActive(t *testing.T, e *echo.Echo, tok string) bool {
	t.Helper()
	w := postForm(e, IssuerPath+"/introspect", url.Values{"token": {tok}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}, nil)
	var got struct{ Active bool }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("introspect %d: %s", w.Code, w.Body)
	}
	return got.Active
}

// revokeToken is the docs' client's RFC 7009 revocation of tok.
func revokeToken(e *echo.Echo, tok string) *httptest.ResponseRecorder {
	return postForm(e, IssuerPath+"/revoke", url.Values{"token": {tok}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}, nil)
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
}

// TestRemoveAppEndsItsTokens: the member's apps list the grants of a flow;
// removing the app (consent.Apps) makes its access and refresh tokens
// fail at once, and the app disappears from the list; another app's grant
// of the same member keeps working.
func TestRemoveAppEndsItsTokens(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	docs := docsTokens(t, s, e)
	q := authorizeQuery(map[string]string{"client_id": otherID, "redirect_uri": otherRedirect})
	other := tokens(t, postForm(e, IssuerPath+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)}, "redirect_uri": {otherRedirect},
	}, []string{otherID, otherSecret}))

	apps, err := s.ConnectedApps(context.Background(), "BCNCUser03")
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 || apps[0].ClientName != "Docs app" || apps[1].ClientID != otherID || apps[0].Grants != 1 {
		t.Fatalf("connected apps %+v, want the docs' app and %s, once each", apps, otherID)
	}
	if n, err := s.RemoveApp(context.Background(), "BCNCUser03", docsClientID); n != 1 || err != nil {
		t.Fatalf("RemoveApp: %d, %v", n, err)
	}
	if w := bearerGet(e, "/v1/connect/userinfo", docs.AccessToken); w.Code != http.StatusUnauthorized {
		t.Errorf("the removed app's access token: %d, want 401", w.Code)
	}
	wantError(t, postForm(e, IssuerPath+"/token", refreshForm(docs.RefreshToken), nil), http.StatusBadRequest, codeInvalidGrant)
	if introspectActive(t, e, docs.AccessToken) || introspectActive(t, e, docs.RefreshToken) {
		t.Error("the removed app's tokens introspect as active")
	}
	if w := bearerGet(e, "/v1/connect/userinfo", other.AccessToken); w.Code != http.StatusOK {
		t.Errorf("the other app's token: %d, want 200", w.Code)
	}
	apps, _ = s.ConnectedApps(context.Background(), "BCNCUser03")
	if len(apps) != 1 || apps[0].ClientID != otherID {
		t.Errorf("after removing the docs' app: %+v", apps)
	}
	if _, err := s.RemoveApp(context.Background(), "BCNCUser03", "no-such-app"); !errors.Is(err, ErrUnknownClient) {
		t.Errorf("an unknown app: %v, want ErrUnknownClient", err)
	}
	if _, err := s.ConnectedApps(context.Background(), "nobody"); !errors.Is(err, ErrUnknownMember) {
		t.Errorf("an unknown member: %v, want ErrUnknownMember", err)
	}
}

// TestGrantEndsWithTheClientsOwnRevoke: a grant the app ends itself (RFC
// 7009 on its refresh token) or loses to a replayed code leaves the list.
func TestGrantEndsWithTheClientsOwnRevoke(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, e *echo.Echo, tr tokenResponse, code string)
	}{
		{"RFC 7009 revoke of the refresh token", func(t *testing.T, e *echo.Echo, tr tokenResponse, _ string) {
			w := revokeToken(e, tr.RefreshToken)
			if w.Code != http.StatusOK {
				t.Fatalf("revoke: %d %s", w.Code, w.Body)
			}
		}},
		{"the code replayed", func(t *testing.T, e *echo.Echo, _ tokenResponse, code string) {
			w := postForm(e, IssuerPath+"/token", exchangeForm(code), nil)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("replay: %d %s", w.Code, w.Body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, nil)
			e := router(s)
			code := codeFor(t, s, e, authorizeQuery(nil))
			tr := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
			if g, _ := s.Grants("-20140000008325", ""); len(g) != 1 {
				t.Fatalf("grants before: %+v", g)
			}
			tc.end(t, e, tr, code)
			if g, _ := s.Grants("-20140000008325", ""); len(g) != 0 {
				t.Errorf("grants after: %+v, want none", g)
			}
		})
	}
}

// TestExpireRefresh: the refresh tokens of the chosen app's grant answer
// invalid_grant at once and introspect inactive, while its access token
// keeps working; the grant stays listed, marked, until that token expires;
// another app's refresh token still works.
func TestExpireRefresh(t *testing.T) {
	clocks := newTwoClocks()
	s := serverOnClocks(t, clocks, maxRecords)
	e := router(s)
	docs := docsTokens(t, s, e)
	q := authorizeQuery(map[string]string{"client_id": otherID, "redirect_uri": otherRedirect})
	other := tokens(t, postForm(e, IssuerPath+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {codeFor(t, s, e, q)}, "redirect_uri": {otherRedirect},
	}, []string{otherID, otherSecret}))

	if n, err := s.ExpireRefresh("-20140000008325", docsClientID); n != 1 || err != nil {
		t.Fatalf("ExpireRefresh: %d, %v", n, err)
	}
	w := postForm(e, IssuerPath+"/token", refreshForm(docs.RefreshToken), nil)
	wantError(t, w, http.StatusBadRequest, codeInvalidGrant)
	if introspectActive(t, e, docs.RefreshToken) {
		t.Error("the ended refresh token introspects as active")
	}
	if w := bearerGet(e, "/v1/connect/userinfo", docs.AccessToken); w.Code != http.StatusOK {
		t.Errorf("the access token of the grant: %d, want 200 until it expires", w.Code)
	}
	g, _ := s.Grants("-20140000008325", docsClientID)
	if len(g) != 1 || !g[0].RefreshEnded || g[0].Expires.After(clocks.Now().Add(time.Hour+time.Second)) {
		t.Errorf("the grant after its refresh ended: %+v", g)
	}
	if n, _ := s.ExpireRefresh("-20140000008325", docsClientID); n != 0 {
		t.Errorf("ending it again: %d, want 0", n)
	}
	tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {other.RefreshToken}}, []string{otherID, otherSecret}))

	clocks.move(time.Hour+time.Second, 0)
	if g, _ := s.Grants("-20140000008325", docsClientID); len(g) != 0 {
		t.Errorf("an hour later the grant is still listed: %+v", g)
	}
}

// TestMint: Mint answers what /token answers for the same approval, and
// its tokens refresh, introspect, read userinfo and revoke as a flow's;
// a representative's and a health-only grant come out as the screens'
// would; bad requests are refused with the reason.
func TestMint(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	req := httptest.NewRequest(http.MethodPost, "/sandbox/tokens", nil)
	req.Host = host
	raw, err := s.Mint(req, MintRequest{Username: "BCNCUser03", ClientID: docsClientID, Scope: "openid fhirUser profile patient/*.read read", SharePersonal: true})
	if err != nil {
		t.Fatal(err)
	}
	var tr tokenResponse
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatal(err)
	}
	flow := docsTokens(t, s, e)
	var a, b map[string]any
	json.Unmarshal(raw, &a)
	fb, _ := json.Marshal(flow)
	json.Unmarshal(fb, &b)
	for k := range b {
		if _, ok := a[k]; !ok {
			t.Errorf("a minted response lacks %q that /token answers", k)
		}
	}
	if tr.Patient != "-20140000008325" || tr.Scope != "openid fhirUser profile patient/*.read" || tr.IDToken == "" || tr.RefreshToken == "" {
		t.Errorf("minted %+v", tr)
	}
	if w := bearerGet(e, "/v1/connect/userinfo", tr.AccessToken); w.Code != http.StatusOK {
		t.Errorf("userinfo with a minted token: %d", w.Code)
	}
	fresh := tokens(t, postForm(e, IssuerPath+"/token", refreshForm(tr.RefreshToken), nil))
	if !introspectActive(t, e, fresh.AccessToken) || introspectActive(t, e, tr.RefreshToken) {
		t.Error("after refresh: the new access token must be active and the rotated refresh token not")
	}
	w := revokeToken(e, fresh.RefreshToken)
	if w.Code != http.StatusOK || introspectActive(t, e, fresh.AccessToken) {
		t.Errorf("revoking the minted grant's refresh token: %d, its access token still active", w.Code)
	}

	rep := &consent.Representative{Relationship: consent.RelParent, FullName: "Pat Doe"}
	raw, err = s.Mint(req, MintRequest{Username: "BCNCUser03", ClientID: docsClientID, Scope: "openid fhirUser patient/*.read", Representative: rep})
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(raw, &tr)
	g, err := s.Lookup(context.Background(), tr.AccessToken)
	if err != nil || g.Representative == nil || g.FHIRUser != "RelatedPerson/"+relatedPersonID("-20140000008325", *rep) {
		t.Errorf("a representative's minted grant: %+v, %v", g, err)
	}
	if hasScope(g.Scopes, "patient/Patient.read") || covers(g.Scopes, "patient/Patient.read") {
		t.Errorf("a health-only grant still reads Patient: %v", g.Scopes)
	}

	for _, tc := range []struct {
		name string
		m    MintRequest
		want error // nil: an *Error
	}{
		{"unknown member", MintRequest{Username: "BCNCUser99", ClientID: docsClientID, Scope: "patient/*.read"}, ErrUnknownMember},
		{"unknown client", MintRequest{Username: "BCNCUser03", ClientID: "nope", Scope: "patient/*.read"}, ErrUnknownClient},
		{"no grantable scope", MintRequest{Username: "BCNCUser03", ClientID: docsClientID, Scope: "read write"}, nil},
		{"representative without a name", MintRequest{Username: "BCNCUser03", ClientID: docsClientID, Scope: "patient/*.read",
			Representative: &consent.Representative{Relationship: consent.RelPOA}}, nil},
		{"unknown relationship", MintRequest{Username: "BCNCUser03", ClientID: docsClientID, Scope: "patient/*.read",
			Representative: &consent.Representative{Relationship: "cousin", FullName: "X"}}, nil},
	} {
		_, err := s.Mint(req, tc.m)
		var perr *Error
		switch {
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		case tc.want == nil && !errors.As(err, &perr):
			t.Errorf("%s: %v, want an *Error", tc.name, err)
		}
	}
}

// TestKeyScopesDoNotOpenEachOther: servers on one signing key but different
// key scopes (workspaces) refuse each other's codes and tokens; the same
// scope opens them, as replicas would.
func TestKeyScopesDoNotOpenEachOther(t *testing.T) {
	a := newServer(t, func(c *Config) { c.KeyScope = "team-a" })
	ea := router(a)
	code := codeFor(t, a, ea, authorizeQuery(nil))
	tr := tokens(t, postForm(ea, IssuerPath+"/token", exchangeForm(code), nil))
	for _, tc := range []struct {
		name  string
		scope string
		opens bool
	}{
		{"the root", "", false},
		{"another scope", "team-b", false},
		{"a scope that extends it", "team-a2", false},
		{"the same scope (a replica)", "team-a", true},
	} {
		s := newServer(t, func(c *Config) { c.KeyScope = tc.scope })
		if _, err := s.Lookup(context.Background(), tr.AccessToken); (err == nil) != tc.opens {
			t.Errorf("%s: the access token opened %v, want %v", tc.name, err == nil, tc.opens)
		}
		e := router(s)
		w := postForm(e, IssuerPath+"/token", refreshForm(tr.RefreshToken), nil)
		if (w.Code == http.StatusOK) != tc.opens {
			t.Errorf("%s: refresh %d", tc.name, w.Code)
		}
	}
}

// TestNotBeforeRefusesOlderValues: a server built in place of a dropped one
// refuses what was minted before NotBefore, and takes what is minted after.
func TestNotBeforeRefusesOlderValues(t *testing.T) {
	old := newServer(t, func(c *Config) { c.KeyScope = "ws" })
	e := router(old)
	code := codeFor(t, old, e, authorizeQuery(nil))
	tr := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
	time.Sleep(2 * time.Millisecond) // NotBefore compares real milliseconds
	s := newServer(t, func(c *Config) { c.KeyScope = "ws"; c.NotBefore = time.Now() })
	e = router(s)
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err == nil {
		t.Error("an access token minted before NotBefore opened")
	}
	wantError(t, postForm(e, IssuerPath+"/token", refreshForm(tr.RefreshToken), nil), http.StatusBadRequest, codeInvalidGrant)
	docsTokens(t, s, e)
}

// TestGrantBookBound: past Limits.Grants the oldest grant is revoked as it
// is forgotten, so no app keeps access the member cannot see.
func TestGrantBookBound(t *testing.T) {
	s := newServer(t, func(c *Config) { c.Limits.Grants = 2 })
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.Host = host
	var minted []tokenResponse
	for range 3 {
		raw, err := s.Mint(req, MintRequest{Username: "BCNCUser04", ClientID: docsClientID, Scope: "patient/*.read", SharePersonal: true})
		if err != nil {
			t.Fatal(err)
		}
		var tr tokenResponse
		json.Unmarshal(raw, &tr)
		minted = append(minted, tr)
	}
	if g, _ := s.Grants("-20140000000024", ""); len(g) != 2 {
		t.Errorf("%d grants kept, want the bound 2", len(g))
	}
	for i, tr := range minted {
		_, err := s.Lookup(context.Background(), tr.AccessToken)
		if (err == nil) != (i > 0) {
			t.Errorf("grant %d: lookup %v; only the oldest must be refused", i, err)
		}
	}
}
