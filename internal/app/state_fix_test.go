package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// docsForm posts form to the token or revocation endpoint as the docs'
// client and returns the status and the token answer.
func docsForm(t *testing.T, ep endpoint, path string, form url.Values) (int, tokenResponse) {
	t.Helper()
	form.Set("client_id", docsClientID)
	form.Set("client_secret", docsClientSecret)
	status, _, raw := ep.send(t, http.MethodPost, issuerPath+path, hdr("Content-Type", formType), form.Encode())
	var tr tokenResponse
	if len(raw) > 0 {
		json.Unmarshal(raw, &tr)
	}
	return status, tr
}

// TestResetRevivesNothing spends a code, rotates a refresh token and
// revokes an access token; then moves the sandbox clock 800 hours ahead,
// lets a token request sweep the store, and resets the clock. Nothing comes
// back: the code, the rotated refresh token and the revoked access token
// stay refused. Tokens minted while the clock ran ahead are refused once it
// is set back, rather than living 800 hours longer than their lifetime.
func TestResetRevivesNothing(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	code := srv.mintCode(t, docsApp, "BCNCUser03", nil)
	s, first := srv.docsTokenCall(t, code, docsRedir)
	if s != http.StatusOK {
		t.Fatalf("redeem: %d %+v", s, first)
	}
	if s, _ := docsForm(t, srv.endpoint, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}); s != http.StatusOK {
		t.Fatalf("rotate: %d", s)
	}
	if s, _ := docsForm(t, srv.endpoint, "/revoke", url.Values{"token": {first.AccessToken}}); s != http.StatusOK {
		t.Fatalf("revoke: %d", s)
	}
	read := fhirPath + "/Patient/" + first.Patient
	if s, _ := srv.get(t, read, first.AccessToken); s != http.StatusUnauthorized {
		t.Fatalf("revoked token before the clock moved: %d, want 401", s)
	}

	if s, body := srv.controlPost(t, "/sandbox/clock", `{"advance": "800h"}`); s != http.StatusOK {
		t.Fatalf("advance: %d %s", s, body)
	}
	s, ahead := srv.docsTokenCall(t, srv.mintCode(t, docsApp, "BCNCUser03", nil), docsRedir) // sweeps the store
	if s != http.StatusOK {
		t.Fatalf("redeem while ahead: %d %+v", s, ahead)
	}
	if s, _ := srv.get(t, read, ahead.AccessToken); s != http.StatusOK {
		t.Fatalf("a token minted while ahead, used while ahead: %d", s)
	}
	if s, body := srv.controlPost(t, "/sandbox/reset", ""); s != http.StatusOK {
		t.Fatalf("reset: %d %s", s, body)
	}

	if s, _ := srv.get(t, read, first.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("the revoked access token after the reset: %d, want 401", s)
	}
	if s, _ := docsForm(t, srv.endpoint, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}); s != http.StatusBadRequest {
		t.Errorf("the rotated refresh token after the reset: %d, want 400", s)
	}
	if s, tr := srv.docsTokenCall(t, code, docsRedir); s != http.StatusBadRequest || tr.Error != "invalid_grant" {
		t.Errorf("the redeemed code after the reset: %d %q, want 400 invalid_grant", s, tr.Error)
	}
	if s, _ := srv.get(t, read, ahead.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("an access token minted 800 h ahead, after the reset: %d, want 401", s)
	}
	if s, _ := docsForm(t, srv.endpoint, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ahead.RefreshToken}}); s != http.StatusBadRequest {
		t.Errorf("a refresh token minted 800 h ahead, after the reset: %d, want 400", s)
	}
	// The sandbox still works at real time.
	if s, tr := srv.docsTokenCall(t, srv.mintCode(t, docsApp, "BCNCUser03", nil), docsRedir); s != http.StatusOK || !strings.HasPrefix(tr.TokenType, "Bearer") {
		t.Errorf("a new code after the reset: %d %+v", s, tr)
	}
}
