package generator

import (
	"strings"
	"testing"
)

// TestOneStory: claims and clinical resources tell the same story. A
// diabetes code on a claim, an HbA1c result or a metformin/insulin fill or
// order only appear for members whose problem list has diabetes, and
// most diabetic members with a long history show all of them.
func TestOneStory(t *testing.T) {
	diabetics, complete := 0, 0
	members := seed1Members()
	for _, m := range members {
		var hasDiabetes, e11, a1c, fill, order bool
		for _, r := range m.Resources {
			s := string(r.JSON)
			switch {
			case r.Type == "Condition" && strings.Contains(s, `"code":"44054006"`):
				hasDiabetes = true
			case r.Type == "ExplanationOfBenefit" && strings.Contains(s, `"code":"E11.`):
				e11 = true
			case r.Type == "Observation" && strings.Contains(s, `"code":"4548-4"`):
				a1c = true
			case r.Type == "ExplanationOfBenefit" && (strings.Contains(s, drugMetformin.ndc) || strings.Contains(s, drugInsulin.ndc)):
				fill = true
			case r.Type == "MedicationRequest" && (strings.Contains(s, `"code":"`+drugMetformin.rxnorm+`"`) || strings.Contains(s, `"code":"`+drugInsulin.rxnorm+`"`)):
				order = true
			}
		}
		if !hasDiabetes && (e11 || a1c || fill || order) {
			t.Errorf("%s: diabetes codes (claim %v, HbA1c %v, fill %v, order %v) without a diabetes Condition", m.PatientID, e11, a1c, fill, order)
		}
		if hasDiabetes {
			diabetics++
			if e11 && a1c && fill && order {
				complete++
			}
		}
	}
	// About one member in ten is diabetic: 200 members give some 25.
	if diabetics < len(members)/10 || complete*2 < diabetics {
		t.Errorf("%d diabetic members, only %d with claims, HbA1c, fills and orders", diabetics, complete)
	}
	t.Logf("%d diabetic members, %d with the whole story", diabetics, complete)
}
