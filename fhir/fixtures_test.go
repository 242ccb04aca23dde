package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// catalogAPI serves the real catalog (the docs' fixtures and generated
// members); the token "member.{id}" holds patient/*.read for member id.
func catalogAPI(t testing.TB) (*echo.Echo, *fixtures.Catalog) {
	t.Helper()
	cat := fixtures.NewCatalog(1, 100)
	api, err := New(Config{
		BaseURL:    func(*http.Request) string { return testBase },
		IssuerPath: "/fhirmember/sps/oauth/oauth20",
		Authorize: func(_ context.Context, bearer string) (Grant, error) {
			id, ok := strings.CutPrefix(bearer, "member.")
			if !ok {
				return Grant{}, errors.New("unknown token")
			}
			return Grant{Patient: id, Scopes: []string{"patient/*.read"}}, nil
		},
		Members: cat.Member,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	api.Register(e.Group(BasePath))
	return e, cat
}

// TestFixtureBodiesValid reads every resource of the docs' four accounts and
// walks every search of every type, validating each body as R4 (do checks
// it) and checking that searches find exactly the member's resources.
func TestFixtureBodiesValid(t *testing.T) {
	e, cat := catalogAPI(t)
	for n := 3; n <= 6; n++ {
		user := fmt.Sprintf("BCNCUser%02d", n)
		t.Run(user, func(t *testing.T) {
			m, ok := cat.ByUsername(user)
			if !ok {
				t.Fatalf("%s missing from the catalog", user)
			}
			token := "member." + m.PatientID
			want := map[string]int{}
			for _, r := range m.Resources {
				want[r.Type]++
				w := do(t, e, get("/"+r.Type+"/"+r.ID, token))
				if w.Code != http.StatusOK {
					t.Fatalf("read %s/%s: %d %s", r.Type, r.ID, w.Code, w.Body)
				}
			}
			for _, rt := range resourceTypes() {
				if len(rt.Params) == 0 {
					continue
				}
				got := 0
				for next := fhirBase + "/" + rt.Name + "?_count=50"; next != ""; {
					b := decodeBundle(t, do(t, e, get(next, token)))
					if *b.Total != want[rt.Name] {
						t.Fatalf("%s total %d, want %d", rt.Name, *b.Total, want[rt.Name])
					}
					got += len(b.Entry)
					next = b.link("next")
				}
				if got != want[rt.Name] {
					t.Errorf("%s: walked %d, want %d", rt.Name, got, want[rt.Name])
				}
			}
		})
	}
}

// TestDocsExamples replays the docs' queries against the docs' fixtures.
func TestDocsExamples(t *testing.T) {
	e, cat := catalogAPI(t)
	cases := []struct {
		name, target, patient string
		total                 int
	}{
		{"EOB of BCNCUser04", "/ExplanationOfBenefit/", memberMany, 148},
		{"carrier", "/ExplanationOfBenefit/?type=carrier", memberMany, 44},
		{"carrier coded", "/ExplanationOfBenefit/?type=" + eobTypeSys + "|carrier", memberMany, 44},
		{"inpatient", "/ExplanationOfBenefit/?type=inpatient", memberMany, 1},
		{"inpatient typo system", "/ExplanationOfBenefit/?type=" + eobTypeSysTypo + "|inpatient", memberMany, 1},
		{"pde", "/ExplanationOfBenefit/?type=pde", memberMany, 103},
		{"pde coded", "/ExplanationOfBenefit/?type=" + eobTypeSys + "|pde", memberMany, 103},
		{"Patient _lastUpdated", "/Patient?_id=" + memberDates + "&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir", memberDates, 1},
		{"Patient _lastUpdated before", "/Patient?_id=" + memberDates + "&_lastUpdated=lt2020-02-13T08:00:00-05:00", memberDates, 0},
		{"Coverage of BCNCUser03", "/Coverage/?beneficiary=" + memberRich, memberRich, -1}, // -1: all the member's
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := decodeBundle(t, do(t, e, get(tc.target, "member."+tc.patient)))
			if tc.total < 0 {
				m, _ := cat.Member(tc.patient)
				typ := strings.Trim(tc.target[:strings.IndexByte(tc.target, '?')], "/")
				tc.total = 0
				for _, r := range m.Resources {
					if r.Type == typ {
						tc.total++
					}
				}
				if tc.total == 0 {
					t.Fatalf("the fixture has no %s", typ)
				}
			}
			if *b.Total != tc.total {
				t.Fatalf("total %d, want %d", *b.Total, tc.total)
			}
		})
	}
	// The docs' EOB, by id.
	if w := do(t, e, get("/ExplanationOfBenefit/carrier-22011027731", "member."+memberRich)); w.Code != 200 {
		t.Errorf("the docs' EOB: %d", w.Code)
	}
}

// TestWalkGenerated walks a member built straight from the generator with
// the docs' claim counts: every EOB once, per-type totals as specified.
func TestWalkGenerated(t *testing.T) {
	m := generator.New(1).Build(generator.Spec{Number: 4, PatientID: memberMany,
		ClaimCounts: map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}})
	_, e := newTestAPI(t, profile.BCBSNC, map[string]*generator.Member{memberMany: m})
	want := map[string]bool{}
	for _, r := range m.Resources {
		if r.Type == "ExplanationOfBenefit" {
			want[r.ID] = true
		}
	}
	seen := map[string]bool{}
	for next := fhirBase + "/ExplanationOfBenefit?_count=10"; next != ""; {
		b := decodeBundle(t, do(t, e, get(next, "v1-all")))
		for _, id := range b.ids() {
			if seen[id] || !want[id] {
				t.Fatalf("%s duplicated or not the member's", id)
			}
			seen[id] = true
		}
		next = b.link("next")
	}
	if len(seen) != 148 || len(want) != 148 {
		t.Fatalf("walked %d of %d", len(seen), len(want))
	}
	for ct, n := range map[string]int{"carrier": 44, "inpatient": 1, "pde": 103, "snf": 0} {
		b := decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?_count=0&type="+ct, "v1-all")))
		if *b.Total != n {
			t.Errorf("%s: %d, want %d", ct, *b.Total, n)
		}
	}
}
