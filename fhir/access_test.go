package fhir

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// TestAccess: 401 for no or bad tokens (RFC 6750 §3.1), 403 for a missing
// SMART scope (v1 and v2 spellings) or no patient context, then the
// compartment's 404.
func TestAccess(t *testing.T) {
	eobRead := "/ExplanationOfBenefit/carrier-0"
	eobSearch := "/ExplanationOfBenefit?type=inpatient"
	cases := []struct {
		name, target, auth string // auth is the whole Authorization header
		status             int
		wwwAuth            string // exact WWW-Authenticate when set
	}{
		{"no token", eobSearch, "", 401, `Bearer realm="fhir"`},
		{"no token on read", eobRead, "", 401, `Bearer realm="fhir"`},
		{"unknown token", eobSearch, "Bearer " + unknownToken, 401, `Bearer realm="fhir", error="invalid_token", error_description="the access token is malformed, expired or revoked"`},
		{"basic scheme", eobSearch, "Basic dXNlcjpwYXNz", 401, `Bearer realm="fhir", error="invalid_token", error_description="the access token is malformed, expired or revoked"`},
		{"bearer without token", eobSearch, "Bearer", 401, ""},
		{"bearer with bad characters", eobSearch, "Bearer a,b", 401, ""},
		{"lower-case scheme works", eobSearch, "bearer v1-all", 200, ""},
		{"v1 *.read read", eobRead, "Bearer v1-all", 200, ""},
		{"v1 type.read search", eobSearch, "Bearer v1-eob", 200, ""},
		{"v1 type.read other type", "/Patient/" + memberMany, "Bearer v1-eob", 403, `Bearer realm="fhir", error="insufficient_scope"`},
		{"v1 write is not read", eobRead, "Bearer v1-write", 403, ""},
		{"v2 .r reads", eobRead, "Bearer v2-eob-r", 200, ""},
		{"v2 .r does not search", eobSearch, "Bearer v2-eob-r", 403, ""},
		{"v2 .s searches", eobSearch, "Bearer v2-eob-s", 200, ""},
		{"v2 .s does not read", eobRead, "Bearer v2-eob-s", 403, ""},
		{"v2 .rs reads", eobRead, "Bearer v2-eob-rs", 200, ""},
		{"v2 .rs searches", eobSearch, "Bearer v2-eob-rs", 200, ""},
		{"v2 *.rs any type", "/Coverage", "Bearer v2-all-rs", 200, ""},
		{"v2 *.cruds", eobRead, "Bearer v2-cruds", 200, ""},
		{"v2 letters out of order", eobRead, "Bearer v2-bad-perm", 403, ""},
		{"granular scope not honoured", eobSearch, "Bearer granular", 403, ""},
		{"declined personal info: Patient 403", "/Patient/" + memberMany, "Bearer no-patient-scope", 403, ""},
		{"declined personal info: Coverage ok", "/Coverage", "Bearer no-patient-scope", 200, ""},
		{"no patient context", eobSearch, "Bearer no-context", 403, ""},
		{"scope checked before the compartment", "/Patient/" + memberRich, "Bearer v1-eob", 403, ""},
		{"compartment after scope", "/Patient/" + memberRich, "Bearer v1-all", 404, ""},
		{"metadata needs no token", "/metadata", "", 200, ""},
	}
	e := testAPI(t, profile.BCBSNC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, BasePath+tc.target, nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			checkBody(t, w)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			got := w.Header().Get("WWW-Authenticate")
			if tc.status == 401 && !strings.HasPrefix(got, "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", got)
			}
			if tc.status == 401 && tc.auth != "" && !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("bad token without invalid_token: %q", got)
			}
			if tc.wwwAuth != "" && got != tc.wwwAuth {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.wwwAuth)
			}
		})
	}
}

func TestScopeAllows(t *testing.T) {
	cases := []struct {
		scope, typ string
		i          interaction
		want       bool
	}{
		{"patient/*.read", "Coverage", interactionSearch, true},
		{"user/Coverage.read", "Coverage", interactionRead, true},
		{"patient/*.*", "Coverage", interactionRead, true},
		{"system/*.read", "Coverage", interactionRead, false},
		{"patient/Coverage.read", "Patient", interactionRead, false},
		{"patient/Coverage.rs", "Coverage", interactionSearch, true},
		{"patient/Coverage.crs", "Coverage", interactionRead, true},
		{"patient/Coverage.rr", "Coverage", interactionRead, false},
		{"patient/Coverage.", "Coverage", interactionRead, false},
		{"patient/Coverage", "Coverage", interactionRead, false},
		{"patient/.r", "Coverage", interactionRead, false},
		{"read", "Coverage", interactionRead, false},
		{"openid", "Coverage", interactionRead, false},
	}
	for _, tc := range cases {
		if got := scopeAllows(tc.scope, tc.typ, tc.i); got != tc.want {
			t.Errorf("scopeAllows(%q, %q, %v) = %v, want %v", tc.scope, tc.typ, tc.i, got, tc.want)
		}
	}
}
