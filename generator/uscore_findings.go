package generator

import (
	"math/rand/v2"
	"slices"
	"time"
)

// The US Core 6.1 Observation profiles beyond the lab results and the
// four vital signs clinical.go renders (the other vital signs, smoking
// status, occupation, pregnancy status and intent, sexual orientation,
// screening assessments and clinical results), and the encounter
// diagnoses of the claims (US Core Condition Encounter Diagnosis). Each
// belongs to a visit the claims record, is numbered after the
// Observations clinical.go gave that visit, and is drawn from a stream of
// its own, so adding them changed no resource served before.

// streamUSCoreFindings is the random stream of this file. It lies apart
// from the streams generator.go numbers in a row, so that a stream added
// there never meets it.
const streamUSCoreFindings uint64 = 0x55C0_0001

// US Core 6.1 profiles of the resources below.
const (
	profSmokingStatus      = usCore + "us-core-smokingstatus"
	profScreening          = usCore + "us-core-observation-screening-assessment"
	profOccupation         = usCore + "us-core-observation-occupation"
	profPregnancyStatus    = usCore + "us-core-observation-pregnancystatus"
	profPregnancyIntent    = usCore + "us-core-observation-pregnancyintent"
	profSexualOrientation  = usCore + "us-core-observation-sexual-orientation"
	profClinicalResult     = usCore + "us-core-observation-clinical-result"
	profBodyHeight         = usCore + "us-core-body-height"
	profBodyTemperature    = usCore + "us-core-body-temperature"
	profRespiratoryRate    = usCore + "us-core-respiratory-rate"
	profPulseOximetry      = usCore + "us-core-pulse-oximetry"
	profEncounterDiagnosis = usCore + "us-core-condition-encounter-diagnosis"
)

