package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Care management: a goal for each condition on the problem list, the
// care plan that addresses them, and the care team that carries it out
// (US Core Goal, CarePlan and CareTeam).

type goalTarget struct {
	Measure        *concept  `json:"measure,omitempty"`
	DetailQuantity *quantity `json:"detailQuantity,omitempty"`
	DueDate        string    `json:"dueDate"`
}

type quantityComparator struct {
	Value      float64 `json:"value"`
	Comparator string  `json:"comparator"`
	Unit       string  `json:"unit"`
	System     string  `json:"system"`
	Code       string  `json:"code"`
}

type goalResource struct {
	ResourceType    string       `json:"resourceType"`
	ID              string       `json:"id"`
	Meta            meta         `json:"meta"`
	LifecycleStatus string       `json:"lifecycleStatus"`
	Description     concept      `json:"description"`
	Subject         reference    `json:"subject"`
	StartDate       string       `json:"startDate"`
	Target          []goalTarget `json:"target"`
	Addresses       []reference  `json:"addresses,omitempty"`
}

type carePlanResource struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id"`
	Meta         meta        `json:"meta"`
	Text         *narrative  `json:"text"`
	Status       string      `json:"status"`
	Intent       string      `json:"intent"`
	Category     []concept   `json:"category"`
	Title        string      `json:"title"`
	Subject      reference   `json:"subject"`
	Period       period      `json:"period"`
	Author       *reference  `json:"author,omitempty"`
	Addresses    []reference `json:"addresses,omitempty"`
	Goal         []reference `json:"goal,omitempty"`
}

type careTeamParticipant struct {
	Role   []concept `json:"role"`
	Member reference `json:"member"`
}

type careTeamResource struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id"`
	Meta         meta                  `json:"meta"`
	Status       string                `json:"status"`
	Name         string                `json:"name"`
	Subject      reference             `json:"subject"`
	Period       period                `json:"period"`
	Participant  []careTeamParticipant `json:"participant"`
}

// goalOf is the usual treatment target of a condition (ADA Standards of
// Care: HbA1c below 7%; ACC/AHA 2017: blood pressure below 130/80;
// ACC/AHA 2018: LDL below 100 mg/dL), measured by the LOINC the member's
// Observations carry; nil measure for a goal stated in words.
func goalOf(key string) (text string, measure *coding, detail *quantity) {
	switch key {
	case "diabetes":
		q := ucum(7, "%")
		return "Hemoglobin A1c below 7.0%", &coding{sysLOINC, labA1c.loinc, labA1c.display}, &q
	case "hypertension":
		q := ucum(130, "mm[Hg]")
		return "Blood pressure below 130/80 mm[Hg]", &coding{sysLOINC, "8480-6", "Systolic blood pressure"}, &q
	case "hyperlipidemia":
		q := ucum(100, "mg/dL")
		return "LDL cholesterol below 100 mg/dL", &coding{sysLOINC, labLDL.loinc, labLDL.display}, &q
	case "heartfailure":
		return "No hospital admission for heart failure this year", nil, nil
	case "copd":
		return "Walk 30 minutes a day without shortness of breath", nil, nil
	case "depression":
		return "PHQ-9 score below 5", nil, nil
	}
	return "Keep " + strings.ToLower(conditionName(key)) + " stable with current care", nil, nil
}

func conditionName(key string) string {
	for i := range conditions {
		if conditions[i].key == key {
			return conditions[i].snomed.Display
		}
	}
	return key
}

