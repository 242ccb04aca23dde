package fhir

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// TestRead covers reads: the member's own resources, the compartment (another
// member's resource and unknown ids are 404 alike) and id syntax.
func TestRead(t *testing.T) {
	cases := []struct {
		name, target, token string
		status              int
		wantID              string
	}{
		{"own Patient", "/Patient/" + memberMany, "v1-all", 200, memberMany},
		{"own Coverage", "/Coverage/part-a" + memberMany, "v1-all", 200, "part-a" + memberMany},
		{"own EOB", "/ExplanationOfBenefit/carrier-0", "v1-all", 200, "carrier-0"},
		{"own EOB with _format", "/ExplanationOfBenefit/pde-1?_format=json", "v1-all", 200, "pde-1"},
		{"bad _format on read", "/ExplanationOfBenefit/pde-1?_format=text/html", "v1-all", 400, ""},
		{"referenced Practitioner", "/Practitioner/prac-1", "v1-all", 200, "prac-1"},
		{"referenced Organization", "/Organization/org-1", "v1-all", 200, "org-1"},
		{"clinical Observation", "/Observation/obs-1", "v1-all-rich", 200, "obs-1"},
		{"clinical Encounter", "/Encounter/enc-1", "v1-all-rich", 200, "enc-1"},
		{"another member's Patient", "/Patient/" + memberRich, "v1-all", 404, ""},
		{"another member's Observation", "/Observation/obs-1", "v1-all", 404, ""},
		{"another member's Practitioner", "/Practitioner/prac-9", "v1-all", 404, ""},
		{"unknown id", "/ExplanationOfBenefit/carrier-999", "v1-all", 404, ""},
		{"id of another type", "/Coverage/carrier-0", "v1-all", 404, ""},
		{"id with bad characters", "/Patient/a_b", "v1-all", 404, ""},
		{"id too long", "/Patient/" + strings.Repeat("1", 65), "v1-all", 404, ""},
		{"sub-path under an id", "/Patient/" + memberMany + "/_history", "v1-all", 404, ""},
		{"member gone", "/Patient/-1", "gone", 404, ""},
	}
	e := testAPI(t, profile.BCBSNC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, e, get(tc.target, tc.token))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != 200 {
				return
			}
			var r struct{ ResourceType, ID string }
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || r.ID != tc.wantID {
				t.Fatalf("read %s: %v %s", tc.target, err, w.Body)
			}
			if w.Header().Get("Content-Type") != contentFHIR || w.Header().Get("Last-Modified") == "" {
				t.Errorf("headers %v", w.Header())
			}
		})
	}
}

// TestRoutes: unknown types and paths are 404s, wrong methods 405s, both in
// the profile's shape; preflights answer with CORS.
func TestRoutes(t *testing.T) {
	cases := []struct {
		name    string
		profile profile.Profile
		rq      request
		status  int
		code    string // OperationOutcome issue code in strict
	}{
		{"unknown type", profile.BCBSNC, get("/Claim?patient=x", "v1-all"), 404, ""},
		{"unknown type read", profile.BCBSNC, get("/Claim/1", "v1-all"), 404, ""},
		{"the base itself", profile.BCBSNC, get("", "v1-all"), 404, ""},
		{"the base slash", profile.BCBSNC, get("/", "v1-all"), 404, ""},
		{"a subpath of a search is no route", profile.BCBSNC, get("/Practitioner/prac-1/history", "v1-all"), 404, ""},
		{"unknown type strict", profile.Strict, get("/Claim", "v1-all"), 404, "not-found"},
		{"POST on a read", profile.BCBSNC, request{method: http.MethodPost, target: "/Patient/" + memberMany, token: "v1-all"}, 405, ""},
		{"DELETE on a read strict", profile.Strict, request{method: http.MethodDelete, target: "/Patient/" + memberMany, token: "v1-all"}, 405, "not-supported"},
		{"PUT on a search", profile.BCBSNC, request{method: http.MethodPut, target: "/ExplanationOfBenefit", token: "v1-all"}, 405, ""},
		{"GET on _search", profile.BCBSNC, get("/ExplanationOfBenefit/_search", "v1-all"), 405, ""},
		{"POST on metadata", profile.BCBSNC, request{method: http.MethodPost, target: "/metadata"}, 405, ""},
		{"preflight on a search", profile.BCBSNC, request{method: http.MethodOptions, target: "/ExplanationOfBenefit"}, 204, ""},
		{"preflight on a read", profile.BCBSNC, request{method: http.MethodOptions, target: "/Patient/1"}, 204, ""},
		{"preflight on _search", profile.BCBSNC, request{method: http.MethodOptions, target: "/Observation/_search"}, 204, ""},
	}
	apis := map[profile.Profile]*echo.Echo{profile.BCBSNC: testAPI(t, profile.BCBSNC), profile.Strict: testAPI(t, profile.Strict)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, apis[tc.profile], tc.rq)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status == 405 && w.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if tc.status == 204 && !strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight headers %v", w.Header())
			}
			if tc.code != "" && !strings.Contains(w.Body.String(), `"code":"`+tc.code+`"`) {
				t.Errorf("strict body %s, want code %s", w.Body, tc.code)
			}
		})
	}
}

// TestCatchAllLeavesOtherRoutes: the oauth package's routes under the base
// still win over the catch-all, and their preflight gets CORS from it.
func TestCatchAllLeavesOtherRoutes(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	e.GET(BasePath+"/UserInfo", func(c echo.Context) error { return c.String(http.StatusTeapot, "oauth") })
	w := do(t, e, request{method: http.MethodOptions, target: "/UserInfo"})
	if w.Code != http.StatusNoContent {
		t.Errorf("preflight of UserInfo: %d", w.Code)
	}
	r := httptest.NewRequest(http.MethodGet, BasePath+"/UserInfo", nil)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	if rec.Code != http.StatusTeapot {
		t.Errorf("GET UserInfo reached %d, not the oauth handler", rec.Code)
	}
}
