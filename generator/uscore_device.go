package generator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Implants and questionnaires: the implantable Device of a stay whose
// ICD-10-PCS procedure places one, and the depression screening answered
// at each annual wellness visit (US Core Device and QuestionnaireResponse).

type udiCarrier struct {
	DeviceIdentifier string `json:"deviceIdentifier"`
	CarrierHRF       string `json:"carrierHRF"`
}

type annotation struct {
	Text string `json:"text"`
}

type deviceResource struct {
	ResourceType       string       `json:"resourceType"`
	ID                 string       `json:"id"`
	Meta               meta         `json:"meta"`
	UdiCarrier         []udiCarrier `json:"udiCarrier"`
	DistinctIdentifier string       `json:"distinctIdentifier"`
	Status             string       `json:"status"`
	ManufactureDate    string       `json:"manufactureDate"`
	ExpirationDate     string       `json:"expirationDate"`
	LotNumber          string       `json:"lotNumber"`
	SerialNumber       string       `json:"serialNumber"`
	Type               concept      `json:"type"`
	Patient            reference    `json:"patient"`
	Note               []annotation `json:"note,omitempty"`
}

// implantOf maps the ICD-10-PCS codes that place a device to the SNOMED CT
// type of the device placed.
var implantOf = map[string]coding{
	"0SRC0J9": {sysSNOMED, "304120007", "Total knee replacement prosthesis"},
	"02703DZ": {sysSNOMED, "705643001", "Coronary artery stent"},
}

// implants renders the Device a stay's procedure implanted, named by the
// claim that bills it and the Procedure clinical.go serves for it
// (procedure-<claim>-<n>, in the order of the claim's PCS codes).
func (b *builder) implants(r *rand.Rand, subject reference, rec *usCoreRecord) {
	for i := range b.claims {
		c := &b.claims[i]
		for j, pcs := range c.pcs {
			typ, ok := implantOf[pcs.Code]
			if !ok {
				continue
			}
			made := addDays(c.start, -60-r.IntN(300))
			expires := addDays(made, 5*oneYear)
			di := fmt.Sprintf("0%013d", 8_000_000_000_000+r.Int64N(999_999_999_999))
			lot := fmt.Sprintf("L%06d", r.IntN(1_000_000))
			serial := fmt.Sprintf("S%09d", r.IntN(1_000_000_000))
			hrf := "(01)" + di + "(11)" + made.Format("060102") + "(17)" + expires.Format("060102") + "(10)" + lot + "(21)" + serial
			updated := b.cal.stamp(r, c.end)
			id := "device-" + c.number
			if j > 0 {
				id = fmt.Sprintf("device-%s-%d", c.number, j+1)
			}
			res := deviceResource{
				ResourceType: "Device", ID: id,
				Meta:               meta{LastUpdated: fmtInstant(updated), Profile: []string{profDevice}},
				UdiCarrier:         []udiCarrier{{DeviceIdentifier: di, CarrierHRF: hrf}},
				DistinctIdentifier: di + serial,
				Status:             "active",
				ManufactureDate:    fmtDate(made),
				ExpirationDate:     fmtDate(expires),
				LotNumber:          lot,
				SerialNumber:       serial,
				Type:               concept{Coding: []coding{typ}, Text: typ.Display},
				Patient:            subject,
				Note: []annotation{{Text: fmt.Sprintf("Implanted by Procedure/procedure-%s-%d (%s %s) during the stay billed as claim %s, Encounter/encounter-%s.",
					c.number, j+1, pcs.Code, pcs.Display, c.number, c.number)}},
			}
			rec.devices = append(rec.devices, Resource{Type: "Device", ID: id, LastUpdated: updated, Start: c.visit, End: c.visit,
				Code: []string{token(typ)}, JSON: b.enc.encode(&res)})
		}
	}
}

type qrAnswer struct {
	ValueCoding  *coding  `json:"valueCoding,omitempty"`
	ValueDecimal *float64 `json:"valueDecimal,omitempty"`
}

type qrItem struct {
	LinkID string     `json:"linkId"`
	Text   string     `json:"text"`
	Answer []qrAnswer `json:"answer"`
}

type primitiveExtension struct {
	Extension []extension `json:"extension"`
}

