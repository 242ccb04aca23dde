package app

import (
	"net/url"
	"strings"
	"testing"
)

// TestEdgeGuardianPediatricBMI: the minor's record answers the US Core
// Pediatric BMI for Age search (patient and code 59576-9) with one
// Observation per BMI served, each of that profile, derived from one of
// the BMIs, its percentile 0 to 100 in UCUM %; the pages are valid R4,
// and _revinclude=Provenance:target brings a Provenance for each.
func TestEdgeGuardianPediatricBMI(t *testing.T) {
	sb, tok := edgeTokens(t, edgeGuardian)
	if tok.Patient != edgeMinorPatient {
		t.Fatalf("patient %q, want the minor %s", tok.Patient, edgeMinorPatient)
	}
	search := func(code string, extra url.Values) []map[string]any {
		q := url.Values{"patient": {tok.Patient}, "code": {code}}
		for k, v := range extra {
			q[k] = v
		}
		all, total := edgeSearchAll(t, sb, fhirPath+"/Observation?"+q.Encode(), tok.AccessToken, 5)
		matches := 0 // total counts matches, not what _revinclude adds
		for _, r := range all {
			if r["resourceType"] == "Observation" {
				matches++
			}
		}
		if total != matches {
			t.Errorf("code %s: total %d, %d Observations", code, total, matches)
		}
		return all
	}
	bmis := map[string]bool{}
	for _, o := range search("http://loinc.org|39156-5", nil) {
		bmis["Observation/"+edgeString(o, "id")] = true
	}
	pediatric := search("59576-9", nil)
	if len(bmis) == 0 || len(pediatric) != len(bmis) {
		t.Fatalf("%d BMIs, %d Pediatric BMI for Age", len(bmis), len(pediatric))
	}
	for _, o := range pediatric {
		id := edgeString(o, "id")
		profiles, _ := o["meta"].(map[string]any)["profile"].([]any)
		derived, _ := o["derivedFrom"].([]any)
		q, _ := o["valueQuantity"].(map[string]any)
		value, _ := q["value"].(float64)
		if len(profiles) != 1 || profiles[0] != "http://hl7.org/fhir/us/core/StructureDefinition/pediatric-bmi-for-age" ||
			len(derived) != 1 || !bmis[edgeString(derived[0].(map[string]any), "reference")] {
			t.Errorf("%s: profiles %v, derived from %v", id, profiles, derived)
		}
		if value < 0 || value > 100 || q["code"] != "%" || q["system"] != "http://unitsofmeasure.org" {
			t.Errorf("%s: value %v", id, q)
		}
		if !strings.Contains(edgeString(o, "subject", "reference"), tok.Patient) {
			t.Errorf("%s: subject %v", id, o["subject"])
		}
	}
	with := search("http://loinc.org|59576-9", url.Values{"_revinclude": {"Provenance:target"}})
	targeted := map[string]bool{}
	matches := 0
	for _, r := range with {
		switch r["resourceType"] {
		case "Observation":
			matches++
		case "Provenance":
			for _, tg := range r["target"].([]any) {
				targeted[edgeString(tg.(map[string]any), "reference")] = true
			}
		}
	}
	if matches != len(pediatric) {
		t.Errorf("with _revinclude: %d Observations, want %d", matches, len(pediatric))
	}
	for _, o := range pediatric {
		if !targeted["Observation/"+edgeString(o, "id")] {
			t.Errorf("%s: no Provenance included for it", edgeString(o, "id"))
		}
	}
}
