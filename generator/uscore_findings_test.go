package generator

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
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

// TestUSCoreFindingsTellTheStory: among the first 200 members, the
// findings agree with the rest of each member's record: an encounter
// diagnosis is a diagnosis of its Encounter's claim; the height of a
// visit gives its BMI from its weight; a member's smoking status never
// changes and a member with COPD has smoked; pregnancy is recorded only
// for women under 50, never pregnant (no claim bills a pregnancy); a
// PHQ-2 total is the total of the QuestionnaireResponse it is derived
// from; an ECG reads atrial fibrillation, and an ejection fraction is
// reduced, only for a member with that condition.
func TestUSCoreFindingsTellTheStory(t *testing.T) {
	type obsJ struct {
		ID                   string
		Code                 struct{ Coding []coding }
		Subject              reference
		Encounter            *reference
		EffectiveDateTime    string
		ValueQuantity        *quantity
		ValueCodeableConcept *concept
		DerivedFrom          []reference
		HasMember            []reference
	}
	counts := map[string]int{}
	for _, m := range seed1Members() {
		var gender, birth string
		problems := map[string]bool{}    // ICD-10 categories of the problem list
		claimDx := map[string][]string{} // claim number → its diagnoses
		encounters := map[string]bool{}
		phq2 := map[string]float64{} // QuestionnaireResponse id → total
		byID := map[string]obsJ{}
		var obs []obsJ
		var dxs []map[string]any
		for _, r := range m.Resources {
			var doc map[string]any
			json.Unmarshal(r.JSON, &doc)
			switch r.Type {
			case "Patient":
				gender, birth = doc["gender"].(string), doc["birthDate"].(string)
			case "Encounter":
				encounters["Encounter/"+r.ID] = true
			case "ExplanationOfBenefit":
				number := r.ID[strings.LastIndex(r.ID, "-")+1:]
				for _, d := range r4check.Walk(doc, []string{"diagnosis", "diagnosisCodeableConcept", "coding", "code"}) {
					claimDx[number] = append(claimDx[number], d.(string))
				}
			case "Condition":
				if strings.HasPrefix(r.ID, "condition-dx-") {
					dxs = append(dxs, doc)
					continue
				}
				for _, c := range r4check.Walk(doc, []string{"code", "coding", "code"}) {
					problems[strings.Split(c.(string), ".")[0]] = true
				}
			case "QuestionnaireResponse":
				for _, it := range r4check.Walk(doc, []string{"item"}) {
					if it.(map[string]any)["linkId"] == "55758-7" {
						phq2["QuestionnaireResponse/"+r.ID] = r4check.Walk(it, []string{"answer", "valueDecimal"})[0].(float64)
					}
				}
			case "Observation":
				var o obsJ
				json.Unmarshal(r.JSON, &o)
				obs = append(obs, o)
				byID["Observation/"+o.ID] = o
			}
		}
		for _, d := range dxs {
			enc := r4check.Walk(d, []string{"encounter", "reference"})[0].(string)
			number := strings.TrimPrefix(enc, "Encounter/encounter-")
			if !encounters[enc] {
				t.Errorf("%s: %v names %s, which the member lacks", m.PatientID, d["id"], enc)
			}
			icd := ""
			for _, c := range r4check.Walk(d, []string{"code", "coding"}) {
				if c.(map[string]any)["system"] == sysICD10CM {
					icd = c.(map[string]any)["code"].(string)
				}
			}
			if !slices.Contains(claimDx[number], icd) {
				t.Errorf("%s: %v codes %s, not a diagnosis of claim %s (%v)", m.PatientID, d["id"], icd, number, claimDx[number])
			}
			counts["encounter diagnoses"]++
		}
		visit := func(o obsJ) string { return o.ID[:strings.LastIndex(o.ID, "-")] }
		value := func(o obsJ) float64 { return o.ValueQuantity.Value }
		weights, heights := map[string]float64{}, map[string]float64{}
		smoking := map[string]bool{}
		for _, o := range obs {
			code := o.Code.Coding[0].Code
			switch code {
			case "29463-7":
				weights[visit(o)] = value(o)
			case "8302-2":
				heights[visit(o)] = value(o)
			case "72166-2":
				smoking[o.ValueCodeableConcept.Coding[0].Code] = true
			case "82810-3", "86645-9":
				born, _ := time.Parse(time.DateOnly, birth)
				when, _ := time.Parse(time.RFC3339, o.EffectiveDateTime)
				if gender != "female" || when.Sub(born) > 50*365*24*time.Hour {
					t.Errorf("%s: %s for a %s born %s, at %s", m.PatientID, o.ID, gender, birth, o.EffectiveDateTime)
				}
				if v := o.ValueCodeableConcept.Coding[0].Code; code == "82810-3" && v != notPregnant.Code {
					t.Errorf("%s: %s reads %s", m.PatientID, o.ID, v)
				}
				counts["pregnancy"]++
			case "55758-7":
				if want, ok := phq2[o.DerivedFrom[0].Reference]; !ok || want != value(o) {
					t.Errorf("%s: %s total %v, %s total %v", m.PatientID, o.ID, value(o), o.DerivedFrom[0].Reference, want)
				}
				counts["PHQ-2 totals"]++
			case "55757-9":
				for _, h := range o.HasMember {
					if _, ok := byID[h.Reference]; !ok {
						t.Errorf("%s: %s has member %s, which the member lacks", m.PatientID, o.ID, h.Reference)
					}
				}
			case "8601-7":
				if o.ValueCodeableConcept.Coding[0].Code == atrialFibrillation.Code && !problems["I48"] {
					t.Errorf("%s: %s reads atrial fibrillation without the condition", m.PatientID, o.ID)
				}
				counts["ECGs"]++
			case "10230-1":
				if value(o) < 50 && !problems["I50"] {
					t.Errorf("%s: %s ejection fraction %v without heart failure", m.PatientID, o.ID, value(o))
				}
			}
		}
		for v, h := range heights {
			var bmi float64
			for _, o := range obs {
				if visit(o) == v && o.Code.Coding[0].Code == "39156-5" {
					bmi = value(o)
				}
			}
			if got := weights[v] / (h * h / 10000); math.Abs(got-bmi) > 0.1 {
				t.Errorf("%s: visit %s weight %v height %v gives BMI %.2f, served %v", m.PatientID, v, weights[v], h, got, bmi)
			}
			counts["BMIs"]++
		}
		if len(smoking) > 1 || problems["J44"] && smoking[neverSmoked.Code] {
			t.Errorf("%s: smoking status %v, COPD %v", m.PatientID, smoking, problems["J44"])
		}
		if problems["J44"] && len(smoking) > 0 {
			counts["COPD smokers"]++
		}
	}
	for _, k := range []string{"encounter diagnoses", "pregnancy", "PHQ-2 totals", "ECGs", "BMIs", "COPD smokers"} {
		// Under -race only 30 members are built: the first pregnancy
		// status is member 65's.
		if counts[k] == 0 && !raceEnabled {
			t.Errorf("no %s checked", k)
		}
	}
	t.Logf("checked %v", counts)
}