// carePlans renders a Goal for each condition on the problem list and one
// assessment-and-plan CarePlan addressing them all, by the primary care
// physician.
func (b *builder) carePlans(r *rand.Rand, subject reference, short string, rec *usCoreRecord) {
	var addresses, goals []reference
	var lines []string
	var first time.Time
	for i, cond := range b.conds {
		st := &b.states[i]
		if st.named.IsZero() {
			continue
		}
		recorded := st.named
		if st.diagnosed {
			recorded = st.onset
		}
		if first.IsZero() || recorded.Before(first) {
			first = recorded
		}
		condRef := reference{Reference: fmt.Sprintf("Condition/condition-%s-%d", short, i+1)}
		text, measure, detail := goalOf(cond.key)
		due := addDays(recorded, oneYear)
		for due.Before(b.cal.asOf) {
			due = addDays(due, oneYear) // goals are renewed each year
		}
		id := fmt.Sprintf("goal-%s-%d", short, i+1)
		updated := b.cal.stamp(r, recorded)
		target := goalTarget{DueDate: fmtDate(due)}
		if measure != nil {
			target.Measure = &concept{Coding: []coding{*measure}}
			target.DetailQuantity = detail
		}
		g := goalResource{
			ResourceType: "Goal", ID: id,
			Meta:            meta{LastUpdated: fmtInstant(updated), Profile: []string{profGoal}},
			LifecycleStatus: "active",
			Description:     concept{Text: text},
			Subject:         subject,
			StartDate:       fmtDate(recorded),
			Target:          []goalTarget{target},
			Addresses:       []reference{condRef},
		}
		var code []string
		if measure != nil {
			code = []string{token(*measure)}
		}
		rec.goals = append(rec.goals, Resource{Type: "Goal", ID: id, LastUpdated: updated, Start: recorded, End: recorded, Code: code, JSON: b.enc.encode(&g)})
		addresses = append(addresses, condRef)
		goals = append(goals, reference{Reference: "Goal/" + id})
		lines = append(lines, cond.snomed.Display+": "+text)
	}
	if len(addresses) == 0 {
		return
	}
	id := "careplan-" + short
	updated := b.cal.stamp(r, b.to)
	category := coding{sysCarePlanCat, "assess-plan", "Assessment and Plan of Treatment"}
	pcp := b.refs.practitioner(b.pcp)
	p := carePlanResource{
		ResourceType: "CarePlan", ID: id,
		Meta:      meta{LastUpdated: fmtInstant(updated), Profile: []string{profCarePlan}},
		Text:      narrativeOf("Assessment and plan. " + strings.Join(lines, ". ") + "."),
		Status:    "active",
		Intent:    "plan",
		Category:  []concept{{Coding: []coding{category}}},
		Title:     "Chronic care plan",
		Subject:   subject,
		Period:    period{Start: fmtDate(first)},
		Author:    &pcp,
		Addresses: addresses,
		Goal:      goals,
	}
	rec.plans = append(rec.plans, Resource{Type: "CarePlan", ID: id, LastUpdated: updated, Start: first, End: first,
		Category: []string{token(category)}, JSON: b.enc.encode(&p)})
}

// usCareTeam renders the member's care team: the member, the primary care
// physician and every physician who manages one of their conditions, each
// in the role of their NUCC specialty.
func (b *builder) usCareTeam(r *rand.Rand, subject reference, short string, rec *usCoreRecord) {
	doctors := []string{b.pcp}
	for i := range b.conds {
		if d := b.states[i].doctor; !b.states[i].named.IsZero() && !slices.Contains(doctors, d) {
			doctors = append(doctors, d)
		}
	}
	participants := []careTeamParticipant{{Role: []concept{conceptOf(sysSNOMED, "116154003", "Patient")}, Member: subject}}
	for _, d := range doctors {
		participants = append(participants, careTeamParticipant{
			Role:   []concept{{Coding: []coding{specialties[specialtyOf(d)]}}},
			Member: b.refs.practitioner(d),
		})
	}
	id := "careteam-" + short
	start := b.from
	if start.After(b.to) {
		start = b.person.enrolled
	}
	updated := b.cal.stamp(r, start)
	t := careTeamResource{
		ResourceType: "CareTeam", ID: id,
		Meta:        meta{LastUpdated: fmtInstant(updated), Profile: []string{profCareTeam}},
		Status:      "active",
		Name:        "Care team of " + b.person.given + " " + b.person.family,
		Subject:     subject,
		Period:      period{Start: fmtDate(start)},
		Participant: participants,
	}
	rec.teams = append(rec.teams, Resource{Type: "CareTeam", ID: id, LastUpdated: updated, Start: start, End: start, JSON: b.enc.encode(&t)})
}
