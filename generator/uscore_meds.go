package generator

import (
	"math"
	"math/rand/v2"
	"time"
)

// Dispenses: one US Core MedicationDispense for every pharmacy claim, of
// the drug, quantity, days' supply and day the claim bills, on the
// prescription it fills; and the Medication each one dispenses.

type timingRepeat struct {
	Frequency  int     `json:"frequency"`
	Period     float64 `json:"period"`
	PeriodUnit string  `json:"periodUnit"`
}

type timing struct {
	Repeat timingRepeat `json:"repeat"`
}

type doseAndRate struct {
	DoseQuantity quantity `json:"doseQuantity"`
}

type dispenseDosage struct {
	Text        string        `json:"text"`
	Timing      *timing       `json:"timing,omitempty"`
	DoseAndRate []doseAndRate `json:"doseAndRate,omitempty"`
}

type dispensePerformer struct {
	Actor reference `json:"actor"`
}

type medicationDispenseResource struct {
	ResourceType            string              `json:"resourceType"`
	ID                      string              `json:"id"`
	Meta                    meta                `json:"meta"`
	Identifier              []identifier        `json:"identifier"`
	Status                  string              `json:"status"`
	MedicationReference     reference           `json:"medicationReference"`
	Subject                 reference           `json:"subject"`
	Performer               []dispensePerformer `json:"performer"`
	AuthorizingPrescription []reference         `json:"authorizingPrescription,omitempty"`
	Type                    concept             `json:"type"`
	Quantity                quantity            `json:"quantity"`
	DaysSupply              quantity            `json:"daysSupply"`
	WhenHandedOver          string              `json:"whenHandedOver"`
	DosageInstruction       []dispenseDosage    `json:"dosageInstruction"`
}

type medicationResource struct {
	ResourceType string  `json:"resourceType"`
	ID           string  `json:"id"`
	Meta         meta    `json:"meta"`
	Code         concept `json:"code"`
	Status       string  `json:"status"`
}

// medicationID is the id of the Medication of an RxNorm concept.
func medicationID(d drug) string { return "rxnorm-" + d.rxnorm }

// dispenses renders the MedicationDispense of every pharmacy claim. Its
// prescription is the latest MedicationRequest for the same drug written
// on or before the fill (medication.go renews a course's prescription at
// or before the fill that needs it), skipping those never filled.
func (b *builder) dispenses(r *rand.Rand, subject reference, short string, rec *usCoreRecord) {
	for i := range b.claims {
		c := &b.claims[i]
		if c.typ != "pde" || c.drug == nil || len(c.lines) == 0 {
			continue
		}
		d := *c.drug
		rec.medications[medicationID(d)] = d
		var authorizing []reference
		for k := len(b.prescriptions) - 1; k >= 0; k-- {
			rx := b.prescriptions[k]
			if rx.d.rxnorm == d.rxnorm && rx.fills > 0 && !rx.authored.After(c.start) {
				authorizing = []reference{{Reference: "MedicationRequest/medicationrequest-" + short + "-" + itoa(k+1)}}
				break
			}
		}
		fill := coding{sysActCode, "RF", "Refill"}
		if c.refill == 0 {
			fill = coding{sysActCode, "FF", "First Fill"}
		}
		handed := c.start.Add(time.Duration(9*60+r.IntN(10*60)) * time.Minute)
		updated := b.cal.stamp(r, handed)
		id := "medicationdispense-" + c.number
		perDay := d.perDay
		res := medicationDispenseResource{
			ResourceType: "MedicationDispense", ID: id,
			Meta:                    meta{LastUpdated: fmtInstant(updated), Profile: []string{profMedDispense}},
			Identifier:              []identifier{{System: sysClaimID, Value: c.number}},
			Status:                  "completed",
			MedicationReference:     reference{Reference: "Medication/" + medicationID(d), Display: d.display},
			Subject:                 subject,
			Performer:               []dispensePerformer{{Actor: b.refs.org(c.provider)}},
			AuthorizingPrescription: authorizing,
			Type:                    concept{Coding: []coding{fill}},
			Quantity:                quantity{Value: c.lines[0].qty},
			DaysSupply:              ucum(float64(c.daysSupply), "d"),
			WhenHandedOver:          fmtInstant(handed),
			DosageInstruction: []dispenseDosage{{
				Text:        "Use " + ftoa(perDay) + " per day as directed",
				Timing:      &timing{Repeat: timingRepeat{Frequency: int(math.Max(1, math.Ceil(perDay))), Period: 1, PeriodUnit: "d"}},
				DoseAndRate: []doseAndRate{{DoseQuantity: quantity{Value: perDay / math.Max(1, math.Ceil(perDay))}}},
			}},
		}
		rec.dispenses = append(rec.dispenses, Resource{Type: "MedicationDispense", ID: id, LastUpdated: updated, Start: handed, End: handed,
			Code: []string{token(coding{sysRxNorm, d.rxnorm, ""}), token(coding{sysNDC, d.ndc, ""})}, Category: []string{token(fill)}, JSON: b.enc.encode(&res)})
	}
}

// medicationResourceOf renders the Medication id of d, coded in RxNorm
// and by the NDC package dispensed. It is a pure function of d, so every
// member that holds it serves the same bytes.
func medicationResourceOf(enc *encoder, id string, d drug) Resource {
	seed := idHash(id)
	updated := directoryStamp(rand.New(rand.NewPCG(seed, splitmix64(seed))))
	res := medicationResource{
		ResourceType: "Medication", ID: id,
		Meta:   meta{LastUpdated: fmtInstant(updated), Profile: []string{profMedicationUS}},
		Code:   concept{Coding: []coding{{sysRxNorm, d.rxnorm, d.display}, {sysNDC, d.ndc, d.ndcDisplay}}, Text: d.display},
		Status: "active",
	}
	return Resource{Type: "Medication", ID: id, LastUpdated: updated,
		Code: []string{token(coding{sysRxNorm, d.rxnorm, ""}), token(coding{sysNDC, d.ndc, ""})}, JSON: enc.encode(&res)}
}

// DrugOfNDC returns the RxNorm code and name of the drug whose package ndc
// names, ok false for an NDC no member is dispensed. It lets a member built
// elsewhere (the docs' frozen accounts, whose pharmacy claims bill NDCs)
// code its dispenses in RxNorm as generated members do.
func DrugOfNDC(ndc string) (rxnorm, display string, ok bool) {
	for _, c := range conditions {
		for _, d := range c.drugs {
			if d.ndc == ndc && d.ndc != "" {
				return d.rxnorm, d.display, true
			}
		}
	}
	return "", "", false
}
