package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Lab and imaging reports, the orders and specimens behind them, and the
// clinical notes of visits (US Core DiagnosticReport, ServiceRequest,
// Specimen and DocumentReference).

type attachment struct {
	ContentType string `json:"contentType"`
	Language    string `json:"language,omitempty"`
	Data        []byte `json:"data,omitempty"` // base64 on the wire (R4 base64Binary)
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

type diagnosticReportResource struct {
	ResourceType      string       `json:"resourceType"`
	ID                string       `json:"id"`
	Meta              meta         `json:"meta"`
	BasedOn           []reference  `json:"basedOn,omitempty"`
	Status            string       `json:"status"`
	Category          []concept    `json:"category"`
	Code              concept      `json:"code"`
	Subject           reference    `json:"subject"`
	Encounter         *reference   `json:"encounter,omitempty"`
	EffectiveDateTime string       `json:"effectiveDateTime"`
	Issued            string       `json:"issued"`
	Performer         []reference  `json:"performer"`
	Specimen          []reference  `json:"specimen,omitempty"`
	Result            []reference  `json:"result,omitempty"`
	Conclusion        string       `json:"conclusion,omitempty"`
	PresentedForm     []attachment `json:"presentedForm,omitempty"`
}

type serviceRequestResource struct {
	ResourceType     string      `json:"resourceType"`
	ID               string      `json:"id"`
	Meta             meta        `json:"meta"`
	Status           string      `json:"status"`
	Intent           string      `json:"intent"`
	Category         []concept   `json:"category"`
	Code             concept     `json:"code"`
	Subject          reference   `json:"subject"`
	Encounter        *reference  `json:"encounter,omitempty"`
	OccurrencePeriod period      `json:"occurrencePeriod"`
	AuthoredOn       string      `json:"authoredOn"`
	Requester        reference   `json:"requester"`
	ReasonCode       []concept   `json:"reasonCode,omitempty"`
	ReasonReference  []reference `json:"reasonReference,omitempty"`
}

type specimenCollection struct {
	CollectedDateTime string `json:"collectedDateTime"`
}

type specimenResource struct {
	ResourceType string             `json:"resourceType"`
	ID           string             `json:"id"`
	Meta         meta               `json:"meta"`
	Status       string             `json:"status"`
	Type         concept            `json:"type"`
	Subject      reference          `json:"subject"`
	ReceivedTime string             `json:"receivedTime"`
	Request      []reference        `json:"request,omitempty"`
	Collection   specimenCollection `json:"collection"`
}

type docContent struct {
	Attachment attachment `json:"attachment"`
	Format     *coding    `json:"format,omitempty"`
}

type docContext struct {
	Encounter []reference `json:"encounter,omitempty"`
	Period    *period     `json:"period,omitempty"`
}

type documentReferenceResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Meta         meta         `json:"meta"`
	Identifier   []identifier `json:"identifier"`
	Status       string       `json:"status"`
	Type         concept      `json:"type"`
	Category     []concept    `json:"category"`
	Subject      reference    `json:"subject"`
	Date         string       `json:"date"`
	Author       []reference  `json:"author"`
	Content      []docContent `json:"content"`
	Context      docContext   `json:"context"`
}

var (
	categoryLab       = coding{sysV20074, "LAB", "Laboratory"}
	categoryRadiology = coding{sysLOINC, "LP29684-5", "Radiology"}
	categoryCardio    = coding{sysLOINC, "LP29708-2", "Cardiology"}
	categoryNote      = coding{sysUSCoreDocCat, "clinical-note", "Clinical Note"}
	srLaboratory      = coding{sysSNOMED, "108252007", "Laboratory procedure"}
	srImaging         = coding{sysSNOMED, "363679005", "Imaging"}
	specimenBlood     = coding{sysSNOMED, "119297000", "Blood specimen"}
	reportLab         = coding{sysLOINC, "11502-2", "Laboratory report"}
	reportLipids      = coding{sysLOINC, "57698-3", "Lipid panel with direct LDL - Serum or Plasma"}
	noteProgress      = coding{sysLOINC, "11506-3", "Progress note"}
	noteDischarge     = coding{sysLOINC, "18842-5", "Discharge summary"}
	// The IHE format code for a document whose MIME type says all
	// (US Core DocumentReference, content.format).
	formatMimeSufficient = &coding{"http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode", "urn:ihe:iti:xds:2017:mimeTypeSufficient", "mimeType Sufficient"}
	sysDocumentID        = "http://apiservicessbext.bcbsnc.com/identifier#document_id"
)