type questionnaireResponseResource struct {
	ResourceType     string              `json:"resourceType"`
	ID               string              `json:"id"`
	Meta             meta                `json:"meta"`
	Identifier       identifier          `json:"identifier"`
	Questionnaire    string              `json:"questionnaire"`
	QuestionnaireExt *primitiveExtension `json:"_questionnaire,omitempty"`
	Status           string              `json:"status"`
	Subject          reference           `json:"subject"`
	Encounter        *reference          `json:"encounter,omitempty"`
	Authored         string              `json:"authored"`
	Author           reference           `json:"author"`
	Item             []qrItem            `json:"item"`
}

// The PHQ-2 (LOINC 55757-9) and its answer list LL358-3.
var (
	phq2Questions = []coding{
		{sysLOINC, "44250-9", "Little interest or pleasure in doing things"},
		{sysLOINC, "44255-8", "Feeling down, depressed, or hopeless"},
	}
	phq2Answers = []coding{
		{sysLOINC, "LA6568-5", "Not at all"},
		{sysLOINC, "LA6569-3", "Several days"},
		{sysLOINC, "LA6570-1", "More than half the days"},
		{sysLOINC, "LA6571-9", "Nearly every day"},
	}
	sysQuestionnaireResponseID = "http://apiservicessbext.bcbsnc.com/identifier#questionnaire_response_id"
)

// wellnessAnswers renders the PHQ-2 the member answered at each Medicare
// wellness visit (G0402, G0438, G0439 include a depression screening,
// 42 CFR 410.15); a member with depression scores higher.
func (b *builder) wellnessAnswers(r *rand.Rand, subject reference, rec *usCoreRecord) {
	depressed := false
	for i, c := range b.conds {
		depressed = depressed || c.key == "depression" && b.states[i].active
	}
	for i := range b.claims {
		c := &b.claims[i]
		if !isWellnessVisit(c) {
			continue
		}
		authored := c.visit.Add(-time.Duration(5+r.IntN(20)) * time.Minute)
		items := make([]qrItem, 0, 3)
		total := 0
		screen := phq2Screen{claim: c.number}
		for _, q := range phq2Questions {
			score := 0
			if u := r.Float64(); depressed && u < 0.7 || u < 0.15 {
				score = 1 + r.IntN(3)
			}
			screen.scores = append(screen.scores, score)
			total += score
			a := phq2Answers[score]
			items = append(items, qrItem{LinkID: q.Code, Text: q.Display, Answer: []qrAnswer{{ValueCoding: &a}}})
		}
		sum := float64(total)
		items = append(items, qrItem{LinkID: "55758-7", Text: "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]", Answer: []qrAnswer{{ValueDecimal: &sum}}})
		updated := b.cal.stamp(r, authored)
		id := "questionnaireresponse-" + c.number
		res := questionnaireResponseResource{
			ResourceType: "QuestionnaireResponse", ID: id,
			Meta:          meta{LastUpdated: fmtInstant(updated), Profile: []string{profQuestionnaireRes}},
			Identifier:    identifier{System: sysQuestionnaireResponseID, Value: c.number},
			Questionnaire: "http://loinc.org/q/55757-9",
			QuestionnaireExt: &primitiveExtension{Extension: []extension{
				{URL: "http://hl7.org/fhir/StructureDefinition/display", ValueString: "Patient Health Questionnaire-2 (PHQ-2)"},
			}},
			Status:    "completed",
			Subject:   subject,
			Encounter: &reference{Reference: "Encounter/encounter-" + c.number},
			Authored:  fmtInstant(authored),
			Author:    subject,
			Item:      items,
		}
		rec.screens = append(rec.screens, screen)
		rec.answers = append(rec.answers, Resource{Type: "QuestionnaireResponse", ID: id, LastUpdated: updated, Start: authored, End: authored,
			Code: []string{"http://loinc.org/q/55757-9"}, JSON: b.enc.encode(&res)})
	}
}

// isWellnessVisit reports whether c bills a Medicare preventive visit.
func isWellnessVisit(c *claim) bool {
	if encounterOf(c) == "" {
		return false
	}
	for _, l := range c.lines {
		switch l.product.Code {
		case svcIPPE.code, svcAWVInitial.code, svcAWV.code:
			return true
		}
	}
	return false
}
