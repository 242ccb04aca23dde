package generator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

type conditionResource struct {
	ResourceType       string     `json:"resourceType"`
	ID                 string     `json:"id"`
	Meta               meta       `json:"meta"`
	ClinicalStatus     concept    `json:"clinicalStatus"`
	VerificationStatus concept    `json:"verificationStatus"`
	Category           []concept  `json:"category"`
	Code               concept    `json:"code"`
	Subject            reference  `json:"subject"`
	OnsetDateTime      string     `json:"onsetDateTime,omitempty"`
	RecordedDate       string     `json:"recordedDate,omitempty"`
	Recorder           *reference `json:"recorder,omitempty"`
}

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

type procedureResource struct {
	ResourceType      string      `json:"resourceType"`
	ID                string      `json:"id"`
	Meta              meta        `json:"meta"`
	Status            string      `json:"status"`
	Code              concept     `json:"code"`
	Subject           reference   `json:"subject"`
	Encounter         *reference  `json:"encounter,omitempty"`
	PerformedDateTime string      `json:"performedDateTime"`
	Performer         []performer `json:"performer,omitempty"`
}

type performer struct {
	Actor reference `json:"actor"`
}

type participant struct {
	Individual reference `json:"individual"`
}

type hospitalization struct {
	DischargeDisposition concept `json:"dischargeDisposition"`
}

type encounterResource struct {
	ResourceType    string           `json:"resourceType"`
	ID              string           `json:"id"`
	Meta            meta             `json:"meta"`
	Identifier      []identifier     `json:"identifier,omitempty"`
	Status          string           `json:"status"`
	Class           coding           `json:"class"`
	Type            []concept        `json:"type"`
	Subject         reference        `json:"subject"`
	Participant     []participant    `json:"participant,omitempty"`
	Period          period           `json:"period"`
	ReasonCode      []concept        `json:"reasonCode,omitempty"`
	Hospitalization *hospitalization `json:"hospitalization,omitempty"`
	ServiceProvider *reference       `json:"serviceProvider,omitempty"`
}

func token(c coding) string { return c.System + "|" + c.Code }

// clinicalTypes is the order the clinical groups appear in Member.Resources.
var clinicalTypes = []string{"Condition", "Observation", "Procedure", "AllergyIntolerance", "Immunization", "MedicationRequest", "Encounter"}