// imagingStudies are the LOINC reports of the outpatient procedures that
// produce one, by the CPT billed.
var imagingStudies = map[string]struct {
	code, category coding
}{
	"71046": {coding{sysLOINC, "36643-5", "XR Chest 2 Views"}, categoryRadiology},
	"74177": {coding{sysLOINC, "18748-4", "Diagnostic imaging study"}, categoryRadiology},
	"93306": {coding{sysLOINC, "42148-7", "US Heart"}, categoryCardio},
}

// observationTimes maps the id of every clinical Observation to its
// effective time, which the reports and specimens share.
func observationTimes(clinical []Resource) map[string]time.Time {
	out := map[string]time.Time{}
	for i := range clinical {
		if clinical[i].Type == "Observation" {
			out[clinical[i].ID] = clinical[i].Start
		}
	}
	return out
}

// labReports renders, for every claim that bills lab tests, the order
// (ServiceRequest), the blood drawn (Specimen) and the report
// (DiagnosticReport) grouping the Observations of its results: the
// HbA1c, lipid and other results clinical.go serves as obs-<claim>-1, -2,
// … in the order of the claim's lab lines.
func (b *builder) labReports(r *rand.Rand, subject reference, rec *usCoreRecord, obsAt map[string]time.Time) {
	for i := range b.claims {
		c := &b.claims[i]
		var labs []*lab
		for j := range c.lines {
			if c.lines[j].lab != nil {
				labs = append(labs, c.lines[j].lab)
			}
		}
		if len(labs) == 0 {
			continue
		}
		when, ok := obsAt["obs-"+c.number+"-1"]
		if !ok {
			continue
		}
		code := reportLab
		switch {
		case len(labs) == 1:
			code = coding{sysLOINC, labs[0].loinc, labs[0].display}
		case slices.ContainsFunc(labs, func(l *lab) bool { return l.loinc == labLDL.loinc }):
			code = reportLipids
		}
		var enc *reference
		if id := encounterOf(c); id != "" {
			enc = &reference{Reference: "Encounter/" + id}
		}
		requester := b.refs.practitioner(c.rendering)
		srID, spID, drID := "servicerequest-"+c.number, "specimen-"+c.number, "diagnosticreport-"+c.number
		reason := []concept{{Coding: []coding{c.diags[0]}, Text: c.diags[0].Display}}

		srUpdated := b.cal.stamp(r, when)
		sr := serviceRequestResource{
			ResourceType: "ServiceRequest", ID: srID,
			Meta:             meta{LastUpdated: fmtInstant(srUpdated), Profile: []string{profServiceRequest}},
			Status:           "completed",
			Intent:           "order",
			Category:         []concept{{Coding: []coding{srLaboratory}}},
			Code:             concept{Coding: []coding{code}, Text: code.Display},
			Subject:          subject,
			Encounter:        enc,
			OccurrencePeriod: period{Start: fmtInstant(c.visit), End: fmtInstant(when)},
			AuthoredOn:       fmtInstant(c.visit),
			Requester:        requester,
			ReasonCode:       reason,
		}
		rec.requests = append(rec.requests, Resource{Type: "ServiceRequest", ID: srID, LastUpdated: srUpdated, Start: c.visit, End: c.visit,
			Category: []string{token(srLaboratory)}, Code: []string{token(code)}, JSON: b.enc.encode(&sr)})

		received := when.Add(time.Duration(1+r.IntN(5)) * time.Hour)
		spUpdated := b.cal.stamp(r, received)
		sp := specimenResource{
			ResourceType: "Specimen", ID: spID,
			Meta:         meta{LastUpdated: fmtInstant(spUpdated), Profile: []string{profSpecimen}},
			Status:       "unavailable",
			Type:         concept{Coding: []coding{specimenBlood}, Text: specimenBlood.Display},
			Subject:      subject,
			ReceivedTime: fmtInstant(received),
			Request:      []reference{{Reference: "ServiceRequest/" + srID}},
			Collection:   specimenCollection{CollectedDateTime: fmtInstant(when)},
		}
		rec.specimens = append(rec.specimens, Resource{Type: "Specimen", ID: spID, LastUpdated: spUpdated, Start: when, End: when,
			Code: []string{token(specimenBlood)}, JSON: b.enc.encode(&sp)})

		issued := when.Add(time.Duration(4+r.IntN(44)) * time.Hour)
		drUpdated := b.cal.stamp(r, issued)
		results := make([]reference, len(labs))
		for k := range labs {
			results[k] = reference{Reference: fmt.Sprintf("Observation/obs-%s-%d", c.number, k+1)}
		}
		dr := diagnosticReportResource{
			ResourceType: "DiagnosticReport", ID: drID,
			Meta:              meta{LastUpdated: fmtInstant(drUpdated), Profile: []string{profDiagnosticLab}},
			BasedOn:           []reference{{Reference: "ServiceRequest/" + srID}},
			Status:            "final",
			Category:          []concept{{Coding: []coding{categoryLab}}},
			Code:              concept{Coding: []coding{code}, Text: code.Display},
			Subject:           subject,
			Encounter:         enc,
			EffectiveDateTime: fmtInstant(when),
			Issued:            fmtInstant(issued),
			Performer:         []reference{b.refs.org(c.provider)},
			Specimen:          []reference{{Reference: "Specimen/" + spID}},
			Result:            results,
		}
		rec.reports = append(rec.reports, Resource{Type: "DiagnosticReport", ID: drID, LastUpdated: drUpdated, Start: when, End: when,
			Category: []string{token(categoryLab)}, Code: []string{token(code)}, JSON: b.enc.encode(&dr)})
	}
}

