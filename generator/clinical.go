package generator

import (
	"fmt"
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

// token writes a coding as a FHIR token search value, system|code.
func token(c coding) string { return c.System + "|" + c.Code }

// clinicalTypes is the order the clinical groups appear in Member.Resources.
var clinicalTypes = []string{"Condition", "Observation", "Procedure", "AllergyIntolerance", "Immunization", "MedicationRequest", "Encounter"}

// clinicalRecord holds a member's clinical resources by type while they are
// rendered. The steps fill it in the order they draw from the random stream,
// which is not the order Member.Resources lists them in; resources restores
// that order.
type clinicalRecord struct {
	conditions         []Resource
	observations       []Resource
	procedures         []Resource
	allergies          []Resource
	immunizations      []Resource
	medicationRequests []Resource
	encounters         []Resource
}

// resources lists the record in clinicalTypes order.
func (c *clinicalRecord) resources() []Resource {
	var out []Resource
	for _, group := range [][]Resource{c.conditions, c.observations, c.procedures,
		c.allergies, c.immunizations, c.medicationRequests, c.encounters} {
		out = append(out, group...)
	}
	return out
}

// clinical renders the member's US Core resources, derived from the same
// conditions and claims as the EOBs so that both tell one story. Every step
// draws from r, so their order below is part of the output: moving a step
// changes every member (TestMemberHashesUnchanged).
func (b *builder) clinical(r *rand.Rand) []Resource {
	subject := reference{Reference: "Patient/" + b.pid}
	short := strings.TrimPrefix(b.pid, "-")
	body := b.childSize(drawBody(r))
	b.body = body

	var rec clinicalRecord
	// Encounters first, so that Observations and Procedures can point at them.
	var encounters encounterIDs
	rec.encounters, encounters = b.encounters(r, subject)
	rec.conditions = b.conditions(r, subject, short)
	rec.observations = b.observations(r, subject, encounters, body)
	rec.procedures = b.procedures(r, subject, encounters)
	rec.allergies = b.allergies(r, subject, short)
	rec.immunizations = b.immunizations(r, subject, short)
	rec.medicationRequests = b.medicationRequests(r, subject, short)
	return rec.resources()
}

// encounterIDs maps a claim's index in builder.claims to the id of the
// Encounter rendered for it; claims without a visit (DME, home health,
// hospice, pharmacy) have none.
type encounterIDs map[int]string

// ref is the reference to claim i's Encounter, or nil when it has none.
func (e encounterIDs) ref(i int) *reference {
	id, ok := e[i]
	if !ok {
		return nil
	}
	return &reference{Reference: "Encounter/" + id}
}

// encounterClass gives the Encounter class and type of a claim, and false
// for the claim types that record no visit.
func encounterClass(c *claim) (class, typ coding, ok bool) {
	switch c.typ {
	case "carrier", "outpatient":
		return coding{sysActCode, "AMB", "ambulatory"}, c.lines[0].product, true
	case "inpatient":
		return coding{sysActCode, "IMP", "inpatient encounter"}, coding{sysSNOMED, "32485007", "Hospital admission"}, true
	case "snf":
		return coding{sysActCode, "NONAC", "inpatient non-acute"}, coding{sysSNOMED, "32485007", "Hospital admission"}, true
	}
	return coding{}, coding{}, false
}

// encounters renders an Encounter for every office visit, outpatient visit
// and stay, identified by its claim number so that a client can join it to
// the EOB, and returns which claim each one belongs to.
func (b *builder) encounters(r *rand.Rand, subject reference) ([]Resource, encounterIDs) {
	var out []Resource
	ids := make(encounterIDs)
	for i := range b.claims {
		c := &b.claims[i]
		class, typ, ok := encounterClass(c)
		if !ok {
			continue
		}
		id := "encounter-" + c.number
		ids[i] = id
		start := c.visit
		// A stay ends 14 to 21 hours into its last claim day; a same-day
		// visit lasts 20 minutes to two hours.
		end := c.end.Add(time.Duration(14+r.IntN(8)) * time.Hour)
		if c.end.Equal(c.start) {
			end = start.Add(time.Duration(20+r.IntN(100)) * time.Minute)
		}
		updated := b.cal.stamp(r, end)
		practitioner := b.refs.practitioner(c.rendering)
		provider := b.refs.org(c.provider)
		res := encounterResource{
			ResourceType:    "Encounter",
			ID:              id,
			Meta:            meta{LastUpdated: fmtInstant(updated), Profile: []string{profEncounter}},
			Identifier:      []identifier{{System: sysClaimID, Value: c.number}},
			Status:          "finished",
			Class:           class,
			Type:            []concept{{Coding: []coding{typ}}},
			Subject:         subject,
			Participant:     []participant{{Individual: practitioner}},
			Period:          period{Start: fmtInstant(start), End: fmtInstant(end)},
			ReasonCode:      []concept{{Coding: []coding{c.diags[0]}}},
			ServiceProvider: &provider,
		}
		if class.Code != "AMB" {
			// Where the stay discharged the member, as its claim says
			// (dischargeStatus): a skilled nursing facility, else home,
			// with or without home health.
			disposition := conceptOf("http://terminology.hl7.org/CodeSystem/discharge-disposition", "home", "Home")
			if c.discharge == dischargeToSNF {
				disposition = conceptOf("http://terminology.hl7.org/CodeSystem/discharge-disposition", "snf", "Skilled nursing facility")
			}
			res.Hospitalization = &hospitalization{DischargeDisposition: disposition}
		}
		out = append(out, Resource{Type: "Encounter", ID: id, LastUpdated: updated, Start: start, End: end, Code: []string{token(typ)}, JSON: b.enc.encode(&res)})
	}
	return out, ids
}

// conditions renders the member's problem list: an active Condition for
// each condition some claim bills, coded in SNOMED CT and in the ICD-10-CM
// its claims carry. Its onset is the day the member got it; it was
// recorded at the visit that diagnosed it, or for a condition older than
// the history at the first claim that billed it.
func (b *builder) conditions(r *rand.Rand, subject reference, short string) []Resource {
	var out []Resource
	category := coding{sysCondCat, "problem-list-item", "Problem List Item"}
	for i, cond := range b.conds {
		st := &b.states[i]
		if st.named.IsZero() {
			continue
		}
		recorded := st.named
		if st.diagnosed {
			recorded = st.onset
		}
		id := fmt.Sprintf("condition-%s-%d", short, i+1)
		updated := b.cal.stamp(r, recorded)
		res := conditionResource{
			ResourceType:       "Condition",
			ID:                 id,
			Meta:               meta{LastUpdated: fmtInstant(updated), Profile: []string{profCondition}},
			ClinicalStatus:     conceptOf(sysCondClin, "active", "Active"),
			VerificationStatus: conceptOf(sysCondVer, "confirmed", "Confirmed"),
			Category:           []concept{{Coding: []coding{category}}},
			Code:               concept{Coding: []coding{cond.snomed, cond.icd10[0]}, Text: cond.snomed.Display},
			Subject:            subject,
			OnsetDateTime:      fmtDate(st.onset),
			RecordedDate:       fmtDate(recorded),
		}
		out = append(out, Resource{Type: "Condition", ID: id, LastUpdated: updated, Start: st.onset, End: st.onset,
			Category: []string{token(category)}, Code: []string{token(cond.snomed), token(cond.icd10[0])}, JSON: b.enc.encode(&res)})
	}
	return out
}

// procedures renders the ICD-10-PCS procedures of stays and the CPT
// procedures of outpatient visits, each pointing at its claim's Encounter.
func (b *builder) procedures(r *rand.Rand, subject reference, encounters encounterIDs) []Resource {
	var out []Resource
	for i := range b.claims {
		c := &b.claims[i]
		codes := slices.Clone(c.pcs)
		if c.procedure != nil {
			codes = append(codes, coding{c.procedure.system, c.procedure.code, c.procedure.display})
		}
		for j, code := range codes {
			id := fmt.Sprintf("procedure-%s-%d", c.number, j+1)
			when := c.visit.Add(time.Duration(10+r.IntN(20)) * time.Minute)
			updated := b.cal.stamp(r, when)
			res := procedureResource{
				ResourceType: "Procedure", ID: id,
				Meta:              meta{LastUpdated: fmtInstant(updated), Profile: []string{profProcedure}},
				Status:            "completed",
				Code:              concept{Coding: []coding{code}, Text: code.Display},
				Subject:           subject,
				Encounter:         encounters.ref(i),
				PerformedDateTime: fmtInstant(when),
				Performer:         []performer{{Actor: b.refs.practitioner(c.rendering)}},
			}
			out = append(out, Resource{Type: "Procedure", ID: id, LastUpdated: updated, Start: when, End: when,
				Code: []string{token(code)}, JSON: b.enc.encode(&res)})
		}
	}
	return out
}
