package r4check

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestWalk: a path goes through arrays at every step, a "[x]" step
// matches each choice of the element and nothing else, and a missing
// element gives nothing.
func TestWalk(t *testing.T) {
	var obs any
	json.Unmarshal([]byte(`{"component": [{"code": {"text": "a"}, "valueQuantity": {"value": 1}},
		{"code": {"text": "b"}, "valueString": "x"}, {"code": {"text": "c"}, "valueset": "not a choice"}]}`), &obs)
	for _, tc := range []struct {
		name string
		path []string
		want int
	}{
		{"through an array", []string{"component", "code", "text"}, 3},
		{"a choice of any type", []string{"component", "value[x]"}, 2},
		{"into a choice", []string{"component", "value[x]", "value"}, 1},
		{"missing", []string{"component", "interpretation"}, 0},
	} {
		if got := Walk(obs, tc.path); len(got) != tc.want {
			t.Errorf("%s: Walk(%v) = %v; want %d values", tc.name, tc.path, got, tc.want)
		}
	}
	if got := Walk(obs, []string{"component", "code", "text"}); !slices.Equal(got, []any{"a", "b", "c"}) {
		t.Errorf("values in order: %v", got)
	}
}

// TestReadMustSupport: comments are skipped, the profile line names the
// profile, every other line is an element, and a missing file is an error.
func TestReadMustSupport(t *testing.T) {
	path := t.TempDir() + "/list.txt"
	os.WriteFile(path, []byte("# source: a kit\nprofile: http://example.org/p\nObservation.status\nObservation.code\n"), 0o600)
	profile, elements, err := ReadMustSupport(path)
	if err != nil || profile != "http://example.org/p" || !slices.Equal(elements, []string{"Observation.status", "Observation.code"}) {
		t.Errorf("ReadMustSupport = %q, %v, %v", profile, elements, err)
	}
	if _, _, err := ReadMustSupport(path + ".missing"); err == nil {
		t.Error("a missing list read without an error")
	}
}

// TestHasMustSupport: a path, a slice, a choice type and both places an
// extension slice is looked for are found when present and only then.
func TestHasMustSupport(t *testing.T) {
	var qr, obs map[string]any
	json.Unmarshal([]byte(`{"resourceType":"QuestionnaireResponse","questionnaire":"http://loinc.org/q/55757-9",
		"_questionnaire":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/display","valueString":"PHQ-2"}]}}`), &qr)
	json.Unmarshal([]byte(`{"resourceType":"Observation","valueQuantity":{"value":1},
		"component":[{"code":{"text":"x"}}],
		"extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"}]}`), &obs)
	for _, c := range []struct {
		doc  map[string]any
		el   string
		want bool
	}{
		{qr, "extension: QuestionnaireResponse.questionnaire.extension:questionnaireDisplay", true},
		{qr, "extension: QuestionnaireResponse.questionnaire.extension:url", false},
		{obs, "extension: QuestionnaireResponse.questionnaire.extension:questionnaireDisplay", false},
		{obs, "extension: Patient.extension:race", true},
		{obs, "extension: Patient.extension:ethnicity", false},
		{obs, "value[x]", true},
		{obs, "valueQuantity.value", true},
		{obs, "valueString", false},
		{obs, "component:FlowRate.code", true},
		{obs, "component:FlowRate.valueQuantity", false},
	} {
		if got := HasMustSupport(c.doc, c.el); got != c.want {
			t.Errorf("HasMustSupport(%v, %q) = %v, want %v", c.doc["resourceType"], c.el, got, c.want)
		}
	}
}