// Observation categories (R4 observation-category) and codes of the
// resources below.
var (
	categorySocialHistory = coding{sysUSCoreCat, "social-history", "Social History"}
	categorySurvey        = coding{sysUSCoreCat, "survey", "Survey"}
	categoryImaging       = coding{sysUSCoreCat, "imaging", "Imaging"}
	categoryProcedure     = coding{sysUSCoreCat, "procedure", "Procedure"}
	categoryEncounterDx   = coding{sysCondCat, "encounter-diagnosis", "Encounter Diagnosis"}

	codeSmokingStatus     = coding{sysLOINC, "72166-2", "Tobacco smoking status"}
	codeOccupation        = coding{sysLOINC, "11341-5", "History of Occupation"}
	codeIndustry          = coding{sysLOINC, "86188-0", "History of Occupation industry"}
	codePregnancyStatus   = coding{sysLOINC, "82810-3", "Pregnancy status"}
	codePregnancyIntent   = coding{sysLOINC, "86645-9", "Pregnancy intention in the next year - Reported"}
	codeSexualOrientation = coding{sysLOINC, "76690-7", "Sexual orientation"}
	codePHQ2Panel         = coding{sysLOINC, "55757-9", "Patient Health Questionnaire 2 item (PHQ-2) [Reported]"}
	codePHQ2Total         = coding{sysLOINC, "55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]"}
	codeECGImpression     = coding{sysLOINC, "8601-7", "EKG impression"}
	codeEjectionFraction  = coding{sysLOINC, "10230-1", "Left ventricular Ejection fraction"}
	codeRadiologyFinding  = coding{sysLOINC, "18782-3", "Radiology Study observation (narrative)"}
	codeBodyHeight        = coding{sysLOINC, "8302-2", "Body height"}
	codeBodyTemperature   = coding{sysLOINC, "8310-5", "Body temperature"}
	codeRespiratoryRate   = coding{sysLOINC, "9279-1", "Respiratory rate"}
	codePulseOximetry     = coding{sysLOINC, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}
	codeOxygenSaturation  = coding{sysLOINC, "2708-6", "Oxygen saturation in Arterial blood"}
	codeInhaledO2Flow     = coding{sysLOINC, "3151-8", "Inhaled oxygen flow rate"}
	codeInhaledO2Conc     = coding{sysLOINC, "3150-0", "Inhaled oxygen concentration"}

	// Smoking Status Type (US Core 6.1, the smoking status value).
	smokesDaily        = coding{sysSNOMED, "449868002", "Smokes tobacco daily"}
	smokesOccasionally = coding{sysSNOMED, "428041000124106", "Occasional tobacco smoker"}
	exSmoker           = coding{sysSNOMED, "8517006", "Ex-smoker"}
	neverSmoked        = coding{sysSNOMED, "266919005", "Never smoked tobacco"}

	// Pregnancy Status and Pregnancy Intent (US Core 6.1 value sets).
	notPregnant          = coding{sysSNOMED, "60001007", "Not pregnant"}
	wantsPregnancy       = coding{sysSNOMED, "454381000124105", "Wants to become pregnant"}
	doesNotWantPregnancy = coding{sysSNOMED, "454391000124108", "Does not want to become pregnant"}

	// Sexual Orientation (US Core 6.1: SNOMED CT findings and HL7 null
	// flavors).
	sexualOrientations = []coding{
		{sysSNOMED, "20430005", "Heterosexual"},
		{sysSNOMED, "38628009", "Homosexual"},
		{sysSNOMED, "42035005", "Bisexual"},
		{"http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "ASKU", "Asked but no answer"},
	}
	sexualOrientationShare = []float64{0.9, 0.03, 0.025, 0.045}

	sinusRhythm        = coding{sysSNOMED, "426783006", "Normal sinus rhythm"}
	atrialFibrillation = coding{sysSNOMED, "49436004", "Atrial fibrillation"}
	sysODH             = "urn:oid:2.16.840.1.114222.4.5.327" // CDC Occupational Data for Health
)

// occupations are usual occupations and their industries, in CDC
// Occupational Data for Health codes (US Core 6.1 Occupation, value and
// component:industry).
var occupations = []struct{ occupation, industry coding }{
	{coding{sysODH, "31-1014.00.007136", "Certified Nursing Assistant (CNA) [Nursing Assistants]"}, coding{sysODH, "621610.008495", "Home nursing services"}},
	{coding{sysODH, "29-2099.06.034077", "Radiology Technician (Radiology Tech) [Radiologic Technicians]"}, coding{sysODH, "621610.008495", "Home nursing services"}},
}

type findingComponent struct {
	Code                 concept   `json:"code"`
	ValueQuantity        *quantity `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *concept  `json:"valueCodeableConcept,omitempty"`
}

// findingResource is an Observation of the profiles of this file.
type findingResource struct {
	ResourceType         string             `json:"resourceType"`
	ID                   string             `json:"id"`
	Meta                 meta               `json:"meta"`
	BasedOn              []reference        `json:"basedOn,omitempty"`
	Status               string             `json:"status"`
	Category             []concept          `json:"category"`
	Code                 concept            `json:"code"`
	Subject              reference          `json:"subject"`
	Encounter            *reference         `json:"encounter,omitempty"`
	EffectiveDateTime    string             `json:"effectiveDateTime,omitempty"`
	EffectivePeriod      *period            `json:"effectivePeriod,omitempty"`
	Performer            []reference        `json:"performer,omitempty"`
	ValueQuantity        *quantity          `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *concept           `json:"valueCodeableConcept,omitempty"`
	ValueString          string             `json:"valueString,omitempty"`
	HasMember            []reference        `json:"hasMember,omitempty"`
	DerivedFrom          []reference        `json:"derivedFrom,omitempty"`
	Component            []findingComponent `json:"component,omitempty"`
}

type encounterDiagnosisResource struct {
	ResourceType       string    `json:"resourceType"`
	ID                 string    `json:"id"`
	Meta               meta      `json:"meta"`
	ClinicalStatus     concept   `json:"clinicalStatus"`
	VerificationStatus concept   `json:"verificationStatus"`
	Category           []concept `json:"category"`
	Code               concept   `json:"code"`
	Subject            reference `json:"subject"`
	Encounter          reference `json:"encounter"`
	OnsetDateTime      string    `json:"onsetDateTime"`
	AbatementDateTime  string    `json:"abatementDateTime,omitempty"`
	RecordedDate       string    `json:"recordedDate"`
}

// phq2Screen is one PHQ-2 a member answered (QuestionnaireResponse
// questionnaireresponse-<claim>), kept for the screening Observations.
type phq2Screen struct {
	claim  string
	scores []int
}

// imagingStudy is one imaging report (DiagnosticReport
// diagnosticreport-<claim>-img), kept for its clinical result.
type imagingStudy struct {
	claim string
	cpt   string
	when  time.Time
}

// socialHistory is what the member tells every visit that asks: drawn
// once, so that every record of it agrees.
type socialHistory struct {
	smoking     coding
	orientation coding
	occupation  int
	workedFrom  time.Time
	workedTo    time.Time
	wantsChild  bool
}

// drawSocialHistory draws the member's smoking, sexual orientation and
// usual occupation. A member with COPD smokes or has smoked (most COPD is
// smoking's, GOLD 2023 ch. 1); others smoke at about the rate of US
// adults their age.
func (b *builder) drawSocialHistory(r *rand.Rand) socialHistory {
	var s socialHistory
	copd := slices.ContainsFunc(b.conds, func(c *condition) bool { return c.key == "copd" })
	current, former := 0.11, 0.36
	if copd {
		current, former = 0.4, 0.6
	}
	switch u := r.Float64(); {
	case u < current*0.85:
		s.smoking = smokesDaily
	case u < current:
		s.smoking = smokesOccasionally
	case u < current+former:
		s.smoking = exSmoker
	default:
		s.smoking = neverSmoked
	}
	u := r.Float64()
	for i, share := range sexualOrientationShare {
		if u < share || i == len(sexualOrientationShare)-1 {
			s.orientation = sexualOrientations[i]
			break
		}
		u -= share
	}
	p := &b.person
	s.occupation = r.IntN(len(occupations))
	start := p.birth.AddDate(18+r.IntN(4), r.IntN(12), 0)
	end := p.birth.AddDate(62+r.IntN(5), r.IntN(12), 0)
	if p.disabled {
		// Entitled by disability: work ended before the entitlement.
		end = later(start.AddDate(2, 0, 0), p.enrolled.AddDate(0, -6-r.IntN(24), 0))
	}
	if last := b.cal.asOf.AddDate(-1, 0, 0); end.After(last) {
		end = last
	}
	s.workedFrom, s.workedTo = start, end
	s.wantsChild = r.Float64() < 0.1
	if p.age(b.cal.asOf) < 18 {
		// A child: drawn as an adult so the stream stays as it was, but
		// has never smoked.
		s.smoking = neverSmoked
	}
	return s
}

// usCoreFindings renders the encounter diagnoses and the Observations of
// this file for every visit of the claims, in that order; obsAt is the
// effective time of every Observation clinical.go rendered.
func (b *builder) usCoreFindings(r *rand.Rand, subject reference, rec *usCoreRecord, obsAt map[string]time.Time) []Resource {
	social := b.drawSocialHistory(r)
	intake := b.intakeVisits()
	oxygenFrom := b.oxygenStart()
	screens := map[string]*phq2Screen{}
	for i := range rec.screens {
		screens[rec.screens[i].claim] = &rec.screens[i]
	}
	studies := map[string]*imagingStudy{}
	for i := range rec.imaging {
		studies[rec.imaging[i].claim] = &rec.imaging[i]
	}
	// Sized for the usual: a diagnosis or two per visit, the four vital
	// signs at each visit that took them.
	nconds, nobs := 0, 8+5*len(rec.screens)+len(rec.imaging)
	for i := range b.claims {
		if b.claims[i].vitals {
			nobs += 4
		}
		nconds += len(b.claims[i].diags)
	}
	conds, obs := make([]Resource, 0, nconds), make([]Resource, 0, nobs)
	scratch := make([]byte, 0, 2048) // each resource's JSON before it is copied out
	for i := range b.claims {
		c := &b.claims[i]
		conds = b.encounterDiagnoses(r, subject, c, conds, &scratch)
		nlab := 0
		for j := range c.lines {
			if c.lines[j].lab != nil {
				nlab++
			}
		}
		v := visitFindings{b: b, r: r, c: c, subject: subject, n: nlab, out: obs, scratch: &scratch}
		if id := encounterOf(c); id != "" {
			v.encounter = &reference{Reference: "Encounter/" + id}
		}
		v.when = c.visit.Add(time.Duration(5+r.IntN(15)) * time.Minute)
		if c.vitals {
			if at, ok := obsAt["obs-"+c.number+"-"+itoa(nlab+1)]; ok {
				v.when = at
			}
			v.n += 4 // blood pressure, heart rate, weight and BMI
			v.vitalSigns(oxygenFrom)
		}
		v.clinicalResults(studies[c.number])
		if s := screens[c.number]; s != nil {
			v.screening(s)
		}
		if k := slices.Index(intake, i); k >= 0 {
			v.socialHistory(&social, k == 0)
		}
		obs = v.out
	}
	return append(conds, obs...)
}

// spliceFindings places findings, encounter diagnoses then Observations,
// in res after the Conditions and the Observations of clinical.go, so
// that each type stays in one group in clinicalTypes order; the result
// has room for room more resources.
func spliceFindings(res, findings []Resource, room int) []Resource {
	split := 0
	for split < len(findings) && findings[split].Type == "Condition" {
		split++
	}
	conds, obs := groupEnd(res, "Condition"), groupEnd(res, "Observation")
	out := make([]Resource, 0, len(res)+len(findings)+room)
	out = append(out, res[:conds]...)
	out = append(out, findings[:split]...)
	out = append(out, res[conds:obs]...)
	out = append(out, findings[split:]...)
	return append(out, res[obs:]...)
}

// groupEnd is where a resource of clinical type typ goes in res, whose
// clinical resources come last: after the last of typ or of a type before
// it in clinicalTypes, else before the first clinical resource.
func groupEnd(res []Resource, typ string) int {
	k := slices.Index(clinicalTypes, typ)
	i := len(res) - 1
	for ; i >= 0; i-- {
		if j := slices.Index(clinicalTypes, res[i].Type); j <= k {
			break // a type before typ's, or not a clinical type
		}
	}
	return i + 1
}

// intakeVisits are the visits that take the member's social history: the
// preventive visits, or when there is none the last visit that took vital
// signs.
func (b *builder) intakeVisits() []int {
	var out []int
	last := -1
	for i := range b.claims {
		c := &b.claims[i]
		if isWellnessVisit(c) {
			out = append(out, i)
		}
		if c.vitals && encounterOf(c) != "" {
			last = i
		}
	}
	if len(out) == 0 && last >= 0 {
		out = append(out, last)
	}
	return out
}

// oxygenStart is the first day of home oxygen (an oxygen concentrator
// billed on a DME claim), zero when the member has none.
func (b *builder) oxygenStart() time.Time {
	for i := range b.claims {
		c := &b.claims[i]
		if c.typ != "dme" {
			continue
		}
		for _, l := range c.lines {
			if l.product.Code == "E1390" {
				return c.start
			}
		}
	}
	return time.Time{}
}

// hasOn reports whether the member has condition key, known to the record,
// on day.
func (b *builder) hasOn(key string, day time.Time) bool {
	for i, c := range b.conds {
		if c.key == key && b.states[i].active && !day.Before(b.states[i].onset) {
			return true
		}
	}
	return false
}

// encounterDiagnoses renders a Condition for each diagnosis of claim c
// when it records a visit: active and coded in SNOMED CT too when it is
// one of the member's chronic conditions, else resolved by the visit's
// end.
func (b *builder) encounterDiagnoses(r *rand.Rand, subject reference, c *claim, out []Resource, scratch *[]byte) []Resource {
	enc := encounterOf(c)
	if enc == "" {
		return out
	}
	start, end := fmtDate(c.start), fmtDate(c.end)
	encounter := reference{Reference: "Encounter/" + enc}
	for j, dx := range c.diags {
		if slices.ContainsFunc(c.diags[:j], func(d coding) bool { return d.Code == dx.Code }) {
			continue
		}
		id := "condition-dx-" + c.number + "-" + itoa(j+1)
		updated := b.cal.stamp(r, c.end)
		res := encounterDiagnosisResource{
			ResourceType:       "Condition",
			ID:                 id,
			Meta:               meta{LastUpdated: fmtInstant(updated), Profile: profilesEncounterDx},
			ClinicalStatus:     clinicalResolved,
			VerificationStatus: verificationConfirmed,
			Category:           categoriesEncounterDx,
			Code:               concept{Coding: []coding{dx}, Text: dx.Display},
			Subject:            subject,
			Encounter:          encounter,
			OnsetDateTime:      start,
			AbatementDateTime:  end,
			RecordedDate:       end,
		}
		onset := c.start
		var codes []string
		for k, cond := range b.conds {
			if !slices.ContainsFunc(cond.icd10, func(d coding) bool { return d.Code == dx.Code }) {
				continue
			}
			// A chronic condition: active, since the member got it.
			onset = minTime(b.states[k].onset, c.start)
			res.ClinicalStatus = clinicalActive
			res.Code = concept{Coding: []coding{cond.snomed, dx}, Text: cond.snomed.Display}
			res.OnsetDateTime, res.AbatementDateTime = fmtDate(onset), ""
			codes = []string{token(cond.snomed), token(dx)}
			break
		}
		if codes == nil {
			codes = []string{token(dx)}
		}
		out = append(out, Resource{Type: "Condition", ID: id, LastUpdated: updated, Start: onset, End: onset,
			Category: encounterDxCategory, Code: codes, JSON: finish(scratch, res.appendJSON((*scratch)[:0]))})
	}
	return out
}

// The parts every encounter diagnosis shares (never changed).
var (
	profilesEncounterDx   = []string{profEncounterDiagnosis}
	clinicalResolved      = conceptOf(sysCondClin, "resolved", "Resolved")
	clinicalActive        = conceptOf(sysCondClin, "active", "Active")
	verificationConfirmed = conceptOf(sysCondVer, "confirmed", "Confirmed")
	categoriesEncounterDx = []concept{{Coding: []coding{categoryEncounterDx}}}
)

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// visitFindings collects the Observations of one claim's visit, numbered
// obs-<claim>-<k> after the n clinical.go gave it.
type visitFindings struct {
	b         *builder
	r         *rand.Rand
	c         *claim
	subject   reference
	encounter *reference
	when      time.Time
	whenJSON  string // when, as effectiveDateTime writes it, once written
	n         int
	out       []Resource
	scratch   *[]byte
}

// add renders one Observation of the visit, effective at when; res has
// its content, add fills in what every one shares.
func (v *visitFindings) add(profile string, category *findingCategory, when time.Time, res *findingResource) string {
	if !when.Equal(v.when) {
		res.EffectiveDateTime = fmtInstant(when)
	} else {
		if v.whenJSON == "" {
			v.whenJSON = fmtInstant(when)
		}
		res.EffectiveDateTime = v.whenJSON
	}
	return v.addAt(profile, category, when, when, when, res)
}

// addAt renders one Observation of the visit, recorded at when, whose
// effective time searches compare as start..end.
func (v *visitFindings) addAt(profile string, category *findingCategory, when, start, end time.Time, res *findingResource) string {
	v.n++
	id := "obs-" + v.c.number + "-" + itoa(v.n)
	updated := v.b.cal.stamp(v.r, when)
	res.ResourceType, res.ID, res.Status = "Observation", id, "final"
	res.Meta = meta{LastUpdated: fmtInstant(updated), Profile: findingProfiles[profile]}
	res.Subject, res.Encounter = v.subject, v.encounter
	res.Category = category.concepts
	codes := findingCodeTokens[res.Code.Coding[0].Code]
	if len(codes) != len(res.Code.Coding) {
		codes = make([]string, len(res.Code.Coding))
		for i, c := range res.Code.Coding {
			codes[i] = token(c)
		}
	}
	v.out = append(v.out, Resource{Type: "Observation", ID: id, LastUpdated: updated, Start: start, End: end,
		Category: category.tokens, Code: codes, JSON: finish(v.scratch, res.appendJSON((*v.scratch)[:0]))})
	return id
}

// findingCategory is an Observation category as its JSON and its
// Resource.Category hold it, shared by every Observation of it (neither
// is ever changed).
type findingCategory struct {
	concepts []concept
	tokens   []string
}

func categoryOf(c coding) findingCategory {
	return findingCategory{[]concept{{Coding: []coding{c}}}, []string{token(c)}}
}

var (
	findingVitalSigns    = categoryOf(categoryVitalSigns)
	findingSocialHistory = categoryOf(categorySocialHistory)
	findingSurvey        = categoryOf(categorySurvey)
	findingImaging       = categoryOf(categoryImaging)
	findingProcedure     = categoryOf(categoryProcedure)
)

// encounterDxCategory is the Category key of every encounter diagnosis.
var encounterDxCategory = []string{token(categoryEncounterDx)}

// finish keeps written, a resource's JSON written into *scratch, as the
// scratch buffer for the next, and returns a copy the exact size.
func finish(scratch *[]byte, written []byte) []byte {
	*scratch = written
	return slices.Clone(written)
}

// performer is the practitioner who saw the member at the visit, none
// when the claim names no one (an outpatient claim may bill only the
// facility).
func (v *visitFindings) performer() []reference {
	if v.c.rendering == "" {
		return nil
	}
	return []reference{v.b.refs.practitioner(v.c.rendering)}
}

func codeOf(c coding) concept { return concept{Coding: []coding{c}, Text: c.Display} }

// findingProfiles are the meta.profile of each profile here, shared by
// every resource of it (never changed).
var findingProfiles = func() map[string][]string {
	out := map[string][]string{}
	for _, p := range []string{profSmokingStatus, profScreening, profOccupation, profPregnancyStatus, profPregnancyIntent,
		profSexualOrientation, profClinicalResult, profBodyHeight, profBodyTemperature, profRespiratoryRate, profPulseOximetry} {
		out[p] = []string{p}
	}
	return out
}()

// The codes of the vital signs, shared by every Observation of them (none
// is ever changed), and findingCodeTokens the Resource.Code of every
// Observation code here, by its first code.
var (
	conceptBodyHeight      = codeOf(codeBodyHeight)
	conceptBodyTemperature = codeOf(codeBodyTemperature)
	conceptRespiratoryRate = codeOf(codeRespiratoryRate)
	conceptPulseOximetry   = concept{Coding: []coding{codePulseOximetry, codeOxygenSaturation}, Text: codePulseOximetry.Display}
	findingCodeTokens      = func() map[string][]string {
		out := map[string][]string{}
		for _, c := range []concept{conceptBodyHeight, conceptBodyTemperature, conceptRespiratoryRate, conceptPulseOximetry} {
			for _, cd := range c.Coding {
				out[c.Coding[0].Code] = append(out[c.Coding[0].Code], token(cd))
			}
		}
		for _, c := range append([]coding{codeSmokingStatus, codeOccupation, codePregnancyStatus, codePregnancyIntent,
			codeSexualOrientation, codePHQ2Panel, codePHQ2Total, codeECGImpression, codeEjectionFraction, codeRadiologyFinding}, phq2Questions...) {
			out[c.Code] = []string{token(c)}
		}
		return out
	}()
)

func valueOf(c coding) *concept { return &concept{Coding: []coding{c}, Text: c.Display} }

// vitalSigns renders height, temperature, respiratory rate and pulse
// oximetry beside the blood pressure, heart rate, weight and BMI the
// visit took. Height is the height the BMI was computed from. COPD
// raises the breathing rate and lowers the saturation; on home oxygen
// the reading is taken on it, its flow and concentration recorded.
func (v *visitFindings) vitalSigns(oxygenFrom time.Time) {
	r, b := v.r, v.b
	vital := &findingVitalSigns
	height := ucum(roundTo(b.body.height, 1), "cm")
	v.add(profBodyHeight, vital, v.when, &findingResource{Code: conceptBodyHeight, ValueQuantity: &height})
	temp := ucum(roundTo(between(r, 36.2, 37.3), 1), "Cel")
	v.add(profBodyTemperature, vital, v.when, &findingResource{Code: conceptBodyTemperature, ValueQuantity: &temp})
	copd := b.hasOn("copd", v.c.start)
	rate, spo2 := 12+r.IntN(8), 95+r.IntN(5)
	if copd {
		rate, spo2 = 16+r.IntN(8), 89+r.IntN(7)
	}
	resp := ucum(float64(rate), "/min")
	v.add(profRespiratoryRate, vital, v.when, &findingResource{Code: conceptRespiratoryRate, ValueQuantity: &resp})
	ox := findingResource{Code: conceptPulseOximetry}
	if copd && !oxygenFrom.IsZero() && !v.c.start.Before(oxygenFrom) {
		flow := 1 + r.IntN(3)
		spo2 = 92 + r.IntN(6)
		fq, cq := ucum(float64(flow), "L/min"), ucum(float64(20+4*flow), "%")
		ox.Component = []findingComponent{{Code: codeOf(codeInhaledO2Flow), ValueQuantity: &fq}, {Code: codeOf(codeInhaledO2Conc), ValueQuantity: &cq}}
	}
	sat := ucum(float64(spo2), "%")
	ox.ValueQuantity = &sat
	v.add(profPulseOximetry, vital, v.when, &ox)
}

// clinicalResults renders the result of an ECG the claim bills (atrial
// fibrillation when the member has it) and of an imaging study reported
// for it: an echocardiogram's ejection fraction (reduced with heart
// failure), a radiograph's or CT's finding, as its report reads.
func (v *visitFindings) clinicalResults(study *imagingStudy) {
	c := v.c
	ecg := c.procedure != nil && (c.procedure.code == "93000" || c.procedure.code == "93005")
	for _, l := range c.lines {
		ecg = ecg || l.product.Code == "93000" || l.product.Code == "93005"
	}
	performer := v.performer()
	if ecg {
		rhythm := sinusRhythm
		if v.b.hasOn("afib", c.start) {
			rhythm = atrialFibrillation
		}
		v.add(profClinicalResult, &findingProcedure, v.when, &findingResource{
			Code: codeOf(codeECGImpression), Performer: performer, ValueCodeableConcept: valueOf(rhythm)})
	}
	if study == nil {
		return
	}
	res := findingResource{BasedOn: []reference{{Reference: "ServiceRequest/servicerequest-" + c.number + "-img"}}, Performer: performer}
	if study.cpt == "93306" {
		ef := 55 + v.r.IntN(16)
		if v.b.hasOn("heartfailure", c.start) {
			ef = 25 + v.r.IntN(16)
		}
		q := ucum(float64(ef), "%")
		res.Code, res.ValueQuantity = codeOf(codeEjectionFraction), &q
	} else {
		res.Code, res.ValueString = codeOf(codeRadiologyFinding), "No acute abnormality."
	}
	// Effective when the report is (DiagnosticReport.effective), which
	// may be after the visit: the order names the visit instead.
	encounter := v.encounter
	v.encounter = nil
	v.add(profClinicalResult, &findingImaging, study.when, &res)
	v.encounter = encounter
}

// screening renders the PHQ-2 the member answered before the visit as US
// Core screening assessments, recorded at the visit with its vital signs:
// the answer to each question, the total score, and the panel grouping
// them, each derived from the QuestionnaireResponse.
func (v *visitFindings) screening(s *phq2Screen) {
	from := []reference{{Reference: "QuestionnaireResponse/questionnaireresponse-" + s.claim}}
	survey := &findingSurvey
	var members []reference
	total := 0
	for i, q := range phq2Questions {
		total += s.scores[i]
		id := v.add(profScreening, survey, v.when, &findingResource{Code: codeOf(q), Performer: []reference{v.subject},
			ValueCodeableConcept: valueOf(phq2Answers[s.scores[i]]), DerivedFrom: from})
		members = append(members, reference{Reference: "Observation/" + id})
	}
	score := ucum(float64(total), "{score}")
	id := v.add(profScreening, survey, v.when, &findingResource{Code: codeOf(codePHQ2Total), Performer: []reference{v.subject},
		ValueQuantity: &score, DerivedFrom: from})
	members = append(members, reference{Reference: "Observation/" + id})
	v.add(profScreening, survey, v.when, &findingResource{Code: codeOf(codePHQ2Panel), Performer: []reference{v.subject},
		HasMember: members, DerivedFrom: from})
}

// socialHistory renders what the visit asked of the member's social
// history: smoking status every time, pregnancy status and intent for a
// woman under 50 (the claims bill no pregnancy), and at the first such
// visit the usual occupation and sexual orientation.
func (v *visitFindings) socialHistory(s *socialHistory, first bool) {
	social := &findingSocialHistory
	performer := v.performer()
	v.add(profSmokingStatus, social, v.when, &findingResource{Code: codeOf(codeSmokingStatus), Performer: performer, ValueCodeableConcept: valueOf(s.smoking)})
	p := &v.b.person
	if p.gender == "female" && p.age(v.c.start) < 50 {
		v.add(profPregnancyStatus, social, v.when, &findingResource{Code: codeOf(codePregnancyStatus), Performer: performer, ValueCodeableConcept: valueOf(notPregnant)})
		intent := doesNotWantPregnancy
		if s.wantsChild {
			intent = wantsPregnancy
		}
		v.add(profPregnancyIntent, social, v.when, &findingResource{Code: codeOf(codePregnancyIntent), Performer: performer, ValueCodeableConcept: valueOf(intent)})
	}
	if !first {
		return
	}
	if s.workedFrom.After(v.c.start) {
		// Not yet of working age: no occupation to record. Its number
		// stays unused, so that the sexual orientation keeps its id.
		v.n++
		v.add(profSexualOrientation, social, v.when, &findingResource{Code: codeOf(codeSexualOrientation), Performer: performer, ValueCodeableConcept: valueOf(s.orientation)})
		return
	}
	job := occupations[s.occupation]
	worked, to := period{Start: fmtDate(s.workedFrom), End: fmtDate(s.workedTo)}, s.workedTo
	if !s.workedTo.Before(v.c.start) {
		// Still in the job when asked: the period is open (R4 Period,
		// "end": ongoing); searches compare it up to the visit.
		worked.End, to = "", v.c.start
	}
	v.addAt(profOccupation, social, v.when, s.workedFrom, to, &findingResource{Code: codeOf(codeOccupation), Performer: performer, EffectivePeriod: &worked,
		ValueCodeableConcept: valueOf(job.occupation),
		Component:            []findingComponent{{Code: codeOf(codeIndustry), ValueCodeableConcept: valueOf(job.industry)}}})
	v.add(profSexualOrientation, social, v.when, &findingResource{Code: codeOf(codeSexualOrientation), Performer: performer, ValueCodeableConcept: valueOf(s.orientation)})
}