// clinical renders the member's US Core resources, derived from the same
// conditions and claims as the EOBs so that both tell one story.
func (b *builder) clinical(r *rand.Rand) []Resource {
	var groups [7][]Resource
	subject := reference{Reference: "Patient/" + b.pid}
	short := strings.TrimPrefix(b.pid, "-")
	weight := between(r, 55, 115)
	height := between(r, 150, 190)

	// Encounters first, so that Observations and Procedures can point at them.
	encounters := make(map[int]string)
	for i := range b.claims {
		c := &b.claims[i]
		var class, typ coding
		switch c.typ {
		case "carrier":
			class, typ = coding{sysActCode, "AMB", "ambulatory"}, c.lines[0].product
		case "outpatient":
			class, typ = coding{sysActCode, "AMB", "ambulatory"}, c.lines[0].product
		case "inpatient":
			class, typ = coding{sysActCode, "IMP", "inpatient encounter"}, coding{sysSNOMED, "32485007", "Hospital admission"}
		case "snf":
			class, typ = coding{sysActCode, "NONAC", "inpatient non-acute"}, coding{sysSNOMED, "32485007", "Hospital admission"}
		default:
			continue
		}
		id := "encounter-" + c.number
		encounters[i] = id
		start := c.visit
		end := c.end.Add(time.Duration(14+r.IntN(8)) * time.Hour)
		if c.end.Equal(c.start) {
			end = start.Add(time.Duration(20+r.IntN(100)) * time.Minute)
		}
		updated := stamp(r, end)
		res := encounterResource{
			ResourceType: "Encounter",
			ID:           id,
			Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profEncounter}},
			Identifier:   []identifier{{System: sysClaimID, Value: c.number}},
			Status:       "finished",
			Class:        class,
			Type:         []concept{{Coding: []coding{typ}}},
			Subject:      subject,
			Participant:  []participant{{Individual: b.refs.practitioner(c.rendering)}},
			Period:       period{Start: fmtInstant(start), End: fmtInstant(end)},
			ReasonCode:   []concept{{Coding: []coding{c.diags[0]}}},
			ServiceProvider: func() *reference {
				ref := b.refs.org(c.provider)
				return &ref
			}(),
		}
		if class.Code != "AMB" {
			res.Hospitalization = &hospitalization{DischargeDisposition: conceptOf("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home")}
		}
		groups[6] = append(groups[6], Resource{Type: "Encounter", ID: id, LastUpdated: updated, Start: start, End: end, Code: []string{token(typ)}, JSON: b.enc.encode(&res)})
	}

	// Conditions: onset is the earlier of the drawn onset and the first
	// claim that carries one of the condition's codes.
	for i, cond := range b.conds {
		onset := b.onsets[i]
		for _, c := range b.claims {
			if c.start.After(onset) {
				break
			}
			if slices.ContainsFunc(c.diags, func(d coding) bool { return slices.Contains(cond.icd10, d) }) {
				onset = c.start
				break
			}
		}
		id := fmt.Sprintf("condition-%s-%d", short, i+1)
		updated := stamp(r, later(onset, historyStart))
		category := coding{sysCondCat, "problem-list-item", "Problem List Item"}
		res := conditionResource{
			ResourceType:       "Condition",
			ID:                 id,
			Meta:               meta{LastUpdated: fmtInstant(updated), Profile: []string{profCondition}},
			ClinicalStatus:     conceptOf(sysCondClin, "active", "Active"),
			VerificationStatus: conceptOf(sysCondVer, "confirmed", "Confirmed"),
			Category:           []concept{{Coding: []coding{category}}},
			Code:               concept{Coding: []coding{cond.snomed, cond.icd10[0]}, Text: cond.snomed.Display},
			Subject:            subject,
			OnsetDateTime:      fmtDate(onset),
			RecordedDate:       fmtDate(later(onset, historyStart)),
		}
		groups[0] = append(groups[0], Resource{Type: "Condition", ID: id, LastUpdated: updated, Start: onset, End: onset,
			Category: []string{token(category)}, Code: []string{token(cond.snomed), token(cond.icd10[0])}, JSON: b.enc.encode(&res)})
	}

	// Observations: a lab result for every test billed, vital signs at some
	// office visits.
	lab := coding{sysUSCoreCat, "laboratory", "Laboratory"}
	vital := coding{sysUSCoreCat, "vital-signs", "Vital Signs"}
	for i := range b.claims {
		c := &b.claims[i]
		var enc *reference
		if id, ok := encounters[i]; ok {
			enc = &reference{Reference: "Encounter/" + id}
		}
		when := c.visit.Add(time.Duration(5+r.IntN(15)) * time.Minute)
		n := 0
		add := func(profile string, cat coding, code coding, v *quantity, comps []component) {
			n++
			id := fmt.Sprintf("obs-%s-%d", c.number, n)
			updated := stamp(r, when)
			res := observationResource{
				ResourceType: "Observation", ID: id,
				Meta:              meta{LastUpdated: fmtInstant(updated), Profile: []string{profile}},
				Status:            "final",
				Category:          []concept{{Coding: []coding{cat}}},
				Code:              concept{Coding: []coding{code}, Text: code.Display},
				Subject:           subject,
				Encounter:         enc,
				EffectiveDateTime: fmtInstant(when),
				ValueQuantity:     v,
				Component:         comps,
			}
			groups[1] = append(groups[1], Resource{Type: "Observation", ID: id, LastUpdated: updated, Start: when, End: when,
				Category: []string{token(cat)}, Code: []string{token(code)}, JSON: b.enc.encode(&res)})
		}
		for _, l := range c.lines {
			if l.lab == nil {
				continue
			}
			v := ucum(roundTo(between(r, l.lab.lo, l.lab.hi), l.lab.decimals), l.lab.unit)
			add(profLab, lab, coding{sysLOINC, l.lab.loinc, l.lab.display}, &v, nil)
		}
		if c.vitals {
			weight = math.Max(40, weight+r.NormFloat64()*1.5)
			sys, dia := ucum(float64(110+r.IntN(50)), "mm[Hg]"), ucum(float64(62+r.IntN(30)), "mm[Hg]")
			add(profBloodPressure, vital, coding{sysLOINC, "85354-9", "Blood pressure panel with all children optional"}, nil, []component{
				{Code: conceptOf(sysLOINC, "8480-6", "Systolic blood pressure"), ValueQuantity: &sys},
				{Code: conceptOf(sysLOINC, "8462-4", "Diastolic blood pressure"), ValueQuantity: &dia},
			})
			hr := ucum(float64(58+r.IntN(40)), "/min")
			add(profHeartRate, vital, coding{sysLOINC, "8867-4", "Heart rate"}, &hr, nil)
			w := ucum(roundTo(weight, 1), "kg")
			add(profBodyWeight, vital, coding{sysLOINC, "29463-7", "Body weight"}, &w, nil)
			bmi := ucum(roundTo(weight/(height*height/10000), 1), "kg/m2")
			add(profBMI, vital, coding{sysLOINC, "39156-5", "Body mass index (BMI) [Ratio]"}, &bmi, nil)
		}
	}

	// Procedures: ICD-10-PCS procedures of stays, CPT procedures of
	// outpatient visits.
	for i := range b.claims {
		c := &b.claims[i]
		codes := slices.Clone(c.pcs)
		if c.procedure != nil {
			codes = append(codes, coding{c.procedure.system, c.procedure.code, c.procedure.display})
		}
		for j, code := range codes {
			id := fmt.Sprintf("procedure-%s-%d", c.number, j+1)
			when := c.visit.Add(time.Duration(10+r.IntN(20)) * time.Minute)
			updated := stamp(r, when)
			res := procedureResource{
				ResourceType: "Procedure", ID: id,
				Meta:              meta{LastUpdated: fmtInstant(updated), Profile: []string{profProcedure}},
				Status:            "completed",
				Code:              concept{Coding: []coding{code}, Text: code.Display},
				Subject:           subject,
				PerformedDateTime: fmtInstant(when),
				Performer:         []performer{{Actor: b.refs.practitioner(c.rendering)}},
			}
			if id, ok := encounters[i]; ok {
				res.Encounter = &reference{Reference: "Encounter/" + id}
			}
			groups[2] = append(groups[2], Resource{Type: "Procedure", ID: id, LastUpdated: updated, Start: when, End: when,
				Code: []string{token(code)}, JSON: b.enc.encode(&res)})
		}
	}

	groups[3] = b.allergies(r, subject, short)
	groups[4] = b.immunizations(r, subject, short)
	groups[5] = b.medicationRequests(r, subject, short)

	var out []Resource
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func roundTo(x float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}
