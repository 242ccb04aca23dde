package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// TestFrozenAccountServesUSCore: BCNCUser06, a frozen docs' account,
// serves the US Core resources derived from its own records through the
// searches generated members use: each type's search finds some (the
// implant, the PHQ-2 answers, the imaging orders and reports and every
// Observation profile its record supports among them), all of the member
// and valid R4, and _revinclude=Provenance:target on each clinical type
// brings the plan's Provenance of each match; Provenance reads by id.
func TestFrozenAccountServesUSCore(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser06"})
	tok := sb.approvedTokens(t, "BCNCUser06")
	type entry struct {
		Resource json.RawMessage
		Search   struct{ Mode string }
	}
	search := func(t *testing.T, typ string, q url.Values) (total int, entries []entry) {
		t.Helper()
		status, body := sb.get(t, fhirPath+"/"+typ+"?"+q.Encode(), tok.AccessToken)
		if status != http.StatusOK {
			t.Fatalf("%s?%s: %d %s", typ, q.Encode(), status, body)
		}
		if err := r4check.Validate(body); err != nil {
			t.Fatalf("%s?%s: %v", typ, q.Encode(), err)
		}
		var b struct {
			Total int
			Entry []entry
		}
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		return b.Total, b.Entry
	}
	for _, c := range []struct {
		name, typ string
		q         url.Values
	}{
		{"encounter diagnoses", "Condition", url.Values{"patient": {tok.Patient}, "category": {"encounter-diagnosis"}}},
		{"dispenses", "MedicationDispense", url.Values{"patient": {tok.Patient}}},
		{"first fills", "MedicationDispense", url.Values{"patient": {tok.Patient}, "type": {"FF"}}},
		{"lab reports", "DiagnosticReport", url.Values{"patient": {tok.Patient}, "category": {"LAB"}}},
		{"lab orders", "ServiceRequest", url.Values{"patient": {tok.Patient}, "category": {"108252007"}}},
		{"specimens", "Specimen", url.Values{"patient": {tok.Patient}}},
		{"care plans", "CarePlan", url.Values{"patient": {tok.Patient}, "category": {"assess-plan"}}},
		{"care team", "CareTeam", url.Values{"patient": {tok.Patient}, "status": {"active"}}},
		{"care team of internists", "CareTeam", url.Values{"patient": {tok.Patient}, "role": {"http://nucc.org/provider-taxonomy|207R00000X"}}},
		{"clinical notes", "DocumentReference", url.Values{"patient": {tok.Patient}, "category": {"clinical-note"}}},
		{"discharge summaries", "DocumentReference", url.Values{"patient": {tok.Patient}, "type": {"http://loinc.org|18842-5"}}},
		{"goals", "Goal", url.Values{"patient": {tok.Patient}, "lifecycle-status": {"active"}}},
		{"implants", "Device", url.Values{"patient": {tok.Patient}, "type": {"http://snomed.info/sct|304120007"}}},
		{"questionnaire answers", "QuestionnaireResponse", url.Values{"patient": {tok.Patient}, "status": {"completed"}}},
		{"PHQ-2 answers", "QuestionnaireResponse", url.Values{"patient": {tok.Patient}, "questionnaire": {"http://loinc.org/q/55757-9"}}},
		{"imaging orders", "ServiceRequest", url.Values{"patient": {tok.Patient}, "category": {"363679005"}}},
		{"imaging reports", "DiagnosticReport", url.Values{"patient": {tok.Patient}, "category": {"http://loinc.org|LP29708-2"}}},
		{"social history", "Observation", url.Values{"patient": {tok.Patient}, "category": {"social-history"}}},
		{"smoking status", "Observation", url.Values{"patient": {tok.Patient}, "code": {"http://loinc.org|72166-2"}}},
		{"occupation", "Observation", url.Values{"patient": {tok.Patient}, "code": {"http://loinc.org|11341-5"}}},
		{"sexual orientation", "Observation", url.Values{"patient": {tok.Patient}, "code": {"http://loinc.org|76690-7"}}},
		{"screening assessments", "Observation", url.Values{"patient": {tok.Patient}, "category": {"survey"}}},
		{"clinical results", "Observation", url.Values{"patient": {tok.Patient}, "category": {"imaging"}}},
		{"body height", "Observation", url.Values{"patient": {tok.Patient}, "code": {"http://loinc.org|8302-2"}}},
		{"body temperature", "Observation", url.Values{"patient": {tok.Patient}, "code": {"8310-5"}}},
		{"respiratory rate", "Observation", url.Values{"patient": {tok.Patient}, "code": {"9279-1"}, "date": {"ge2019-01-01"}}},
		{"pulse oximetry", "Observation", url.Values{"patient": {tok.Patient}, "code": {"http://loinc.org|59408-5"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			total, entries := search(t, c.typ, c.q)
			if total == 0 || len(entries) == 0 {
				t.Fatalf("%s?%s: total %d, %d entries", c.typ, c.q.Encode(), total, len(entries))
			}
			for _, e := range entries {
				raw := string(e.Resource)
				if !strings.Contains(raw, `"Patient/`+tok.Patient+`"`) {
					t.Errorf("%s?%s: %.120s is not the member's", c.typ, c.q.Encode(), raw)
				}
			}
		})
	}
	// The directory's US Core types carry no Provenance and take no
	// patient (US Core 6.1: they are the directory's, not the member's).
	for _, c := range []struct {
		name, typ, want string
		q               url.Values
	}{
		{"roles of internists", "PractitionerRole", `"code":"207R00000X"`, url.Values{"specialty": {"http://nucc.org/provider-taxonomy|207R00000X"}}},
		{"role of a practitioner", "PractitionerRole", `"Location/location-30000000000006-`, url.Values{"practitioner": {"Practitioner/1846468555"}}},
		{"locations in NC", "Location", `"managingOrganization":{"reference":"Organization/`, url.Values{"address-state": {"NC"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			total, entries := search(t, c.typ, c.q)
			if total == 0 || len(entries) == 0 {
				t.Fatalf("%s?%s: total %d, %d entries", c.typ, c.q.Encode(), total, len(entries))
			}
			if !strings.Contains(string(entries[0].Resource), c.want) {
				t.Errorf("%s?%s: %.200s lacks %s", c.typ, c.q.Encode(), entries[0].Resource, c.want)
			}
		})
	}
	revinclude := func(t *testing.T, typ string) {
		_, entries := search(t, typ, url.Values{"patient": {tok.Patient}, "_revinclude": {"Provenance:target"}})
		matched, targeted := map[string]bool{}, map[string]bool{}
		for _, e := range entries {
			var r struct {
				ResourceType, ID string
				Target           []struct{ Reference string }
			}
			if err := json.Unmarshal(e.Resource, &r); err != nil {
				t.Fatal(err)
			}
			switch {
			case e.Search.Mode == "match" && r.ResourceType == typ:
				matched[typ+"/"+r.ID] = true
			case e.Search.Mode == "include" && r.ResourceType == "Provenance":
				for _, tg := range r.Target {
					targeted[tg.Reference] = true
				}
			default:
				t.Errorf("unexpected %s entry %s/%s", e.Search.Mode, r.ResourceType, r.ID)
			}
		}
		if len(matched) == 0 {
			t.Fatalf("no %s matched", typ)
		}
		for c := range matched {
			if !targeted[c] {
				t.Errorf("%s has no Provenance among the included", c)
			}
		}
	}
	// Provenance has no search of its own (US Core 6.1: it is read by id
	// or through _revinclude).
	for _, typ := range []string{"Condition", "MedicationDispense", "DiagnosticReport", "ServiceRequest", "Specimen", "Goal", "CareTeam", "DocumentReference",
		"Device", "QuestionnaireResponse", "Observation"} {
		t.Run(typ+" revinclude Provenance", func(t *testing.T) { revinclude(t, typ) })
	}
	t.Run("Provenance read", func(t *testing.T) {
		status, body := sb.get(t, fhirPath+"/Provenance/prov-30000000000006-patient-1", tok.AccessToken)
		if status != http.StatusOK || !strings.Contains(string(body), `"target":[{"reference":"Patient/`+tok.Patient+`"}]`) {
			t.Fatalf("Provenance read: %d %s", status, body)
		}
		if err := r4check.Validate(body); err != nil {
			t.Fatal(err)
		}
	})
}
