package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// This file holds the clinical resources that do not come from a claim:
// allergies and immunizations (US Core AllergyIntolerance and Immunization).

type reaction struct {
	Manifestation []concept `json:"manifestation"`
	Severity      string    `json:"severity,omitempty"`
}

type allergyResource struct {
	ResourceType       string     `json:"resourceType"`
	ID                 string     `json:"id"`
	Meta               meta       `json:"meta"`
	ClinicalStatus     concept    `json:"clinicalStatus"`
	VerificationStatus concept    `json:"verificationStatus"`
	Type               string     `json:"type"`
	Category           []string   `json:"category"`
	Criticality        string     `json:"criticality"`
	Code               concept    `json:"code"`
	Patient            reference  `json:"patient"`
	RecordedDate       string     `json:"recordedDate"`
	Reaction           []reaction `json:"reaction,omitempty"`
}

type immunizationResource struct {
	ResourceType       string    `json:"resourceType"`
	ID                 string    `json:"id"`
	Meta               meta      `json:"meta"`
	Status             string    `json:"status"`
	VaccineCode        concept   `json:"vaccineCode"`
	Patient            reference `json:"patient"`
	OccurrenceDateTime string    `json:"occurrenceDateTime"`
	PrimarySource      bool      `json:"primarySource"`
}

// allergen is a substance with the reaction it usually causes.
type allergen struct {
	category  string
	substance coding
	reaction  coding
}

var allergens = []allergen{
	{"medication", coding{sysSNOMED, "764146007", "Penicillin"}, coding{sysSNOMED, "271807003", "Eruption of skin"}},
	{"medication", coding{sysSNOMED, "387406002", "Sulfamethoxazole"}, coding{sysSNOMED, "418290006", "Itching"}},
	{"food", coding{sysSNOMED, "256349002", "Peanut - dietary"}, coding{sysSNOMED, "39579001", "Anaphylaxis"}},
	{"food", coding{sysSNOMED, "44027008", "Seafood"}, coding{sysSNOMED, "247472004", "Wheal"}},
	{"environment", coding{sysSNOMED, "111088007", "Latex"}, coding{sysSNOMED, "271807003", "Eruption of skin"}},
}

func (b *builder) allergies(r *rand.Rand, subject reference, short string) []Resource {
	n := 0
	switch u := r.Float64(); {
	case u < 0.1:
		n = 2
	case u < 0.35:
		n = 1
	}
	if b.spec.Rich {
		n = max(n, 1)
	}
	first := r.IntN(len(allergens))
	out := make([]Resource, 0, n)
	for i := range n {
		a := allergens[(first+i)%len(allergens)]
		when := serviceDay(r, earlier(b.from, b.to), b.to).Add(time.Duration(13+r.IntN(8)) * time.Hour)
		updated := b.cal.stamp(r, when)
		id := fmt.Sprintf("allergy-%s-%d", short, i+1)
		criticality, severity := "low", "mild"
		if a.reaction.Code == "39579001" {
			criticality, severity = "high", "severe"
		}
		res := allergyResource{
			ResourceType: "AllergyIntolerance", ID: id,
			Meta:               meta{LastUpdated: fmtInstant(updated), Profile: []string{profAllergy}},
			ClinicalStatus:     conceptOf(sysAllergyClin, "active", "Active"),
			VerificationStatus: conceptOf(sysAllergyVer, "confirmed", "Confirmed"),
			Type:               "allergy",
			Category:           []string{a.category},
			Criticality:        criticality,
			Code:               concept{Coding: []coding{a.substance}, Text: a.substance.Display},
			Patient:            subject,
			RecordedDate:       fmtInstant(when),
			Reaction:           []reaction{{Manifestation: []concept{{Coding: []coding{a.reaction}}}, Severity: severity}},
		}
		out = append(out, Resource{Type: "AllergyIntolerance", ID: id, LastUpdated: updated, Start: when, End: when,
			Code: []string{token(a.substance)}, JSON: b.enc.encode(&res)})
	}
	return out
}

// immunizations gives the vaccines a Medicare member usually gets: a flu
// shot most autumns (high dose at 65 and over), pneumococcal and shingles
// vaccines once, COVID-19 in 2021.
func (b *builder) immunizations(r *rand.Rand, subject reference, short string) []Resource {
	type shot struct {
		when time.Time
		cvx  coding
	}
	var shots []shot
	from, to := b.from, b.to
	within := func(day time.Time) bool { return !day.Before(from) && !day.After(to) }
	for y := from.Year(); y <= to.Year(); y++ {
		day := time.Date(y, 9, 15, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(75))
		if !within(day) || r.Float64() > 0.65 {
			continue
		}
		cvx := coding{sysCVX, "140", "Influenza, seasonal, injectable, preservative free"}
		if b.person.age(day) >= 65 {
			cvx = coding{sysCVX, "135", "Influenza, high dose seasonal"}
		}
		shots = append(shots, shot{day, cvx})
	}
	// The other vaccines once, when given inside the history: the
	// recombinant zoster vaccine from its 2018 launch, COVID-19 in its
	// first months.
	once := func(share float64, from time.Time, days int, cvx coding) {
		if r.Float64() < share {
			if day := serviceDay(r, from, addDays(from, days)); within(day) {
				shots = append(shots, shot{day, cvx})
			}
		}
	}
	once(0.6, from, daysBetween(from, to), coding{sysCVX, "33", "pneumococcal polysaccharide vaccine, 23 valent"})
	once(0.4, later(from, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)), daysBetween(later(from, time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)), to), coding{sysCVX, "187", "zoster vaccine recombinant"})
	once(0.7, time.Date(2021, 1, 10, 0, 0, 0, 0, time.UTC), 120, coding{sysCVX, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"})
	if b.spec.Rich && len(shots) == 0 {
		shots = append(shots, shot{earlier(b.to, time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)), coding{sysCVX, "135", "Influenza, high dose seasonal"}})
	}
	slices.SortStableFunc(shots, func(x, y shot) int { return x.when.Compare(y.when) })
	out := make([]Resource, 0, len(shots))
	for i, s := range shots {
		when := s.when.Add(time.Duration(13+r.IntN(8)) * time.Hour)
		updated := b.cal.stamp(r, when)
		id := fmt.Sprintf("immunization-%s-%d", short, i+1)
		res := immunizationResource{
			ResourceType: "Immunization", ID: id,
			Meta:               meta{LastUpdated: fmtInstant(updated), Profile: []string{profImmunization}},
			Status:             "completed",
			VaccineCode:        concept{Coding: []coding{s.cvx}, Text: s.cvx.Display},
			Patient:            subject,
			OccurrenceDateTime: fmtInstant(when),
			PrimarySource:      true,
		}
		out = append(out, Resource{Type: "Immunization", ID: id, LastUpdated: updated, Start: when, End: when,
			Code: []string{token(s.cvx)}, JSON: b.enc.encode(&res)})
	}
	return out
}
