package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// A recorded account is one whose record the generator did not draw: the
// docs' accounts, frozen before the US Core profiles of the uscore_*.go
// files existed. RenderRecordedUSCore renders for one the resources of those
// profiles that need more than its record holds (values a visit measured
// but did not record, the answers of a questionnaire, the device a
// procedure implanted), by the same code that renders a generated
// member's, so that both follow the same rules: the record is rebuilt as
// the claims that code reads, and what it draws comes from a stream of
// the account's own.

// Coding is a code of a recorded account (FHIR Coding).
type Coding struct {
	System, Code, Display string
}

// RecordedAccount is what RenderRecordedUSCore reads of a recorded account.
type RecordedAccount struct {
	PatientID string
	Gender    string // R4 AdministrativeGender: only "female" is asked of pregnancy
	Birth     time.Time
	// Entitled is the first day of the member's coverage; one entitled
	// before 65 is entitled by disability, and stopped work before it.
	Entitled time.Time
	// AsOf is the day the record was last updated: nothing rendered is
	// stamped later.
	AsOf time.Time
	// HeightCm is the height the record's BMIs were computed from.
	HeightCm float64
	// Conditions are the member's chronic conditions, by an ICD-10-CM code
	// the sandbox's conditions are billed under, and when each began.
	Conditions []RecordedCondition
	// Claims are the claims the record's visits bill, each joined to its
	// Encounter, and its DME claims, in any order.
	Claims []RecordedClaim
	// Observations are the record's Observations: the vital signs of a
	// visit are taken when its first one was.
	Observations []Resource
}

// RecordedCondition is a chronic condition of a recorded account.
type RecordedCondition struct {
	ICD10 string
	Onset time.Time
}

// RecordedClaim is a claim of a recorded account. Kind is its claim type
// as its ExplanationOfBenefit id starts ("carrier", "outpatient",
// "inpatient", "snf" bill visits, whose Encounter is
// encounter-<Number>; "dme" bills equipment).
type RecordedClaim struct {
	Kind, Number string
	// Start and End are the first and last days it bills; Seen is when
	// its Encounter began.
	Start, End, Seen time.Time
	// Practitioner and Provider are the Practitioner who saw the member
	// and the Organization that billed, by id.
	Practitioner, Provider string
	// Services are the CPT and HCPCS codes of its lines, in order;
	// Diagnoses its ICD-10-CM codes, the principal first; Procedures the
	// ICD-10-PCS codes of a stay, in the order its Procedures are
	// numbered procedure-<Number>-<k>.
	Services, Diagnoses, Procedures []Coding
	// Labs is how many lab results the record numbers obs-<Number>-<k>
	// before its vital signs; Vitals says it took the four vital signs
	// (blood pressure, heart rate, weight and BMI) numbered after them.
	Labs   int
	Vitals bool
}

// RecordedUSCore holds what RenderRecordedUSCore renders, by type, each group
// in the order of the claims.
type RecordedUSCore struct {
	// ServiceRequests and DiagnosticReports are the order and the report
	// of each imaging study a visit bills (US Core ServiceRequest and
	// DiagnosticReport for Report and Note Exchange).
	ServiceRequests, DiagnosticReports []Resource
	// Devices are the implants a stay's procedures placed (US Core
	// Implantable Device).
	Devices []Resource
	// QuestionnaireResponses are the PHQ-2s answered at wellness visits.
	QuestionnaireResponses []Resource
	// Observations are the vital signs beyond the four recorded, smoking
	// status, occupation, pregnancy status and intent, sexual
	// orientation, screening assessments and clinical results of the
	// visits, as generated members carry them.
	Observations []Resource
}

// streamRecorded is the random stream of a recorded account's resources,
// keyed by its patient id. It lies apart from every member's streams.
const streamRecorded uint64 = 0x55C0_0002

