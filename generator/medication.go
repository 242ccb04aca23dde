package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

type dosage struct {
	Text string `json:"text"`
}

type medicationRequestResource struct {
	ResourceType              string    `json:"resourceType"`
	ID                        string    `json:"id"`
	Meta                      meta      `json:"meta"`
	Status                    string    `json:"status"`
	Intent                    string    `json:"intent"`
	Category                  []concept `json:"category"`
	ReportedBoolean           bool      `json:"reportedBoolean"`
	MedicationCodeableConcept concept   `json:"medicationCodeableConcept"`
	Subject                   reference `json:"subject"`
	AuthoredOn                string    `json:"authoredOn"`
	Requester                 reference `json:"requester"`
	DosageInstruction         []dosage  `json:"dosageInstruction,omitempty"`
}

// medicationRequests orders every drug the member takes: the ones filled
// on Part D claims (authored shortly before the first fill) and the ones
// the member's conditions call for.
func (b *builder) medicationRequests(r *rand.Rand, subject reference, short string) []Resource {
	type order struct {
		d          drug
		first      time.Time
		last       time.Time
		prescriber string
	}
	var orders []order
	for _, c := range b.claims {
		if c.drug == nil {
			continue
		}
		i := slices.IndexFunc(orders, func(o order) bool { return o.d.rxnorm == c.drug.rxnorm })
		if i < 0 {
			orders = append(orders, order{d: *c.drug, first: c.start, last: c.start, prescriber: c.rendering})
			continue
		}
		orders[i].last = c.start
	}
	for _, d := range b.drugs {
		if !slices.ContainsFunc(orders, func(o order) bool { return o.d.rxnorm == d.rxnorm }) {
			day := serviceDay(r, b.cal.historyStart, b.cal.lastService)
			orders = append(orders, order{d: d, first: day, last: day, prescriber: b.prescriber[d.rxnorm]})
		}
	}
	category := coding{sysMedReqCat, "community", "Community"}
	out := make([]Resource, 0, len(orders))
	for i, o := range orders {
		authored := addDays(o.first, -1-r.IntN(10)).Add(time.Duration(13+r.IntN(8)) * time.Hour)
		status := "completed"
		if daysBetween(o.last, b.cal.lastService) < 180 {
			status = "active"
		}
		updated := b.cal.stamp(r, later(authored, o.last))
		id := fmt.Sprintf("medicationrequest-%s-%d", short, i+1)
		prescriber := o.prescriber
		if prescriber == "" {
			prescriber = b.pcp
		}
		rx := coding{sysRxNorm, o.d.rxnorm, o.d.display}
		res := medicationRequestResource{
			ResourceType: "MedicationRequest", ID: id,
			Meta:                      meta{LastUpdated: fmtInstant(updated), Profile: []string{profMedication}},
			Status:                    status,
			Intent:                    "order",
			Category:                  []concept{{Coding: []coding{category}}},
			ReportedBoolean:           false,
			MedicationCodeableConcept: concept{Coding: []coding{rx}, Text: o.d.display},
			Subject:                   subject,
			AuthoredOn:                fmtInstant(authored),
			Requester:                 b.refs.practitioner(prescriber),
			DosageInstruction:         []dosage{{Text: fmt.Sprintf("Use %g per day as directed", o.d.perDay)}},
		}
		out = append(out, Resource{Type: "MedicationRequest", ID: id, LastUpdated: updated, Start: authored, End: authored,
			Category: []string{token(category)}, Code: []string{token(rx)}, JSON: b.enc.encode(&res)})
	}
	return out
}
