package generator

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestFindingsJSONMatchesEncodingJSON: the hand-written JSON of every
// Observation and encounter diagnosis of uscore_findings.go among the
// first members reads back into its struct and encoding/json writes that
// struct to the same bytes, so the writer neither drops nor reorders an
// element nor escapes differently.
func TestFindingsJSONMatchesEncodingJSON(t *testing.T) {
	checked := map[string]int{}
	for _, m := range seed1Members()[:30] {
		for _, r := range m.Resources {
			var v any
			switch {
			case r.Type == "Condition" && strings.HasPrefix(r.ID, "condition-dx-"):
				v = &encounterDiagnosisResource{}
			case r.Type == "Observation" && bytes.Contains(r.JSON, []byte(`"profile":["`+usCore)) && findingProfile(r.JSON):
				v = &findingResource{}
			default:
				continue
			}
			if err := json.Unmarshal(r.JSON, v); err != nil {
				t.Fatalf("%s/%s: %v", r.Type, r.ID, err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if got := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, r.JSON) {
				t.Fatalf("%s/%s:\nwritten  %s\nencoding %s", r.Type, r.ID, r.JSON, got)
			}
			checked[r.Type]++
		}
	}
	if checked["Condition"] == 0 || checked["Observation"] == 0 {
		t.Fatalf("checked %v", checked)
	}
}

// findingProfile reports whether an Observation's JSON carries a profile
// of uscore_findings.go.
func findingProfile(js []byte) bool {
	for _, p := range []string{profSmokingStatus, profScreening, profOccupation, profPregnancyStatus, profPregnancyIntent,
		profSexualOrientation, profClinicalResult, profBodyHeight, profBodyTemperature, profRespiratoryRate, profPulseOximetry} {
		if bytes.Contains(js, []byte(`"`+p+`"`)) {
			return true
		}
	}
	return false
}

// TestJSONStringEscapes: jsonString escapes as encoding/json does with
// HTML escaping off.
func TestJSONStringEscapes(t *testing.T) {
	for name, s := range map[string]string{
		"plain": "Type 2 diabetes mellitus", "quote": `say "hi"`, "backslash": `a\b`, "controls": "a\n\r\t\b\f\x01z",
		"html": "<a&b>", "unicode": "café ≥ 5", "bad utf-8": "a\xffb", "separators": "a\u2028b\u2029c",
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got, want := string(jsonString(nil, s)), strings.TrimSuffix(buf.String(), "\n"); got != want {
			t.Errorf("%s: %s, encoding/json %s", name, got, want)
		}
	}
}
