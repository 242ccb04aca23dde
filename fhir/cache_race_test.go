package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/labstack/echo/v4"
)

// editableMember is one member the control API edits while searches read
// it: each edit publishes a new *Member, as the catalog does.
type editableMember struct {
	mu sync.Mutex
	m  *generator.Member
}

// get returns the current member after a short delay: building a member
// takes time (the catalog's builds take milliseconds), and an edit can land
// while a search holds the member it read.
func (em *editableMember) get(id string) (*generator.Member, bool) {
	em.mu.Lock()
	m := em.m
	em.mu.Unlock()
	if id != m.PatientID {
		return nil, false
	}
	time.Sleep(100 * time.Microsecond)
	return m, true
}

// addClaim publishes the member with one more carrier claim.
func (em *editableMember) addClaim(n int) {
	em.mu.Lock()
	defer em.mu.Unlock()
	next := *em.m
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	next.Resources = append(slices.Clone(em.m.Resources), eob(next.PatientID, "carrier", 1000+n, start, start, start))
	em.m = &next
}

// TestCacheNeverKeepsAPageOlderThanAnEdit: three readers search a member
// while five claims are added to it, each followed by Invalidate, as the
// control API does. Once the edits are done, the search must count every
// new claim: a page rendered from the member as it was before an edit must
// not be left in the cache by a search that finished after the edit's
// Invalidate. Thirty trials; before pages carried the member's generation,
// about one in five kept a stale page.
func TestCacheNeverKeepsAPageOlderThanAnEdit(t *testing.T) {
	const trials, readers, edits = 30, 3, 5
	const query = BasePath + "/ExplanationOfBenefit?type=carrier&_count=1"
	grants := testGrants()
	stale := 0
	for trial := range trials {
		em := &editableMember{m: testMembers()[memberMany]}
		api, err := New(Config{
			BaseURL:    func(*http.Request) string { return testBase },
			IssuerPath: "/fhirmember/sps/oauth/oauth20",
			Authorize:  func(_ context.Context, bearer string) (Grant, error) { return grants[bearer], nil },
			Members:    em.get,
		})
		if err != nil {
			t.Fatal(err)
		}
		e := echo.New()
		api.Register(e.Group(BasePath))
		total := func() int {
			r := httptest.NewRequest(http.MethodGet, query, nil)
			r.Header.Set("Authorization", "Bearer v1-all")
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			var b struct{ Total int }
			if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &b) != nil {
				t.Errorf("search: %d %.200s", w.Code, w.Body)
			}
			return b.Total
		}

		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range readers {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						total()
					}
				}
			})
		}
		for i := range edits {
			time.Sleep(300 * time.Microsecond)
			em.addClaim(trial*edits + i)
			api.Invalidate(memberMany)
		}
		close(stop)
		wg.Wait()
		if got := total(); got != 44+edits {
			stale++
			t.Logf("trial %d: total %d after the edits, want %d", trial, got, 44+edits)
		}
	}
	if stale > 0 {
		t.Errorf("%d of %d trials kept a page rendered before an edit", stale, trials)
	}
}
