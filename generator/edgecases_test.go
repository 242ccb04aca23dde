package generator

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// referenceRE finds the literal references of a resource's JSON.
var referenceRE = regexp.MustCompile(`"reference":"([A-Za-z]+/[^"/]+)"`)

// edgeSpec is the spec of the test's member of trait: numbers and ids apart
// from every generated member's.
func edgeSpec(i int, trait EdgeTrait) Spec {
	return Spec{
		Number:    1_000_000_001 + i,
		PatientID: fmt.Sprintf("-4%013d", i+1),
		Edge:      EdgeCase{Trait: trait, FormerPatientID: fmt.Sprintf("-49%012d", i+1)},
	}
}

// withoutStub is m without the former Patient a merged record holds, which
// is a tombstone and no part of the member's story.
func withoutStub(m *Member) *Member {
	out := *m
	out.Resources = nil
	for _, r := range m.Resources {
		if r.Type != "Patient" || r.ID == m.PatientID {
			out.Resources = append(out.Resources, r)
		}
	}
	return &out
}

// TestEdgeCasesTellOneStory: every edge case keeps the rules of
// TestEveryMemberTellsOneStory, refers only to resources it holds, and is
// valid R4 with its profiles, the merged record's former Patient aside,
// which claims none.
func TestEdgeCasesTellOneStory(t *testing.T) {
	g := New(1)
	chk := &ruleChecker{t: t, counts: map[string]int{}}
	ex := exceptionCounts{withCond: map[string]int{}, untreated: map[string]int{}}
	chronic := map[string]bool{"G30": true, "C34": true}
	for _, c := range conditions {
		for _, code := range c.icd10 {
			chronic[family(code.Code)] = true
		}
	}
	ndcRx, treats := drugIndex()
	for i, trait := range EdgeTraits {
		spec := edgeSpec(i, trait)
		m := g.Build(spec)
		rec := parseRecord(t, withoutStub(m))
		// The record of a member who died or left ends with them.
		b := g.builder(spec.withEdge())
		b.drawMember()
		cal := g.cal
		cal.lastService = b.recordEnd()
		if trait == EdgeAdvantageOnly {
			// The rules read entitlement off Part A and expect Part D to pay
			// fills. The payer's record shows neither: entitlement began
			// with the plan, and the plan, an MA-PD, pays the fills.
			short := strings.TrimPrefix(m.PatientID, "-")
			c := rec.coverages["part-c-"+short]
			rec.coverages["part-a-"+short] = recCoverage{"part-a-" + short, "a", c.start}
			rec.coverages["ma-pd"] = recCoverage{"ma-pd", "d", c.start}
			for k := range rec.eobs {
				if rec.eobs[k].typ == "pde" && rec.eobs[k].coverage == c.id {
					rec.eobs[k].coverage = "ma-pd"
				}
			}
		}
		checkRecord(chk, &ex, rec, cal, chronic, ndcRx, treats)
		served, refs := map[string]bool{}, 0
		for _, r := range m.Resources {
			served[r.Type+"/"+r.ID] = true
		}
		for k, r := range m.Resources {
			// Dropping claims (no claims, pharmacy only) leaves no
			// reference to a record that is not served.
			for _, ref := range referenceRE.FindAllStringSubmatch(string(r.JSON), -1) {
				refs++
				if !served[ref[1]] {
					t.Errorf("%s %s/%s refers to %s, which the member does not hold", trait, r.Type, r.ID, ref[1])
				}
			}
			stub := r.Type == "Patient" && r.ID != m.PatientID
			if raceEnabled && k >= 40 {
				continue // see below
			}
			if err := r4check.ValidateResource(r.JSON, !stub); err != nil {
				t.Errorf("%s %s/%s: %v", trait, r.Type, r.ID, err)
			}
			var meta struct{ Meta struct{ LastUpdated string } }
			if err := json.Unmarshal(r.JSON, &meta); err != nil || meta.Meta.LastUpdated != fmtInstant(r.LastUpdated) {
				t.Errorf("%s %s/%s: meta.lastUpdated %q, Resource.LastUpdated %s", trait, r.Type, r.ID, meta.Meta.LastUpdated, fmtInstant(r.LastUpdated))
			}
		}
		if refs == 0 {
			t.Errorf("%s: no references found", trait)
		}
	}
	for rule, n := range chk.counts {
		t.Errorf("rule %s: %d failures", rule, n)
	}
	if raceEnabled {
		// The race detector has nothing to find in validating JSON and
		// makes the 6,000 validations take minutes.
		t.Logf("race detector on: validated each member's first 40 resources only; run without -race to validate all")
	}
}

// TestEdgeCaseTraits checks in the generator's output what each edge case
// is named for; internal/app checks the same through the FHIR API.
func TestEdgeCaseTraits(t *testing.T) {
	asOfs := []time.Time{DefaultAsOf, minAsOf, time.Date(2031, 1, 3, 0, 0, 0, 0, time.UTC)}
	if raceEnabled {
		asOfs = asOfs[:1] // building is single-threaded here; run without -race for the other two
	}
	for _, asOf := range asOfs {
		g := NewAsOf(1, asOf)
		for i, trait := range EdgeTraits {
			t.Run(fmt.Sprintf("%s/%s", fmtDate(asOf), trait), func(t *testing.T) {
				m := g.Build(edgeSpec(i, trait))
				checkEdgeTrait(t, g, m, trait)
			})
		}
	}
}

