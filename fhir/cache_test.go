package fhir

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// TestInvalidate: pages are served from the cache until the member is
// invalidated, then rendered from the member's new resources.
func TestInvalidate(t *testing.T) {
	members := testMembers()
	api, e := newTestAPI(t, profile.BCBSNC, members)
	q := get("/ExplanationOfBenefit?type=inpatient", "v1-all")
	before := do(t, e, q).Body.String()

	m := members[memberMany]
	for i := range m.Resources {
		if m.Resources[i].ID == "inpatient-2" {
			m.Resources[i].ClaimType = "snf" // an edit the control API could make
		}
	}
	if got := do(t, e, q).Body.String(); got != before {
		t.Fatal("the cache did not serve the page again")
	}
	api.Invalidate(memberMany)
	b := decodeBundle(t, do(t, e, q))
	if *b.Total != 0 {
		t.Fatalf("after Invalidate total %d, want 0", *b.Total)
	}
}

// TestPageCacheBounded: the cache keeps to its byte budget, evicting the
// least recently used page, and drops only the invalidated member's pages.
func TestPageCacheBounded(t *testing.T) {
	c := newPageCache(1616) // sixteen one-byte keys with their pages
	page := []byte(strings.Repeat("x", 100))
	for i := range 20 {
		c.put(string(rune('a'+i)), "m1", 0, page)
	}
	if c.size != 1616 || c.lru.Len() != 16 {
		t.Fatalf("size %d, %d pages", c.size, c.lru.Len())
	}
	if _, ok := c.get([]byte("a")); ok {
		t.Error("the oldest page survived")
	}
	if _, ok := c.get([]byte("t")); !ok {
		t.Error("the newest page was evicted")
	}
	c.put("big", "m2", 0, make([]byte, 200)) // over a sixteenth of the budget
	if _, ok := c.get([]byte("big")); ok {
		t.Error("an oversized page was kept")
	}
	c.put("z", "m2", 0, page)
	c.invalidate("m1")
	if _, ok := c.get([]byte("z")); !ok || c.lru.Len() != 1 || c.size != 101 {
		t.Errorf("invalidate m1 left %d pages, %d bytes", c.lru.Len(), c.size)
	}
}

// TestStrictErrors: every error status comes as an OperationOutcome in the
// strict profile, with the issue code that names it.
func TestStrictErrors(t *testing.T) {
	e := testAPI(t, profile.Strict)
	cases := []struct {
		name   string
		rq     request
		status int
		code   string
	}{
		{"401", get("/Patient/"+memberMany, ""), 401, "security"},
		{"401 bad token", get("/Patient/"+memberMany, unknownToken), 401, "security"},
		{"403 scope", get("/Patient/"+memberMany, "v1-eob"), 403, "forbidden"},
		{"403 other member", get("/Patient?_id="+memberRich, "v1-all"), 403, "forbidden"},
		{"404", get("/Patient/"+memberRich, "v1-all"), 404, "not-found"},
		{"400", get("/Patient?_count=x", "v1-all"), 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, e, tc.rq)
			if w.Code != tc.status || w.Header().Get("Content-Type") != contentFHIR ||
				!strings.Contains(w.Body.String(), `"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"`+tc.code+`"`) {
				t.Errorf("%d %s", w.Code, w.Body)
			}
		})
	}
}

// TestCachedPagesKeepEveryCheck: a page answered from the cache is the page
// its request would render, and the cache never lets a request past a check
// it would fail: another member's token sending the same query string, or
// strict handling of a query that lenient handling answered.
func TestCachedPagesKeepEveryCheck(t *testing.T) {
	api, e := newTestAPI(t, profile.BCBSNC, testMembers())
	byMany := "/ExplanationOfBenefit?patient=" + memberMany + "&_count=5&unknown=1"

	first := do(t, e, get(byMany, "v1-all"))
	if first.Code != 200 || api.pages.lru.Len() != 1 {
		t.Fatalf("first search: %d, %d cached pages", first.Code, api.pages.lru.Len())
	}
	if again := do(t, e, get(byMany, "v1-all")); again.Body.String() != first.Body.String() || api.pages.lru.Len() != 1 {
		t.Fatalf("the repeated search was not the cached page (%d cached pages)", api.pages.lru.Len())
	}
	api.pages = nil // render afresh: the cached page must be what rendering gives
	if fresh := do(t, e, get(byMany, "v1-all")); fresh.Body.String() != first.Body.String() {
		t.Fatal("the cached page differs from a fresh render")
	}

	_, e = newTestAPI(t, profile.BCBSNC, testMembers())
	do(t, e, get(byMany, "v1-all"))
	if w := do(t, e, get(byMany, "v1-all-rich")); w.Code != http.StatusForbidden {
		t.Errorf("another member's token with the cached query string: %d, want 403", w.Code)
	}
	implicit := "/ExplanationOfBenefit?_count=5"
	many := decodeBundle(t, do(t, e, get(implicit, "v1-all")))
	rich := decodeBundle(t, do(t, e, get(implicit, "v1-all-rich")))
	if *many.Total == *rich.Total || !strings.Contains(many.Link[0].URL, memberMany) || !strings.Contains(rich.Link[0].URL, memberRich) {
		t.Errorf("one query string, two members: totals %d and %d, self links %s and %s",
			*many.Total, *rich.Total, many.Link[0].URL, rich.Link[0].URL)
	}

	r := httptest.NewRequest(http.MethodGet, BasePath+byMany, nil)
	r.Header.Set("Authorization", "Bearer v1-all")
	r.Header.Set("Prefer", "handling=strict")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("strict handling of a query lenient handling cached: %d, want 400", w.Code)
	}
}
