package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// introspect posts token to /introspect as the docs' client.
func introspectAs(t testing.TB, s *Server, tok string, basic []string) map[string]any {
	t.Helper()
	w := postForm(router(s), IssuerPath+"/introspect", url.Values{"token": {tok}}, basic)
	if w.Code != http.StatusOK {
		t.Fatalf("introspect status %d: %s", w.Code, w.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

var docsAuth = []string{docsClientID, docsClientSecret}

// RFC 7662 §2.2: an active token's fields, and {"active": false} for the rest.
func TestIntrospectFields(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	got := introspectAs(t, s, tr.AccessToken, docsAuth)
	want := map[string]any{"active": true, "client_id": docsClientID, "scope": tr.Scope, "sub": "BCNCUser03",
		"iss": issuerURL, "patient": "-20140000008325", "fhirUser": fhirURL + "/Patient/-20140000008325", "token_type": "Bearer"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if exp, iat := got["exp"].(float64), got["iat"].(float64); exp-iat != 3600 {
		t.Errorf("exp %v iat %v", got["exp"], got["iat"])
	}
	if r := introspectAs(t, s, tr.RefreshToken, docsAuth); r["active"] != true || r["token_type"] != "refresh_token" {
		t.Errorf("refresh token introspection %v", r)
	}
	for name, tok := range map[string]string{"garbage": "nope", "id_token": tr.IDToken} {
		if r := introspectAs(t, s, tok, docsAuth); len(r) != 1 || r["active"] != false {
			t.Errorf("%s: %v, want only active=false", name, r)
		}
	}
	// A public client sees only its own tokens; an unauthenticated caller nothing.
	w := postForm(e, IssuerPath+"/introspect", url.Values{"token": {tr.AccessToken}, "client_id": {publicID}}, nil)
	var r map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || r["active"] != false {
		t.Errorf("a public client introspected another client's token: %v", r)
	}
	wantError(t, postForm(e, IssuerPath+"/introspect", url.Values{"token": {tr.AccessToken}}, []string{docsClientID, "wrong"}), 401, codeInvalidClient)
}

// RFC 7009: revoking an access token ends it at once, for Lookup, userinfo
// and introspection, but not the refresh token.
func TestRevokeAccessToken(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	if w := postForm(e, IssuerPath+"/revoke", url.Values{"token": {tr.AccessToken}}, docsAuth); w.Code != http.StatusOK {
		t.Fatalf("revoke status %d: %s", w.Code, w.Body)
	}
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err == nil {
		t.Error("Lookup accepted a revoked token")
	}
	if w := bearerGet(e, "/v1/connect/userinfo", tr.AccessToken); w.Code != http.StatusUnauthorized {
		t.Errorf("userinfo status %d, want 401", w.Code)
	}
	if r := introspectAs(t, s, tr.AccessToken, docsAuth); r["active"] != false {
		t.Errorf("introspection %v", r)
	}
	tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}, docsAuth))
}

// Revoking a refresh token revokes its grant family (RFC 7009 §2.1).
func TestRevokeRefreshToken(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	form := url.Values{"token": {tr.RefreshToken}, "token_type_hint": {"refresh_token"}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	if w := postForm(e, IssuerPath+"/revoke", form, nil); w.Code != http.StatusOK {
		t.Fatalf("revoke status %d: %s", w.Code, w.Body)
	}
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err == nil {
		t.Error("the access token survived its refresh token's revocation")
	}
	wantError(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}, docsAuth), 400, codeInvalidGrant)
	if r := introspectAs(t, s, tr.RefreshToken, docsAuth); r["active"] != false {
		t.Errorf("introspection %v", r)
	}
}

// Unknown tokens are 200 (RFC 7009 §2.2); another client's token is refused
// and stays valid; the caller must authenticate.
func TestRevokeErrors(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	if w := postForm(e, IssuerPath+"/revoke", url.Values{"token": {"unknown"}}, docsAuth); w.Code != http.StatusOK {
		t.Errorf("unknown token: status %d", w.Code)
	}
	wantError(t, postForm(e, IssuerPath+"/revoke", url.Values{"token": {tr.AccessToken}}, []string{otherID, otherSecret}), 400, codeUnauthorizedClient)
	wantError(t, postForm(e, IssuerPath+"/revoke", url.Values{"token": {tr.AccessToken}}, nil), 401, codeInvalidClient)
	wantError(t, postForm(e, IssuerPath+"/revoke", url.Values{}, docsAuth), 400, codeInvalidRequest)
	if _, err := s.Lookup(context.Background(), tr.AccessToken); err != nil {
		t.Errorf("a refused revocation revoked the token: %v", err)
	}
}