// imagingReports renders the order and the signed report, its text
// inline, of every outpatient imaging study a claim bills.
func (b *builder) imagingReports(r *rand.Rand, subject reference, rec *usCoreRecord) {
	for i := range b.claims {
		c := &b.claims[i]
		if c.procedure == nil {
			continue
		}
		kind, ok := imagingStudies[c.procedure.code]
		if !ok {
			continue
		}
		var enc *reference
		if id := encounterOf(c); id != "" {
			enc = &reference{Reference: "Encounter/" + id}
		}
		srID, drID := "servicerequest-"+c.number+"-img", "diagnosticreport-"+c.number+"-img"
		ordered := coding{c.procedure.system, c.procedure.code, c.procedure.display}
		srUpdated := b.cal.stamp(r, c.visit)
		sr := serviceRequestResource{
			ResourceType: "ServiceRequest", ID: srID,
			Meta:             meta{LastUpdated: fmtInstant(srUpdated), Profile: []string{profServiceRequest}},
			Status:           "completed",
			Intent:           "order",
			Category:         []concept{{Coding: []coding{srImaging}}},
			Code:             concept{Coding: []coding{ordered}, Text: ordered.Display},
			Subject:          subject,
			Encounter:        enc,
			OccurrencePeriod: period{Start: fmtInstant(c.visit), End: fmtInstant(c.visit.Add(time.Hour))},
			AuthoredOn:       fmtInstant(c.visit),
			Requester:        b.refs.practitioner(c.rendering),
			ReasonCode:       []concept{{Coding: []coding{c.diags[0]}, Text: c.diags[0].Display}},
		}
		rec.requests = append(rec.requests, Resource{Type: "ServiceRequest", ID: srID, LastUpdated: srUpdated, Start: c.visit, End: c.visit,
			Category: []string{token(srImaging)}, Code: []string{token(ordered)}, JSON: b.enc.encode(&sr)})

		when := c.visit.Add(time.Duration(20+r.IntN(40)) * time.Minute)
		rec.imaging = append(rec.imaging, imagingStudy{claim: c.number, cpt: c.procedure.code, when: when})
		issued := when.Add(time.Duration(2+r.IntN(20)) * time.Hour)
		updated := b.cal.stamp(r, issued)
		text := fmt.Sprintf("%s, %s. Indication: %s (%s). Findings: no acute abnormality. Impression: normal study. Documents Encounter/encounter-%s.",
			kind.code.Display, fmtDate(when), c.diags[0].Display, c.diags[0].Code, c.number)
		dr := diagnosticReportResource{
			ResourceType: "DiagnosticReport", ID: drID,
			Meta:              meta{LastUpdated: fmtInstant(updated), Profile: []string{profDiagnosticNote}},
			BasedOn:           []reference{{Reference: "ServiceRequest/" + srID}},
			Status:            "final",
			Category:          []concept{{Coding: []coding{kind.category}}},
			Code:              concept{Coding: []coding{kind.code}, Text: kind.code.Display},
			Subject:           subject,
			Encounter:         enc,
			EffectiveDateTime: fmtInstant(when),
			Issued:            fmtInstant(issued),
			Performer:         []reference{b.refs.practitioner(c.rendering)},
			Conclusion:        "Normal study.",
			PresentedForm:     []attachment{{ContentType: "text/plain", Language: "en-US", Data: []byte(text), Title: kind.code.Display}},
		}
		rec.reports = append(rec.reports, Resource{Type: "DiagnosticReport", ID: drID, LastUpdated: updated, Start: when, End: when,
			Category: []string{token(kind.category)}, Code: []string{token(kind.code)}, JSON: b.enc.encode(&dr)})
	}
}