func checkEdgeTrait(t *testing.T, g *Generator, m *Member, trait EdgeTrait) {
	var eobs, coverages []map[string]any
	var patient map[string]any
	patients := 0
	for _, r := range m.Resources {
		var doc map[string]any
		if err := json.Unmarshal(r.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		switch r.Type {
		case "ExplanationOfBenefit":
			eobs = append(eobs, doc)
		case "Coverage":
			coverages = append(coverages, doc)
		case "Patient":
			patients++
			if r.ID == m.PatientID {
				patient = doc
			}
		}
	}
	str := func(v any) string { s, _ := v.(string); return s }
	lastServiced := func() string {
		last := ""
		for _, e := range eobs {
			if end := str(e["billablePeriod"].(map[string]any)["end"]); end > last {
				last = end
			}
		}
		return last
	}
	if len(coverages) == 0 || patient == nil {
		t.Fatalf("%d Coverage, Patient %v", len(coverages), patient != nil)
	}
	switch trait {
	case EdgeDeceased:
		death := str(patient["deceasedDateTime"])
		if len(death) < 10 || patient["deceasedBoolean"] != nil {
			t.Fatalf("deceasedDateTime %q, deceasedBoolean %v", death, patient["deceasedBoolean"])
		}
		if last := lastServiced(); last == "" || last >= death[:10] {
			t.Errorf("last service %s, death %s", last, death)
		}
		for _, c := range coverages {
			if str(c["status"]) != "cancelled" || str(c["period"].(map[string]any)["end"]) != death[:10] {
				t.Errorf("Coverage %s: %s, period %v, death %s", c["id"], c["status"], c["period"], death)
			}
		}
		closed := 0
		for _, r := range m.Resources {
			if s, ok := closedStatus[r.Type]; ok {
				var doc map[string]any
				json.Unmarshal(r.JSON, &doc)
				if doc[s[0]] == "active" {
					t.Errorf("%s/%s still %s active after death", r.Type, r.ID, s[0])
				}
				closed++
			}
		}
		if closed == 0 {
			t.Error("no prescription, care plan, goal or care team to close")
		}
	case EdgeTerminated:
		lastYear := fmt.Sprint(g.AsOf().Year() - 1)
		for _, c := range coverages {
			end := str(c["period"].(map[string]any)["end"])
			if str(c["status"]) != "cancelled" || !strings.HasPrefix(end, lastYear) {
				t.Errorf("Coverage %s: %s, period %v", c["id"], c["status"], c["period"])
			}
			if last := lastServiced(); last == "" || last > end {
				t.Errorf("last service %s after coverage ended %s", last, end)
			}
		}
	case EdgeNoClaims:
		if len(eobs) != 0 {
			t.Errorf("%d EOBs", len(eobs))
		}
	case EdgeMerged:
		if patients != 2 || !strings.Contains(fmt.Sprint(patient["identifier"]), "use:old") ||
			!strings.Contains(fmt.Sprint(patient["link"]), "Patient/"+formerOf(m)) {
			t.Errorf("%d Patients; identifier %v; link %v", patients, patient["identifier"], patient["link"])
		}
	case EdgeMinor:
		birth, _ := time.Parse(time.DateOnly, str(patient["birthDate"]))
		if !birth.AddDate(18, 0, 0).After(g.AsOf()) || birth.AddDate(12, 0, 0).After(g.AsOf()) {
			t.Errorf("birthDate %s on %s", birth, fmtDate(g.AsOf()))
		}
	case EdgeManyClaims:
		if len(eobs) != EdgeManyClaimsCount {
			t.Errorf("%d EOBs, want %d", len(eobs), EdgeManyClaimsCount)
		}
	case EdgeAdvantageOnly:
		for _, c := range coverages {
			if code := fmt.Sprint(c["type"]); !strings.Contains(code, "code:112") {
				t.Errorf("Coverage %s type %s", c["id"], code)
			}
		}
	case EdgePharmacyOnly:
		for _, e := range eobs {
			if code := fmt.Sprint(e["type"]); !strings.Contains(code, "code:pharmacy") {
				t.Errorf("EOB %s type %s", e["id"], code)
			}
		}
		if len(eobs) == 0 {
			t.Error("no EOBs")
		}
	case EdgeUpdatedAfter:
		for _, r := range m.Resources {
			if !r.LastUpdated.After(UpdatedAfterInstant) {
				t.Errorf("%s/%s updated %s", r.Type, r.ID, fmtInstant(r.LastUpdated))
			}
		}
	}
}

func formerOf(m *Member) string {
	for _, r := range m.Resources {
		if r.Type == "Patient" && r.ID != m.PatientID {
			return r.ID
		}
	}
	return "none"
}
