package app

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sameBytesVariants returns the other spellings of s that a lenient
// base64url decoder reads as the same bytes: when len(s) % 4 is 2 or 3,
// the last character carries 4 or 2 unused low bits (RFC 4648 §3.5).
func sameBytesVariants(s string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	want, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || s == "" {
		return nil
	}
	var out []string
	for _, c := range alphabet {
		v := s[:len(s)-1] + string(c)
		if got, err := base64.RawURLEncoding.DecodeString(v); v != s && err == nil && string(got) == string(want) {
			out = append(out, v)
		}
	}
	return out
}

// TestTokensAreCanonical: an access token, a refresh token or a code is
// accepted only as the exact string the server issued. Before the fix, the
// sealed values were decoded leniently, so changing a token's last
// character within its unused bits (RFC 4648 §3.5: "canonical encoding")
// gave a different string that still read Patient data; the soak caught it
// when a test's "tampered" token was accepted about once in 256 flows.
func TestTokensAreCanonical(t *testing.T) {
	env := newHostileEnv(t)
	var tok tokenResponse
	var code string
	// A sealed value's length follows what it holds, so each try asks for a
	// different scope: some length leaves unused bits in the last character.
	extraScopes := []string{"patient/Coverage.read", "patient/Condition.read", "patient/Immunization.read", "patient/Observation.read"}
	for i := 0; i < 40 && (len(sameBytesVariants(tok.AccessToken)) == 0 || len(sameBytesVariants(code)) == 0); i++ {
		scope := "openid fhirUser profile offline_access patient/Patient.read"
		for j, s := range extraScopes {
			if i&(1<<j) != 0 {
				scope += " " + s
			}
		}
		c := env.auto.mintCode(t, docsApp, "BCNCUser03", url.Values{"scope": {scope}})
		if len(sameBytesVariants(code)) == 0 {
			code = c
			continue
		}
		tok = env.redeem(t, docsApp, c)
	}
	if len(sameBytesVariants(tok.AccessToken)) == 0 || len(sameBytesVariants(code)) == 0 {
		t.Fatal("no token with unused bits in 40 tries")
	}
	for _, v := range sameBytesVariants(tok.AccessToken) {
		if s, body := env.get(t, fhirPath+"/Patient/"+tok.Patient, v); s != http.StatusUnauthorized {
			t.Fatalf("a re-spelled access token read the Patient: %d %s", s, truncate(string(body), 100))
		}
		if s, _, body := env.send(t, http.MethodGet, "/v1/connect/userinfo", hdr("Authorization", "Bearer "+v), ""); s != http.StatusUnauthorized {
			t.Fatalf("a re-spelled access token read userinfo: %d %s", s, body)
		}
	}
	for _, v := range sameBytesVariants(code) {
		status, _, raw := env.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {v}, "redirect_uri": {docsRedir},
			"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, "")
		if status != http.StatusBadRequest || !strings.Contains(raw, "invalid_grant") {
			t.Fatalf("a re-spelled code: %d %s, want invalid_grant", status, raw)
		}
	}
	// The genuine ones still work, and the code was not spent by the tries.
	if s, body := env.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken); s != http.StatusOK {
		t.Fatalf("the genuine token: %d %s", s, truncate(string(body), 100))
	}
	env.redeem(t, docsApp, code)
}