// notesPerMember bounds the clinical notes of a member: the most recent
// visits' notes, as a plan keeps the notes its care managers requested.
const notesPerMember = 6

// clinicalNotes renders a note for each of the member's last visits: a
// progress note for an office or outpatient visit, a discharge summary
// for a stay, its text inline and naming the Encounter it documents.
func (b *builder) clinicalNotes(r *rand.Rand, subject reference, rec *usCoreRecord) {
	var visits []int
	for i := len(b.claims) - 1; i >= 0 && len(visits) < notesPerMember; i-- {
		if encounterOf(&b.claims[i]) != "" {
			visits = append(visits, i)
		}
	}
	slices.Reverse(visits)
	for _, i := range visits {
		c := &b.claims[i]
		class, _, _ := encounterClass(c)
		typ := noteProgress
		if class.Code != "AMB" {
			typ = noteDischarge
		}
		encID := encounterOf(c)
		written := c.end.Add(time.Duration(15+r.IntN(8)) * time.Hour)
		updated := b.cal.stamp(r, written)
		author := b.refs.practitioner(c.rendering)
		text := fmt.Sprintf("%s for Encounter/%s (claim %s), %s to %s.\nReason for visit: %s (%s).\nAssessment and plan: condition reviewed; continue current treatment; follow up as scheduled.\nAuthor: %s.",
			typ.Display, encID, c.number, fmtDate(c.start), fmtDate(c.end), c.diags[0].Display, c.diags[0].Code, author.Reference)
		id := "documentreference-" + c.number
		res := documentReferenceResource{
			ResourceType: "DocumentReference", ID: id,
			Meta:       meta{LastUpdated: fmtInstant(updated), Profile: []string{profDocumentRef}},
			Identifier: []identifier{{System: sysDocumentID, Value: c.number}},
			Status:     "current",
			Type:       concept{Coding: []coding{typ}, Text: typ.Display},
			Category:   []concept{{Coding: []coding{categoryNote}}},
			Subject:    subject,
			Date:       fmtInstant(written),
			Author:     []reference{author},
			Content: []docContent{{
				Attachment: attachment{ContentType: "text/plain", Language: "en-US", Data: []byte(text), Title: typ.Display, Creation: fmtInstant(written)},
				Format:     formatMimeSufficient,
			}},
			Context: docContext{
				Encounter: []reference{{Reference: "Encounter/" + encID}},
				Period:    &period{Start: fmtDate(c.start), End: fmtDate(c.end)},
			},
		}
		rec.documents = append(rec.documents, Resource{Type: "DocumentReference", ID: id, LastUpdated: updated, Start: written, End: written,
			Category: []string{token(categoryNote)}, Code: []string{token(typ)}, JSON: b.enc.encode(&res)})
	}
}
