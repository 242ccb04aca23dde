package generator

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// This file and the other uscore_*.go files render the US Core 6.1
// resources a health plan holds beside the claims: lab and note reports,
// the orders and specimens behind them, care plans, goals and the care
// team, dispenses of the pharmacy claims, implants, clinical notes,
// questionnaire answers, and the Provenance of every clinical resource.
// Each is derived from the member's timeline and from the clinical
// resources already rendered, so that every one tells the same story, and
// draws only from streamUSCore, so adding them changed no resource that
// was served before.

// streamUSCore is the random stream of the resources of this file.
const streamUSCore = streamPatient + 1

// US Core 6.1 profiles of the resources below.
const (
	profDiagnosticLab    = usCore + "us-core-diagnosticreport-lab"
	profDiagnosticNote   = usCore + "us-core-diagnosticreport-note"
	profDocumentRef      = usCore + "us-core-documentreference"
	profCarePlan         = usCore + "us-core-careplan"
	profGoal             = usCore + "us-core-goal"
	profCareTeam         = usCore + "us-core-careteam"
	profMedDispense      = usCore + "us-core-medicationdispense"
	profMedicationUS     = usCore + "us-core-medication"
	profProvenance       = usCore + "us-core-provenance"
	profLocation         = usCore + "us-core-location"
	profPractitionerRole = usCore + "us-core-practitionerrole"
	profDevice           = usCore + "us-core-implantable-device"
	profServiceRequest   = usCore + "us-core-servicerequest"
	profSpecimen         = usCore + "us-core-specimen"
	profQuestionnaireRes = usCore + "us-core-questionnaireresponse"
)

// Code systems of the resources below.
const (
	sysV20074          = "http://terminology.hl7.org/CodeSystem/v2-0074"
	sysCarePlanCat     = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
	sysUSCoreDocCat    = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
	sysProvType        = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
	sysUSCoreProvType  = "http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type"
	sysUSCoreCategory  = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
	sysLocationType    = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	sysGoalAchievement = "http://terminology.hl7.org/CodeSystem/goal-achievement"
	sysDiagService     = "http://terminology.hl7.org/CodeSystem/v2-0074"
)

// usCoreClinicalTypes is the order the groups rendered here follow the
// existing clinical resources in Member.Resources.
var usCoreClinicalTypes = []string{"DiagnosticReport", "ServiceRequest", "Specimen", "DocumentReference",
	"CarePlan", "Goal", "CareTeam", "MedicationDispense", "Device", "QuestionnaireResponse", "Provenance"}

// usCoreRecord holds the resources of this file by type while they are
// rendered.
type usCoreRecord struct {
	reports, requests, specimens, documents []Resource
	plans, goals, teams, dispenses          []Resource
	devices, answers, provenances           []Resource
	medications                             map[string]drug // Medication id to its drug
	// screens and imaging are the PHQ-2s answered and the imaging
	// studies reported, for the Observations of uscore_findings.go.
	screens []phq2Screen
	imaging []imagingStudy
}

// usCore renders the US Core resources derived from the member's timeline
// and from served, the member's resources rendered so far (Patient,
// Coverage, claims and clinical resources); it returns them in
// usCoreClinicalTypes order, the encounter diagnoses and Observations of
// uscore_findings.go (whose Provenance is among the first), and the drugs
// dispensed by Medication id.
func (b *builder) usCore(r *rand.Rand, served []Resource) (out, findings []Resource, meds map[string]drug) {
	subject := reference{Reference: "Patient/" + b.pid}
	short := strings.TrimPrefix(b.pid, "-")
	rec := usCoreRecord{medications: map[string]drug{}}
	obsAt := observationTimes(served)
	b.labReports(r, subject, &rec, obsAt)
	b.imagingReports(r, subject, &rec)
	b.clinicalNotes(r, subject, &rec)
	b.carePlans(r, subject, short, &rec)
	b.usCareTeam(r, subject, short, &rec)
	b.dispenses(r, subject, short, &rec)
	b.implants(r, subject, &rec)
	b.wellnessAnswers(r, subject, &rec)
	for _, group := range [][]Resource{rec.reports, rec.requests, rec.specimens, rec.documents,
		rec.plans, rec.goals, rec.teams, rec.dispenses, rec.devices, rec.answers} {
		out = append(out, group...)
	}
	findings = b.usCoreFindings(newRand(b.g.seed, b.spec.Number, streamUSCoreFindings), subject, &rec, obsAt)
	findings = append(findings, b.pediatricBMI(subject, served, findings)...)
	// The plan transmits every resource it serves of the member (US Core
	// Provenance, "Basic Provenance Requirements").
	prov := provenances(short, served, nil)
	prov = append(prov, provenances(short, out, prov)...)
	prov = append(prov, provenances(short, findings, prov)...)
	return append(out, prov...), findings, rec.medications
}

// practiceRefs adds to the member's references the clinic of every
// practitioner it references, which the practitioner's PractitionerRole
// names, so that the clinic is served beside it.
func (b *builder) practiceRefs() {
	for _, id := range sorted(b.refs.practitioners) {
		b.refs.org(practiceOf(id))
	}
}

// usCoreDirectory renders the Medication each dispense names, the
// Location of every provider organization and the PractitionerRole of
// every practitioner the member's resources reference.
func (b *builder) usCoreDirectory(meds map[string]drug) []Resource {
	var out []Resource
	ids := make([]string, 0, len(meds))
	for id := range meds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, medicationResourceOf(b.enc, id, meds[id]))
	}
	for _, id := range sorted(b.refs.organizations) {
		if id == organizationPayerID {
			continue
		}
		out = append(out, b.g.usDirectory(b.enc, "Location", id))
	}
	for _, id := range sorted(b.refs.practitioners) {
		out = append(out, b.g.usDirectory(b.enc, "PractitionerRole", id))
	}
	return out
}

// narrative is a resource's text: generated from its structured content
// (R4 Narrative.status "generated").
type narrative struct {
	Status string `json:"status"`
	Div    string `json:"div"`
}

func narrativeOf(text string) *narrative {
	return &narrative{Status: "generated", Div: `<div xmlns="http://www.w3.org/1999/xhtml">` + escapeXHTML(text) + `</div>`}
}

// escapeXHTML escapes the characters XHTML reserves.
func escapeXHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// encounterOf returns the id of claim c's Encounter, "" when its type
// records no visit (clinical.go renders one for each such claim).
func encounterOf(c *claim) string {
	if _, _, ok := encounterClass(c); !ok {
		return ""
	}
	return "encounter-" + c.number
}

func itoa(n int) string { return strconv.Itoa(n) }

// ftoa writes x as the shortest decimal that reads back as x.
func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
