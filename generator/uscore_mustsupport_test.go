package generator

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// usCoreAbsent are the must-support elements no generated member carries,
// each with why: US Core requires a server to support an element it has
// data for, and a health plan has none for these.
var usCoreAbsent = map[string]string{
	"condition_problems_health_concerns abatementDateTime":                                "every condition on the list is chronic and active",
	"condition_problems_health_concerns extension: Condition.extension:assertedDate":      "the plan knows when a claim first billed it (recordedDate), not when it was asserted",
	"encounter reasonReference":                                                           "the reason is the claim's diagnosis, coded in reasonCode",
	"encounter participant.type":                                                          "claims name the rendering provider without a participation type",
	"encounter participant.period":                                                        "claims give no participant times",
	"encounter location":                                                                  "claims name the facility as serviceProvider",
	"encounter location.location":                                                         "claims name the facility as serviceProvider",
	"immunization statusReason":                                                           "every immunization on record was given",
	"medication_request reportedReference":                                                "every prescription is the prescriber's own (reportedBoolean false)",
	"medication_request encounter":                                                        "a prescription claim names no visit",
	"medication_request reasonCode":                                                       "a prescription claim carries no diagnosis",
	"medication_request reasonReference":                                                  "a prescription claim carries no diagnosis",
	"medication_request dosageInstruction.timing":                                         "the prescription's sig is kept as text",
	"medication_request dosageInstruction.doseAndRate":                                    "the prescription's sig is kept as text",
	"medication_request dosageInstruction.doseAndRate.doseQuantity":                       "the prescription's sig is kept as text",
	"medication_request dispenseRequest":                                                  "the quantities are on the dispenses (MedicationDispense)",
	"medication_request dispenseRequest.numberOfRepeatsAllowed":                           "the quantities are on the dispenses (MedicationDispense)",
	"medication_request dispenseRequest.quantity":                                         "the quantities are on the dispenses (MedicationDispense)",
	"observation_lab valueCodeableConcept":                                                "every lab result served is quantitative",
	"observation_lab valueString":                                                         "every lab result served is quantitative",
	"observation_lab specimen":                                                            "the Specimen is named by the DiagnosticReport grouping the result",
	"blood_pressure component.dataAbsentReason":                                           "every reading has both values",
	"blood_pressure component:systolic.dataAbsentReason":                                  "every reading has both values",
	"blood_pressure component:diastolic.dataAbsentReason":                                 "every reading has both values",
	"diagnostic_report_note result":                                                       "imaging reports are narrative (presentedForm)",
	"document_reference content.attachment.url":                                           "notes are served inline as base64 (data)",
	"patient name.suffix":                                                                 "no generated member has a suffix",
	"patient name.period.end":                                                             "members' names are current",
	"patient deceasedDateTime":                                                            "generated members are alive",
	"patient address.period.end":                                                          "members' addresses are current",
	"patient extension: Patient.extension:tribalAffiliation":                              "claims carry no tribal affiliation",
	"patient extension: Patient.extension:sex":                                            "claims carry birth sex (us-core-birthsex), not sex",
	"practitioner_role endpoint":                                                          "the sandbox serves no provider endpoints",
	"procedure basedOn":                                                                   "procedures come from claims, which name no order",
	"provenance agent.onBehalfOf":                                                         "the plan acts on its own behalf",
	"questionnaire_response item.answer.valueString":                                      "the PHQ-2 answers are coded",
	"questionnaire_response item.answer.item":                                             "the PHQ-2 has no nested answers",
	"questionnaire_response item.item":                                                    "the PHQ-2 has no nested items",
	"questionnaire_response extension: QuestionnaireResponse.questionnaire.extension:url": "the questionnaire is named by its canonical",
	"service_request reasonReference":                                                     "the reason is the claim's diagnosis, coded in reasonCode",
	"observation_screening_assessment valueString":                                        "every PHQ-2 answer is coded and its total scored",
}

// baseTypes are the types whose generated resources carry the C4BB
// profile derived from US Core's rather than US Core's own.
var baseTypes = map[string]string{"patient": "Patient", "coverage": "Coverage", "organization": "Organization", "practitioner": "Practitioner"}

// TestUSCoreMustSupport: every must-support element of every US Core
// profile the members carry (testdata/us-core-must-support, the test
// kit's lists) is present in some resource of that profile among the
// first 200 members and the minor's edge account (the only member young
// enough for the pediatric profiles), or is listed in usCoreAbsent with
// why.
func TestUSCoreMustSupport(t *testing.T) {
	if raceEnabled {
		// Some elements are rare, so the smaller population built under
		// -race would not do; .ci/run runs this test without -race.
		t.Skip("run without -race (.ci/run does)")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "us-core-must-support", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no must-support lists")
	}
	byProfile := map[string][]map[string]any{}
	byType := map[string][]map[string]any{}
	minor := New(1).Build(edgeSpec(slices.Index(EdgeTraits, EdgeMinor), EdgeMinor))
	for _, m := range slices.Concat(seed1Members(), []*Member{minor}) {
		for _, r := range m.Resources {
			var doc map[string]any
			if err := json.Unmarshal(r.JSON, &doc); err != nil {
				t.Fatal(err)
			}
			byType[r.Type] = append(byType[r.Type], doc)
			for _, p := range r4check.Walk(doc, []string{"meta", "profile"}) {
				byProfile[p.(string)] = append(byProfile[p.(string)], doc)
			}
		}
	}
	used := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		profile, elements, err := r4check.ReadMustSupport(f)
		if err != nil {
			t.Fatal(err)
		}
		docs := byProfile[profile]
		if typ, ok := baseTypes[name]; ok {
			docs = byType[typ]
		}
		if len(docs) == 0 {
			t.Errorf("%s: no resource of the first 200 members or the minor carries %s", name, profile)
			continue
		}
		for _, el := range elements {
			key := name + " " + el
			present := slices.ContainsFunc(docs, func(d map[string]any) bool { return r4check.HasMustSupport(d, el) })
			why, absent := usCoreAbsent[key]
			used[key] = true
			switch {
			case !present && !absent:
				t.Errorf("%s: must-support %s is in none of %d resources", name, el, len(docs))
			case present && absent:
				t.Errorf("%s: %s is listed absent (%s) but is present", name, el, why)
			}
		}
	}
	for key := range usCoreAbsent {
		if !used[key] {
			t.Errorf("usCoreAbsent names %q, which no list has", key)
		}
	}
}
