package generator

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// firstMembers builds the first 200 generated members (numbers 6..205,
// number 6 rich as BCNCUser06 is) with seed 1.
func firstMembers(g *Generator) []*Member {
	count := 200
	if raceEnabled {
		// Building and reading members is single-threaded here: the race
		// detector finds nothing and makes it ten times slower. .ci/run
		// runs this package again without -race, over all 200.
		count = 30
	}
	out := make([]*Member, 0, count)
	for n := 6; n < 6+count; n++ {
		out = append(out, g.Build(Spec{Number: n, Rich: n == 6}))
	}
	return out
}

// seed1Members is built once and shared by the tests that walk it.
var seed1Members = sync.OnceValue(func() []*Member { return firstMembers(New(1)) })

// TestResourcesAreValidR4 checks every resource of the first 200 members
// with google/fhir/go (base R4 plus no empty values, meta.lastUpdated and
// meta.profile present), and that Type+ID is unique across all of them.
func TestResourcesAreValidR4(t *testing.T) {
	if testing.Short() {
		t.Skip("validating 200 members is slow")
	}
	members := seed1Members()
	if raceEnabled {
		// Under -race the 21,000 validations take about ten minutes, the
		// default test timeout; the race detector has nothing to find in
		// them, so it validates the first 20 members and says so.
		members = members[:20]
		t.Logf("race detector on: validating members 6..25 only; run without -race to validate all 200")
	}
	seen := map[string][]byte{}
	for _, m := range members {
		for _, r := range m.Resources {
			key := r.Type + "/" + r.ID
			if prev, dup := seen[key]; dup {
				// The directory types are shared between members,
				// but must then be byte-identical.
				if sharedTypes[r.Type] && string(prev) == string(r.JSON) {
					continue
				}
				t.Fatalf("%s: duplicate %s", m.PatientID, key)
			}
			seen[key] = r.JSON
			if err := r4check.ValidateResource(r.JSON, true); err != nil {
				t.Fatalf("%s %s: %v\n%s", m.PatientID, key, err, r.JSON)
			}
			var head struct {
				ResourceType, ID string
			}
			if err := json.Unmarshal(r.JSON, &head); err != nil || head.ResourceType != r.Type || head.ID != r.ID {
				t.Fatalf("%s: JSON says %s/%s (%v)", key, head.ResourceType, head.ID, err)
			}
		}
	}
	t.Logf("validated %d distinct resources", len(seen))
}

// sharedTypes are the types whose resources are a pure function of their
// id, served alike to every member that references them.
var sharedTypes = map[string]bool{"Practitioner": true, "Organization": true, "Medication": true, "Location": true, "PractitionerRole": true}
