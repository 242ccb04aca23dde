package generator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

type component struct {
	Code          concept   `json:"code"`
	ValueQuantity *quantity `json:"valueQuantity,omitempty"`
}

type observationResource struct {
	ResourceType      string      `json:"resourceType"`
	ID                string      `json:"id"`
	Meta              meta        `json:"meta"`
	Status            string      `json:"status"`
	Category          []concept   `json:"category"`
	Code              concept     `json:"code"`
	Subject           reference   `json:"subject"`
	Encounter         *reference  `json:"encounter,omitempty"`
	EffectiveDateTime string      `json:"effectiveDateTime"`
	Performer         []reference `json:"performer,omitempty"`
	ValueQuantity     *quantity   `json:"valueQuantity,omitempty"`
	Component         []component `json:"component,omitempty"`
}

// Observation categories of US Core.
var (
	categoryLaboratory = coding{sysUSCoreCat, "laboratory", "Laboratory"}
	categoryVitalSigns = coding{sysUSCoreCat, "vital-signs", "Vital Signs"}
)

// body is the member's size in the vital signs: weight in kg, which drifts
// from visit to visit, and height in cm, which does not; and the blood
// pressure they read at without hypertension.
type body struct {
	weight, height      float64
	systolic, diastolic int
}

// drawBody draws the member's size and usual blood pressure before their
// first visit.
func drawBody(r *rand.Rand) body {
	weight := between(r, 55, 115)
	height := between(r, 150, 190)
	return body{weight: weight, height: height, systolic: 108 + r.IntN(17), diastolic: 64 + r.IntN(15)}
}

// bloodPressure draws a reading on day. Without hypertension (or before
// it is diagnosed) a member reads at most 138/88, so that an average of
// 140/90 or more always comes with the diagnosis (ACC/AHA 2017: stage 2
// from 140/90). The visit that diagnoses it reads high; once a blood
// pressure drug is filled readings settle around the 130s/80s, some still
// above target; left untreated they stay high.
func (b *builder) bloodPressure(r *rand.Rand, day time.Time, size body) (systolic, diastolic int) {
	h := slices.IndexFunc(b.conds, func(c *condition) bool { return c.bloodPressure })
	switch {
	case h < 0 || !b.states[h].active || day.Before(b.states[h].onset):
		return size.systolic - 8 + r.IntN(23), size.diastolic - 6 + r.IntN(17)
	case b.states[h].diagnosed && day.Equal(b.states[h].onset):
		return 142 + r.IntN(24), 86 + r.IntN(14)
	case !b.bpTreated.IsZero() && !day.Before(b.bpTreated):
		return 120 + r.IntN(28), 68 + r.IntN(24)
	}
	return 136 + r.IntN(28), 80 + r.IntN(20)
}

// observations renders a lab result for every test billed and vital signs
// at the office visits that took them, each pointing at its claim's
// Encounter.
func (b *builder) observations(r *rand.Rand, subject reference, encounters encounterIDs, size body) []Resource {
	var out []Resource
	for i := range b.claims {
		c := &b.claims[i]
		visit := visitObservations{
			b: b, r: r, number: c.number, subject: subject, encounter: encounters.ref(i),
			when: c.visit.Add(time.Duration(5+r.IntN(15)) * time.Minute),
		}
		visit.labResults(c.lines)
		if c.vitals {
			size.weight = math.Max(40, size.weight+r.NormFloat64()*1.5)
			visit.vitalSigns(b.bloodPressure(r, c.start, size))
			visit.bodySize(size)
		}
		out = append(out, visit.out...)
	}
	return out
}

// visitObservations collects the Observations of one claim's visit, all
// taken at the same instant and numbered obs-<claim number>-1, -2, ….
type visitObservations struct {
	b         *builder
	r         *rand.Rand
	number    string // claim number
	subject   reference
	encounter *reference // nil when the claim has no Encounter
	when      time.Time
	out       []Resource
}

// add renders one Observation with either a value or components.
func (v *visitObservations) add(profile string, category, code coding, value *quantity, components []component) {
	id := fmt.Sprintf("obs-%s-%d", v.number, len(v.out)+1)
	updated := v.b.cal.stamp(v.r, v.when)
	res := observationResource{
		ResourceType: "Observation", ID: id,
		Meta:              meta{LastUpdated: fmtInstant(updated), Profile: []string{profile}},
		Status:            "final",
		Category:          []concept{{Coding: []coding{category}}},
		Code:              concept{Coding: []coding{code}, Text: code.Display},
		Subject:           v.subject,
		Encounter:         v.encounter,
		EffectiveDateTime: fmtInstant(v.when),
		ValueQuantity:     value,
		Component:         components,
	}
	v.out = append(v.out, Resource{Type: "Observation", ID: id, LastUpdated: updated, Start: v.when, End: v.when,
		Category: []string{token(category)}, Code: []string{token(code)}, JSON: v.b.enc.encode(&res)})
}

// labResults renders a result, within the test's usual range, for every
// claim line that bills a lab test.
func (v *visitObservations) labResults(lines []line) {
	for _, l := range lines {
		if l.lab == nil {
			continue
		}
		value := ucum(roundTo(between(v.r, l.lab.lo, l.lab.hi), l.lab.decimals), l.lab.unit)
		v.add(profLab, categoryLaboratory, coding{sysLOINC, l.lab.loinc, l.lab.display}, &value, nil)
	}
}

// vitalSigns renders blood pressure and heart rate, and bodySize weight
// and BMI, each with the US Core vital-signs profile its LOINC code calls
// for.
func (v *visitObservations) vitalSigns(systolic, diastolic int) {
	sys, dia := ucum(float64(systolic), "mm[Hg]"), ucum(float64(diastolic), "mm[Hg]")
	v.add(profBloodPressure, categoryVitalSigns, coding{sysLOINC, "85354-9", "Blood pressure panel with all children optional"}, nil, []component{
		{Code: conceptOf(sysLOINC, "8480-6", "Systolic blood pressure"), ValueQuantity: &sys},
		{Code: conceptOf(sysLOINC, "8462-4", "Diastolic blood pressure"), ValueQuantity: &dia},
	})
	hr := ucum(float64(58+v.r.IntN(40)), "/min")
	v.add(profHeartRate, categoryVitalSigns, coding{sysLOINC, "8867-4", "Heart rate"}, &hr, nil)
}

func (v *visitObservations) bodySize(size body) {
	weight := ucum(roundTo(size.weight, 1), "kg")
	v.add(profBodyWeight, categoryVitalSigns, coding{sysLOINC, "29463-7", "Body weight"}, &weight, nil)
	bmi := ucum(roundTo(size.weight/(size.height*size.height/10000), 1), "kg/m2")
	v.add(profBMI, categoryVitalSigns, coding{sysLOINC, "39156-5", "Body mass index (BMI) [Ratio]"}, &bmi, nil)
}

// roundTo rounds x to the given number of decimal places.
func roundTo(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}
