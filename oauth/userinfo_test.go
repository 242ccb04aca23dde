package oauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Userinfo answers at both paths with the docs' fields (OIDC Core §5.3).
func TestUserinfo(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	tr := docsTokens(t, s, e)
	for _, path := range []string{"/v1/connect/userinfo", fhirPath + "/UserInfo"} {
		w := bearerGet(e, path, tr.AccessToken)
		got := getJSON(t, w)
		want := map[string]any{"sub": "BCNCUser03", "preferred_username": "BCNCUser03", "given_name": "Jane", "family_name": "Doe",
			"name": "Jane Doe", "email": "jane@example.com", "created": "2017-11-28", "patient": "-20140000008325",
			"fhirUser": fhirURL + "/Patient/-20140000008325"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", path, k, got[k], v)
			}
		}
	}
	// The scheme is case-insensitive (RFC 9110 §11.1).
	r := httptest.NewRequest(http.MethodGet, "/v1/connect/userinfo", nil)
	r.Header.Set("Authorization", "bearer "+tr.AccessToken)
	if w := serve(e, r); w.Code != http.StatusOK {
		t.Errorf("lower-case bearer: %d", w.Code)
	}
}

// RFC 6750 §3.1: 401 invalid_token for a missing or bad token, 403
// insufficient_scope without profile.
func TestUserinfoErrors(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	noProfile := tokens(t, postForm(e, IssuerPath+"/token",
		exchangeForm(codeFor(t, s, e, authorizeQuery(map[string]string{"scope": "openid patient/*.read"}))), nil))
	refresh := docsTokens(t, s, e).RefreshToken
	tests := []struct {
		name, auth string
		status     int
		code       string
	}{
		{"no header", "", 401, codeInvalidToken},
		{"basic scheme", "Basic " + docsClientID, 401, codeInvalidToken},
		{"garbage", "Bearer garbage", 401, codeInvalidToken},
		{"refresh token as bearer", "Bearer " + refresh, 401, codeInvalidToken},
		{"no profile scope", "Bearer " + noProfile.AccessToken, 403, codeInsufficientScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/v1/connect/userinfo", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := serve(e, r)
			if w.Code != tc.status || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="`+tc.code+`"`) ||
				!strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("status %d, WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
			}
			var body map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["error"] != tc.code {
				t.Errorf("body %s", w.Body)
			}
		})
	}
}
