package generator

import (
	"strings"
	"testing"
	"time"
)

// TestRecordedUSCoreRefusesWhatItCannotRead: a recorded account without a
// height, with a claim of no known kind or a visit billing no service is
// refused with an error naming it, not rendered half-way; a proper one
// renders the same resources every time.
func TestRecordedUSCoreRefusesWhatItCannotRead(t *testing.T) {
	day := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	visit := RecordedClaim{Kind: "carrier", Number: "3700001", Start: day, End: day, Seen: day.Add(14 * time.Hour),
		Practitioner: "1234567893", Provider: "1234567890", Services: []Coding{{"https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "G0439", "Annual wellness visit"}},
		Diagnoses: []Coding{{sysICD10CM, "I10", "Essential (primary) hypertension"}}, Vitals: true}
	good := RecordedAccount{PatientID: "-37", Gender: "female", Birth: day.AddDate(-70, 0, 0), Entitled: day.AddDate(-5, 0, 0),
		AsOf: day.AddDate(0, 2, 0), HeightCm: 160, Claims: []RecordedClaim{visit}}
	for _, c := range []struct {
		name, want string
		edit       func(a *RecordedAccount)
	}{
		{"no height", "no height", func(a *RecordedAccount) { a.HeightCm = 0 }},
		{"unknown kind", `kind "lab"`, func(a *RecordedAccount) { a.Claims = []RecordedClaim{{Kind: "lab", Number: "1", Start: day}} }},
		{"visit without a service", "bills no service", func(a *RecordedAccount) {
			a.Claims = []RecordedClaim{{Kind: "carrier", Number: "2", Start: day, Vitals: true}}
		}},
	} {
		a := good
		c.edit(&a)
		if _, err := RenderRecordedUSCore(a); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming %q", c.name, err, c.want)
		}
	}
	first, err := RenderRecordedUSCore(good)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := RenderRecordedUSCore(good)
	// The four vital signs, the PHQ-2's two answers, total and panel, and
	// smoking, occupation and sexual orientation (no pregnancy at 70).
	if len(first.QuestionnaireResponses) != 1 || len(first.Observations) != 4+4+3 || len(again.Observations) != len(first.Observations) {
		t.Fatalf("a wellness visit rendered %d answers and %d Observations (again %d)", len(first.QuestionnaireResponses), len(first.Observations), len(again.Observations))
	}
	for i := range first.Observations {
		if string(first.Observations[i].JSON) != string(again.Observations[i].JSON) {
			t.Errorf("%s differs between two renderings", first.Observations[i].ID)
		}
	}
}
