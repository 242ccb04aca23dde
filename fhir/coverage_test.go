package fhir

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// Coverage takes patient as well as beneficiary (README, "FHIR"; R4 Coverage
// defines both on Coverage.beneficiary), and either one bounds the search to
// the token's member: another member is 403, never the caller's own coverage.
func TestCoveragePatientIsTheCompartment(t *testing.T) {
	own, other := memberMany, memberRich
	cases := []struct {
		name   string
		query  string
		status int
	}{
		{"patient another member", "patient=" + other, http.StatusForbidden},
		{"patient another member as reference", "patient=Patient/" + other, http.StatusForbidden},
		{"patient list with another member", "patient=" + own + "," + other, http.StatusForbidden},
		{"patient own beside beneficiary another", "patient=" + own + "&beneficiary=" + other, http.StatusForbidden},
		{"beneficiary another member", "beneficiary=" + other, http.StatusForbidden},
		{"patient own", "patient=" + own, http.StatusOK},
		{"patient own as reference", "patient=Patient/" + own, http.StatusOK},
		{"beneficiary own", "beneficiary=" + own, http.StatusOK},
		{"patient and beneficiary own", "patient=" + own + "&beneficiary=Patient/" + own, http.StatusOK},
	}
	for _, prof := range profile.All() {
		e := testAPI(t, prof)
		for _, tc := range cases {
			t.Run(prof.String()+"/"+tc.name, func(t *testing.T) {
				w := do(t, e, get("/Coverage?"+tc.query, "v1-all"))
				if w.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
				}
				if tc.status != http.StatusOK {
					if !strings.Contains(w.Body.String(), "own patient") {
						t.Errorf("the refusal does not say why: %s", w.Body)
					}
					return
				}
				b := decodeBundle(t, w)
				if got := strings.Join(b.ids(), " "); *b.Total != 1 || got != "part-a"+own {
					t.Errorf("total %d ids %q, want the member's own part-a%s", *b.Total, got, own)
				}
			})
		}
	}
}