// TestSocialHistoryFitsTheAge: an occupation is recorded only once the
// member has started work (its period starts before the visit that asks),
// so a child has none, and a child has never smoked; checked on the seed-1
// members and the minor's edge account, whose occupation once started
// years after the visit.
func TestSocialHistoryFitsTheAge(t *testing.T) {
	members := append(slices.Clone(seed1Members()), New(1).Build(edgeSpec(slices.Index(EdgeTraits, EdgeMinor), EdgeMinor)))
	checked, children := 0, 0
	for _, m := range members {
		var birth time.Time
		visits := map[string]string{} // Encounter reference → its first day
		var social []map[string]any
		for _, r := range m.Resources {
			var doc map[string]any
			json.Unmarshal(r.JSON, &doc)
			switch {
			case r.Type == "Patient":
				birth, _ = time.Parse(time.DateOnly, doc["birthDate"].(string))
			case r.Type == "Encounter":
				visits["Encounter/"+r.ID] = r4check.Walk(doc, []string{"period", "start"})[0].(string)[:10]
			case r.Type == "Observation" && slices.Contains(r.Category, token(categorySocialHistory)):
				social = append(social, doc)
			}
		}
		for _, o := range social {
			day := visits[r4check.Walk(o, []string{"encounter", "reference"})[0].(string)]
			seen, _ := time.Parse(time.DateOnly, day)
			child := seen.Before(birth.AddDate(18, 0, 0))
			code := r4check.Walk(o, []string{"code", "coding", "code"})[0]
			switch code {
			case codeOccupation.Code:
				start := r4check.Walk(o, []string{"effectivePeriod", "start"})[0].(string)
				if child || start > day {
					t.Errorf("%s: %s: occupation from %s recorded %s (born %s)", m.PatientID, o["id"], start, day, fmtDate(birth))
				}
				checked++
			case codeSmokingStatus.Code:
				if v := r4check.Walk(o, []string{"valueCodeableConcept", "coding", "code"})[0]; child && v != neverSmoked.Code {
					t.Errorf("%s: %s: a child at %s smokes (%s)", m.PatientID, o["id"], day, v)
				}
				if child {
					children++
				}
			}
		}
	}
	if checked == 0 || children == 0 {
		t.Errorf("checked %d occupations and %d children's smoking statuses", checked, children)
	}
}