// RenderRecordedUSCore renders a's US Core resources that its record does
// not hold. It is a pure function of a.
func RenderRecordedUSCore(a RecordedAccount) (RecordedUSCore, error) {
	b, err := recordedBuilder(a)
	if err != nil {
		return RecordedUSCore{}, err
	}
	seedA, seedB := streamSeeds(idHash(a.PatientID), 0, streamRecorded)
	r := rand.New(rand.NewPCG(seedA, seedB))
	subject := reference{Reference: "Patient/" + a.PatientID}
	var rec usCoreRecord
	b.imagingReports(r, subject, &rec)
	b.implants(r, subject, &rec)
	b.wellnessAnswers(r, subject, &rec)
	out := RecordedUSCore{ServiceRequests: rec.requests, DiagnosticReports: rec.reports, Devices: rec.devices,
		QuestionnaireResponses: rec.answers}
	// usCoreFindings renders the visits' encounter diagnoses too; the
	// recorded account derives its own from its claims, so they are left.
	for _, res := range b.usCoreFindings(r, subject, &rec, observationTimes(a.Observations)) {
		if res.Type == "Observation" {
			out.Observations = append(out.Observations, res)
		}
	}
	return out, nil
}

// recordedBuilder rebuilds a's record as the builder state the renderers
// read: the person, their height, their chronic conditions and their
// claims in date order.
func recordedBuilder(a RecordedAccount) (*builder, error) {
	if a.HeightCm <= 0 {
		return nil, fmt.Errorf("generator: recorded account %s: no height", a.PatientID)
	}
	cal := newCalendar(a.AsOf)
	b := &builder{cal: &cal, pid: a.PatientID, refs: newRefSet(), enc: newEncoder()}
	b.person = person{gender: a.Gender, birth: a.Birth, enrolled: a.Entitled}
	b.person.disabled = b.person.age(a.Entitled) < 65
	b.body.height = a.HeightCm
	for _, rc := range a.Conditions {
		k := slices.IndexFunc(conditions, func(c condition) bool {
			return slices.ContainsFunc(c.icd10, func(d coding) bool { return d.Code == rc.ICD10 })
		})
		if k < 0 {
			continue // not one the renderers ask about
		}
		b.conds = append(b.conds, &conditions[k])
		b.states = append(b.states, condState{onset: rc.Onset, diagnosed: true, active: true, named: rc.Onset})
	}
	for _, rc := range a.Claims {
		c, err := recordedClaim(rc)
		if err != nil {
			return nil, fmt.Errorf("generator: recorded account %s: %w", a.PatientID, err)
		}
		b.claims = append(b.claims, c)
	}
	slices.SortStableFunc(b.claims, func(x, y claim) int {
		if d := x.start.Compare(y.start); d != 0 {
			return d
		}
		if d := x.visit.Compare(y.visit); d != 0 {
			return d
		}
		return strings.Compare(x.number, y.number)
	})
	return b, nil
}

// recordedClaim is rc as the renderers read a claim: its lines bill its
// services, then one line per lab result, which numbers its Observations.
func recordedClaim(rc RecordedClaim) (claim, error) {
	c := claim{typ: rc.Kind, number: rc.Number, start: rc.Start, end: rc.End, visit: rc.Seen,
		provider: rc.Provider, rendering: rc.Practitioner, vitals: rc.Vitals}
	if c.end.Before(c.start) {
		c.end = c.start
	}
	if c.visit.IsZero() {
		c.visit = c.start
	}
	for _, s := range rc.Services {
		c.lines = append(c.lines, line{product: coding(s), date: rc.Start})
		if _, ok := imagingStudies[s.Code]; ok && c.procedure == nil {
			c.procedure = &service{system: s.System, code: s.Code, display: s.Display}
		}
	}
	for range rc.Labs {
		c.lines = append(c.lines, line{lab: &lab{}, date: rc.Start})
	}
	for _, d := range rc.Diagnoses {
		c.diags = append(c.diags, coding(d))
	}
	for _, p := range rc.Procedures {
		c.pcs = append(c.pcs, coding(p))
	}
	switch rc.Kind {
	case "carrier", "outpatient":
		if len(c.lines) == 0 || len(rc.Services) == 0 {
			return claim{}, fmt.Errorf("visit claim %s bills no service", rc.Number)
		}
	case "inpatient", "snf", "dme":
	default:
		return claim{}, fmt.Errorf("claim %s: kind %q", rc.Number, rc.Kind)
	}
	if c.procedure != nil && (len(c.diags) == 0 || c.rendering == "") {
		// An imaging order names its reason and its orderer.
		c.procedure = nil
	}
	return c, nil
}
