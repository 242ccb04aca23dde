package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// This test reads generated members the way a clinician or a payer's
// analyst would, from the served JSON alone, and checks that each member's
// record tells one story (README, "Generated members"). A failure names
// the member, the rule and the resources that break it; the realistic
// exceptions the generator draws on purpose are counted and logged.

// consistencyMembers are the members checked: 250 of each of two seeds.
const consistencyMembers = 250

type ruleChecker struct {
	t      *testing.T
	counts map[string]int // failures by rule
}

func (c *ruleChecker) fail(rule, member, format string, args ...any) {
	c.counts[rule]++
	if c.counts[rule] <= 8 {
		c.t.Errorf("%s [%s]: %s", member, rule, fmt.Sprintf(format, args...))
	}
}

// The parsed record of one member.
type (
	recCoverage struct {
		id    string
		part  string
		start time.Time
	}
	recLine struct {
		code                                                         string
		date                                                         time.Time
		submitted, eligible, deductible, coinsurance, copay, benefit int64
	}
	recEOB struct {
		id, typ, number string
		start, end      time.Time
		created         time.Time
		received        time.Time
		paid            time.Time
		updated         time.Time
		diags           []string
		lines           []recLine
		totals          map[string]int64
		payment         int64
		coverage        string
		prescriber      string
		ndc             string
	}
	recCondition struct {
		id, icd10       string
		onset, recorded time.Time
	}
	recObservation struct {
		id, loinc string
		when      time.Time
		encounter string
		sys, dia  float64
	}
	recPrescription struct {
		id, rxnorm, requester, status string
		authored                      time.Time
	}
	recEncounter struct {
		id, number, class, reason string
		start, end                time.Time
	}
	record struct {
		id         string
		gender     string
		birth      time.Time
		aged       bool
		coverages  map[string]recCoverage
		eobs       []recEOB
		conditions []recCondition
		obs        []recObservation
		rxs        []recPrescription
		encounters map[string]recEncounter // by id
		updated    map[string]time.Time    // every resource's lastUpdated, by Type/id
	}
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	if len(s) > 10 {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("instant %q: %v", s, err)
		}
		return v
	}
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return v
}

// dateOf is the calendar date of an instant in its own offset.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// family is the ICD-10-CM category of a code: E11 of E11.65.
func family(code string) string {
	f, _, _ := strings.Cut(code, ".")
	return f
}

func parseRecord(t *testing.T, m *Member) *record {
	t.Helper()
	rec := &record{id: m.PatientID, coverages: map[string]recCoverage{}, encounters: map[string]recEncounter{}, updated: map[string]time.Time{}}
	for _, r := range m.Resources {
		if slices.Contains(usCoreClinicalTypes, r.Type) || r.Type == "Medication" || r.Type == "Location" || r.Type == "PractitionerRole" {
			continue // their story is checked by TestUSCoreTellsTheSameStory
		}
		var j struct {
			Meta      struct{ LastUpdated string }
			Gender    string
			BirthDate string
			Extension []struct {
				URL         string
				ValueCoding struct{ Code string }
			}
			Period     struct{ Start, End string }
			Identifier []struct{ Value string }
			Type       json.RawMessage
			Diagnosis  []struct{ DiagnosisCodeableConcept conceptJ }
			Item       []struct {
				ProductOrService conceptJ
				ServicedDate     string
				Adjudication     []adjJ
			}
			Total []struct {
				Category conceptJ
				Amount   struct{ Value json.Number }
			}
			Payment struct {
				Date   string
				Amount struct{ Value json.Number }
			}
			BillablePeriod struct{ Start, End string }
			Created        string
			Insurance      []struct{ Coverage struct{ Reference string } }
			CareTeam       []struct {
				Provider struct{ Reference string }
				Role     conceptJ
			}
			SupportingInfo []struct {
				Category   conceptJ
				TimingDate string
			}
			Code              conceptJ
			OnsetDateTime     string
			RecordedDate      string
			EffectiveDateTime string
			Encounter         struct{ Reference string }
			Component         []struct {
				Code          conceptJ
				ValueQuantity struct{ Value float64 }
			}
			MedicationCodeableConcept struct {
				Coding []codingJ
				Text   string
			}
			AuthoredOn string
			Requester  struct{ Reference string }
			Status     string
			ReasonCode []conceptJ
		}
		if err := json.Unmarshal(r.JSON, &j); err != nil {
			t.Fatal(err)
		}
		rec.updated[r.Type+"/"+r.ID] = day(t, j.Meta.LastUpdated)
		switch r.Type {
		case "Patient":
			rec.gender, rec.birth = j.Gender, day(t, j.BirthDate)
		case "Coverage":
			for _, e := range j.Extension {
				if strings.HasSuffix(e.URL, "/ms_cd") {
					rec.aged = e.ValueCoding.Code == "10" || e.ValueCoding.Code == "11"
				}
			}
			part := strings.TrimPrefix(r.ID, "part-")[:1]
			rec.coverages[r.ID] = recCoverage{r.ID, part, day(t, j.Period.Start)}
		case "ExplanationOfBenefit":
			e := recEOB{id: r.ID, typ: r.ClaimType, start: day(t, j.BillablePeriod.Start), end: day(t, j.BillablePeriod.End),
				created: day(t, j.Created), paid: day(t, j.Payment.Date), updated: day(t, j.Meta.LastUpdated), totals: map[string]int64{}}
			e.number = j.Identifier[0].Value
			e.payment = parseCents(t, j.Payment.Amount.Value)
			for _, d := range j.Diagnosis {
				e.diags = append(e.diags, d.DiagnosisCodeableConcept.Coding[0].Code)
			}
			for _, it := range j.Item {
				l := recLine{code: it.ProductOrService.Coding[0].Code, date: day(t, it.ServicedDate)}
				for _, a := range it.Adjudication {
					if a.Amount == nil {
						continue
					}
					v := parseCents(t, a.Amount.Value)
					switch a.Category.Coding[0].Code {
					case "submitted":
						l.submitted = v
					case "eligible":
						l.eligible = v
					case "deductible":
						l.deductible = v
					case "coinsurance":
						l.coinsurance = v
					case "copay":
						l.copay = v
					case "benefit":
						l.benefit = v
					}
				}
				e.lines = append(e.lines, l)
			}
			if r.ClaimType == "pde" && len(e.lines) > 0 {
				e.ndc = e.lines[0].code
			}
			for _, tot := range j.Total {
				e.totals[tot.Category.Coding[0].Code] = parseCents(t, tot.Amount.Value)
			}
			if len(j.Insurance) == 1 {
				e.coverage = strings.TrimPrefix(j.Insurance[0].Coverage.Reference, "Coverage/")
			}
			for _, ct := range j.CareTeam {
				if ct.Role.Coding[0].Code == "prescribing" {
					e.prescriber = ct.Provider.Reference
				}
			}
			for _, si := range j.SupportingInfo {
				if si.Category.Coding[0].Code == "clmrecvddate" {
					e.received = day(t, si.TimingDate)
				}
			}
			rec.eobs = append(rec.eobs, e)
		case "Condition":
			c := recCondition{id: r.ID, onset: day(t, j.OnsetDateTime), recorded: day(t, j.RecordedDate)}
			for _, cd := range j.Code.Coding {
				if cd.System == sysICD10CM {
					c.icd10 = cd.Code
				}
			}
			rec.conditions = append(rec.conditions, c)
		case "Observation":
			o := recObservation{id: r.ID, loinc: j.Code.Coding[0].Code, when: day(t, j.EffectiveDateTime), encounter: j.Encounter.Reference}
			for _, comp := range j.Component {
				switch comp.Code.Coding[0].Code {
				case "8480-6":
					o.sys = comp.ValueQuantity.Value
				case "8462-4":
					o.dia = comp.ValueQuantity.Value
				}
			}
			rec.obs = append(rec.obs, o)
		case "MedicationRequest":
			// A compound has no RxNorm code: its text names it.
			rxnorm := compoundKey + j.MedicationCodeableConcept.Text
			if len(j.MedicationCodeableConcept.Coding) > 0 {
				rxnorm = j.MedicationCodeableConcept.Coding[0].Code
			}
			rec.rxs = append(rec.rxs, recPrescription{id: r.ID, rxnorm: rxnorm,
				requester: j.Requester.Reference, status: j.Status, authored: day(t, j.AuthoredOn)})
		case "Encounter":
			var class struct {
				Class struct{ Code string }
			}
			json.Unmarshal(r.JSON, &class)
			en := recEncounter{id: r.ID, class: class.Class.Code, start: day(t, j.Period.Start), end: day(t, j.Period.End)}
			if len(j.Identifier) > 0 {
				en.number = j.Identifier[0].Value
			}
			if len(j.ReasonCode) > 0 {
				en.reason = j.ReasonCode[0].Coding[0].Code
			}
			rec.encounters[r.ID] = en
		}
	}
	sort.SliceStable(rec.eobs, func(i, k int) bool { return rec.eobs[i].start.Before(rec.eobs[k].start) })
	return rec
}

// expectedMedicareStart is entitlement at 65, counted independently of the
// generator: the first of the birthday month, or of the month before for a
// birthday on the 1st (20 CFR 404.2(c)(4)).
func expectedMedicareStart(birth time.Time) time.Time {
	y, m := birth.Year()+65, birth.Month()
	if birth.Day() == 1 {
		m--
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

func months(a, b time.Time) int { return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month()) }

func ageOn(birth, day time.Time) int {
	a := day.Year() - birth.Year()
	if day.Month() < birth.Month() || day.Month() == birth.Month() && day.Day() < birth.Day() {
		a--
	}
	return a
}

// exceptionCounts tallies the realistic exceptions.
type exceptionCounts struct {
	members, noClaims, hospice, snfStays, longSNF           int
	withCond, untreated                                     map[string]int
	chronicRx, unfilledRx, lapsedRx, acuteRx, acuteUnfilled int
	wholeDiabetesStory                                      int
}

// monitorRule is a test due at a cadence for a condition family, as the
// guidelines the generator follows state it, counted here on their own.
type monitorRule struct {
	family, what string
	loinc        []string
	maxDays      int
}

var monitorRules = []monitorRule{
	{"E11", "HbA1c", []string{"4548-4"}, 184},           // twice a year
	{"I10", "blood pressure", []string{"85354-9"}, 184}, // every six months
	{"E78", "LDL", []string{"18262-6"}, 366},            // yearly
	{"N18", "eGFR", []string{"33914-3"}, 366},           // yearly
	{"E03", "TSH", []string{"3016-3"}, 366},             // yearly
	{"I50", "potassium", []string{"2823-3"}, 366},       // yearly on diuretics
}

// drugFamilies maps an NDC to its RxNorm code and the condition families
// it treats.
func drugIndex() (map[string]string, map[string][]string) {
	ndc, treats := map[string]string{}, map[string][]string{}
	for _, c := range conditions {
		for _, d := range c.drugs {
			ndc[d.ndc] = d.rxnorm
			treats[family(c.icd10[0].Code)] = append(treats[family(c.icd10[0].Code)], d.rxnorm)
		}
	}
	for _, d := range drugsAcute {
		ndc[d.ndc] = d.rxnorm
	}
	// A compound fill bills the product code "compound"; its prescription
	// is the one whose text names the compound.
	ndc["compound"] = compoundKey + drugRinse.display
	return ndc, treats
}

// compoundKey marks the key of a compound, which has no RxNorm code.
const compoundKey = "compound:"

func TestEveryMemberTellsOneStory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 500 members")
	}
	chk := &ruleChecker{t: t, counts: map[string]int{}}
	ex := exceptionCounts{withCond: map[string]int{}, untreated: map[string]int{}}
	chronic := map[string]bool{"G30": true, "C34": true}
	for _, c := range conditions {
		for _, code := range c.icd10 {
			chronic[family(code.Code)] = true
		}
	}
	ndcRx, treats := drugIndex()
	members := consistencyMembers
	if raceEnabled {
		// The race detector has nothing to find in reading JSON and makes
		// it several times slower: check 50 members a seed and say so.
		members = 50
		t.Logf("race detector on: checking members 7..56 of each seed; run without -race to check 250 of each")
	}
	for _, seed := range []int64{1, 2} {
		g := New(seed)
		cal := g.cal
		for n := 7; n < 7+members; n++ {
			m := g.Build(Spec{Number: n})
			rec := parseRecord(t, m)
			checkRecord(chk, &ex, rec, cal, chronic, ndcRx, treats)
		}
	}
	for rule, n := range chk.counts {
		t.Errorf("rule %s: %d failures", rule, n)
	}
	rate := func(a, b int) string {
		if b == 0 {
			return "0/0"
		}
		return fmt.Sprintf("%d/%d = %.1f%%", a, b, 100*float64(a)/float64(b))
	}
	t.Logf("%d members; no claims yet: %s; in hospice: %s", ex.members, rate(ex.noClaims, ex.members), rate(ex.hospice, ex.members))
	for _, f := range []string{"E11", "I10", "E78"} {
		t.Logf("untreated %s: %s (members with the Condition and no prescription for it)", f, rate(ex.untreated[f], ex.withCond[f]))
	}
	t.Logf("chronic courses never filled: %s; lapsed before the end: %s", rate(ex.unfilledRx, ex.chronicRx), rate(ex.lapsedRx, ex.chronicRx))
	t.Logf("acute prescriptions never filled: %s", rate(ex.acuteUnfilled, ex.acuteRx))
	t.Logf("skilled nursing stays: %d, %d past day 20; diabetics with claims, HbA1c, fills and orders: %s",
		ex.snfStays, ex.longSNF, rate(ex.wholeDiabetesStory, ex.withCond["E11"]))
	if !raceEnabled && (ex.withCond["E11"] < 50 || ex.withCond["I10"] < 100 || ex.withCond["E78"] < 100 || ex.snfStays < 3) {
		t.Errorf("too few members to judge: %v, %d SNF stays", ex.withCond, ex.snfStays)
	}
}

func checkRecord(chk *ruleChecker, ex *exceptionCounts, rec *record, cal calendar, chronic map[string]bool, ndcRx map[string]string, treats map[string][]string) {
	id := rec.id
	ex.members++
	if len(rec.eobs) == 0 {
		ex.noClaims++
	}
	partA := rec.coverages["part-a-"+strings.TrimPrefix(id, "-")]
	partB := rec.coverages["part-b-"+strings.TrimPrefix(id, "-")]
	_, advantage := rec.coverages["part-c-"+strings.TrimPrefix(id, "-")]
	historyStart := later(cal.historyStart, partA.start)
	periodEnd := cal.lastService
	for _, e := range rec.eobs {
		if e.typ == "hospice" {
			ex.hospice++
			periodEnd = addDays(e.start, -1)
			break
		}
	}

	// Coverage pays every claim on its date; entitlement at 65 starts on
	// the first of the birthday month.
	if rec.aged && !partA.start.Equal(expectedMedicareStart(rec.birth)) {
		chk.fail("coverage-start", id, "born %s, Part A from %s", fmtDate(rec.birth), fmtDate(partA.start))
	}
	for _, e := range rec.eobs {
		cov, ok := rec.coverages[e.coverage]
		want := map[string]string{"pde": "d", "hospice": "a"}[e.typ]
		switch {
		case want != "":
		case advantage:
			want = "c"
		case e.typ == "inpatient" || e.typ == "snf" || e.typ == "hha":
			want = "a"
		default:
			want = "b"
		}
		if !ok || cov.part != want || e.start.Before(cov.start) {
			chk.fail("coverage", id, "%s from %s billed to %s (part %s from %s), want part %s", e.id, fmtDate(e.start), e.coverage, cov.part, fmtDate(cov.start), want)
		}
		if e.start.Before(historyStart) || e.end.After(cal.lastService) {
			chk.fail("coverage", id, "%s %s..%s outside the history %s..%s", e.id, fmtDate(e.start), fmtDate(e.end), fmtDate(historyStart), fmtDate(cal.lastService))
		}
	}

	// Diagnoses and Conditions name each other.
	condByFamily := map[string]recCondition{}
	for _, c := range rec.conditions {
		condByFamily[family(c.icd10)] = c
	}
	named := map[string]bool{}
	for _, e := range rec.eobs {
		for _, d := range e.diags {
			f := family(d)
			named[f] = true
			if !chronic[f] {
				continue
			}
			c, ok := condByFamily[f]
			if !ok {
				chk.fail("chronic-dx-has-condition", id, "%s bills %s; no Condition", e.id, d)
			} else if e.start.Before(c.onset) {
				chk.fail("chronic-dx-has-condition", id, "%s on %s bills %s before %s's onset %s", e.id, fmtDate(e.start), d, c.id, fmtDate(c.onset))
			}
		}
	}
	for _, en := range rec.encounters {
		named[family(en.reason)] = true
	}
	for _, c := range rec.conditions {
		f := family(c.icd10)
		if !named[f] {
			chk.fail("condition-named", id, "%s (%s) is on no claim or encounter", c.id, c.icd10)
		}
		if !c.onset.Before(historyStart) && !slices.ContainsFunc(rec.eobs, func(e recEOB) bool {
			return e.start.Equal(c.onset) && slices.ContainsFunc(e.diags, func(d string) bool { return family(d) == f })
		}) {
			chk.fail("condition-named", id, "%s (%s) begins %s inside the history with no claim for it that day", c.id, c.icd10, fmtDate(c.onset))
		}
		if c.recorded.Before(c.onset) || c.recorded.After(cal.asOf) {
			chk.fail("dates", id, "%s onset %s recorded %s", c.id, fmtDate(c.onset), fmtDate(c.recorded))
		}
	}

	// Monitoring at its cadence over the whole time the Condition is
	// active within the history.
	for _, mr := range monitorRules {
		c, ok := condByFamily[mr.family]
		if !ok {
			continue
		}
		from := later(c.onset, historyStart)
		if from.After(periodEnd) {
			continue
		}
		var days []time.Time
		for _, o := range rec.obs {
			if slices.Contains(mr.loinc, o.loinc) && !dateOf(o.when).Before(from) && !dateOf(o.when).After(periodEnd) {
				days = append(days, dateOf(o.when))
			}
		}
		slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
		prev := from
		for _, d := range append(days, periodEnd) {
			if gap := daysBetween(prev, d); gap > mr.maxDays {
				chk.fail("monitoring", id, "%s (%s): no %s from %s to %s (%d days)", c.id, c.icd10, mr.what, fmtDate(prev), fmtDate(d), gap)
				break
			}
			prev = d
		}
	}

	// An average blood pressure of 140/90 or more comes with hypertension.
	var sys, dia float64
	var readings int
	for _, o := range rec.obs {
		if o.loinc == "85354-9" {
			sys, dia, readings = sys+o.sys, dia+o.dia, readings+1
		}
	}
	if readings > 0 && (sys/float64(readings) >= 140 || dia/float64(readings) >= 90) {
		if _, ok := condByFamily["I10"]; !ok {
			chk.fail("bp-means-hypertension", id, "average %.0f/%.0f over %d readings, no hypertension Condition", sys/float64(readings), dia/float64(readings), readings)
		}
	}

	// Medicare's frequency rules for preventive services, and codes that
	// fit the member's sex and age.
	var awvs []recEOB
	var ippe *recEOB
	lastScreen := map[string]time.Time{}
	for i, e := range rec.eobs {
		for _, l := range e.lines {
			age := ageOn(rec.birth, e.start)
			switch l.code {
			case "G0438", "G0439":
				awvs = append(awvs, e)
				awvs[len(awvs)-1].ndc = l.code // the visit's code
			case "G0402":
				if ippe != nil || !e.start.Before(partB.start.AddDate(1, 0, 0)) {
					chk.fail("medicare-frequency", id, "%s: IPPE on %s, Part B from %s", e.id, fmtDate(e.start), fmtDate(partB.start))
				}
				ippe = &rec.eobs[i]
			case "77067", "G0103":
				sex, minAge := "female", 40
				if l.code == "G0103" {
					sex, minAge = "male", 50
				}
				if rec.gender != sex || age < minAge {
					chk.fail("codes-fit-sex-age", id, "%s: %s for a %s aged %d", e.id, l.code, rec.gender, age)
				}
				if last, ok := lastScreen[l.code]; ok && months(last, e.start) < 12 {
					chk.fail("medicare-frequency", id, "%s: %s on %s, the last on %s", e.id, l.code, fmtDate(e.start), fmtDate(last))
				}
				lastScreen[l.code] = e.start
			case "45378":
				if age < 45 {
					chk.fail("codes-fit-sex-age", id, "%s: screening colonoscopy at %d", e.id, age)
				}
				if last, ok := lastScreen[l.code]; ok && months(last, e.start) < 120 {
					chk.fail("medicare-frequency", id, "%s: colonoscopy on %s, the last on %s", e.id, fmtDate(e.start), fmtDate(last))
				}
				lastScreen[l.code] = e.start
			}
		}
		for _, d := range e.diags {
			if d == "Z12.31" && rec.gender != "female" || d == "Z12.5" && rec.gender != "male" {
				chk.fail("codes-fit-sex-age", id, "%s: %s for a %s", e.id, d, rec.gender)
			}
		}
	}
	initials := 0
	for i, a := range awvs {
		if a.ndc == "G0438" {
			initials++
		} else if initials == 0 && !partB.start.Before(cal.historyStart) {
			chk.fail("medicare-frequency", id, "%s: subsequent AWV with no initial one since Part B began %s", a.id, fmtDate(partB.start))
		}
		if a.start.Before(partB.start.AddDate(0, 12, 0)) {
			chk.fail("medicare-frequency", id, "%s: AWV on %s within 12 months of Part B (%s)", a.id, fmtDate(a.start), fmtDate(partB.start))
		}
		if i > 0 && months(awvs[i-1].start, a.start) < 12 {
			chk.fail("medicare-frequency", id, "%s on %s: AWV within 11 full months of %s on %s", a.id, fmtDate(a.start), awvs[i-1].id, fmtDate(awvs[i-1].start))
		}
		if ippe != nil && months(ippe.start, a.start) < 12 {
			chk.fail("medicare-frequency", id, "%s on %s: AWV within 12 months of the IPPE %s", a.id, fmtDate(a.start), ippe.id)
		}
	}
	if initials > 1 {
		chk.fail("medicare-frequency", id, "%d initial AWVs (G0438 is once per lifetime)", initials)
	}

	// Skilled nursing: a qualifying stay before, the member's share from
	// day 21; each hospital stay opens a benefit period with its deductible.
	for _, e := range rec.eobs {
		switch e.typ {
		case "snf":
			ex.snfStays++
			if !slices.ContainsFunc(rec.eobs, func(s recEOB) bool {
				gap := daysBetween(s.end, e.start)
				return s.typ == "inpatient" && daysBetween(s.start, s.end) >= 3 && gap >= 0 && gap <= 30
			}) {
				chk.fail("snf", id, "%s from %s: no qualifying 3-day stay ending within 30 days before", e.id, fmtDate(e.start))
			}
			days := daysBetween(e.start, e.end)
			share := e.lines[0].coinsurance + e.lines[0].copay
			want := int64(0)
			if days > 20 {
				ex.longSNF++
				want = min(e.lines[0].eligible, int64(days-20)*int64(partAAmount(snfCoinsurances, e.start.Year())))
			}
			if share != want || advantage && e.lines[0].coinsurance != 0 || !advantage && e.lines[0].copay != 0 {
				chk.fail("snf", id, "%s: %d days, member's share %d (coinsurance %d, copay %d), want %d", e.id, days, share, e.lines[0].coinsurance, e.lines[0].copay, want)
			}
		case "inpatient":
			if want := min(e.lines[0].eligible, int64(partAAmount(partADeductibles, e.start.Year()))); e.lines[0].deductible != want {
				chk.fail("money", id, "%s: Part A deductible %d, want %d", e.id, e.lines[0].deductible, want)
			}
		}
	}

	// Every fill has a prescription for its drug, from its prescriber,
	// written at most a year before it.
	for _, e := range rec.eobs {
		if e.typ != "pde" {
			continue
		}
		rx := ndcRx[e.ndc]
		if !slices.ContainsFunc(rec.rxs, func(p recPrescription) bool {
			return p.rxnorm == rx && p.requester == e.prescriber && !dateOf(p.authored).After(e.start) && daysBetween(dateOf(p.authored), e.start) <= 365
		}) {
			chk.fail("fill-has-prescription", id, "%s: %s (RxNorm %s) filled %s by %s, no prescription", e.id, e.ndc, rx, fmtDate(e.start), e.prescriber)
		}
	}
	// A chronic course is every prescription of one drug; acute ones are
	// single prescriptions, completed or (never filled) stopped.
	acute := map[string]bool{}
	for _, d := range drugsAcute {
		acute[d.rxnorm] = true
	}
	type courseTally struct{ filled, stopped bool }
	courses := map[string]*courseTally{}
	for _, p := range rec.rxs {
		filled := slices.ContainsFunc(rec.eobs, func(e recEOB) bool {
			return e.typ == "pde" && ndcRx[e.ndc] == p.rxnorm && !e.start.Before(dateOf(p.authored)) && daysBetween(dateOf(p.authored), e.start) <= 365
		})
		if p.authored.After(cal.asOf.AddDate(0, 0, 1)) {
			chk.fail("dates", id, "%s authored %s after the as-of date", p.id, p.authored)
		}
		if acute[p.rxnorm] && (p.status == "completed" || !filled && p.status == "stopped") {
			ex.acuteRx++
			if !filled {
				ex.acuteUnfilled++
			}
			continue
		}
		c := courses[p.rxnorm]
		if c == nil {
			c = &courseTally{}
			courses[p.rxnorm] = c
		}
		c.filled = c.filled || filled
		c.stopped = p.status == "stopped" // the latest prescription's status
	}
	for _, c := range courses {
		ex.chronicRx++
		switch {
		case !c.filled:
			ex.unfilledRx++
		case c.stopped:
			ex.lapsedRx++
		}
	}
	for f, drugs := range treats {
		if f != "E11" && f != "I10" && f != "E78" {
			continue
		}
		if _, ok := condByFamily[f]; !ok {
			continue
		}
		ex.withCond[f]++
		if !slices.ContainsFunc(rec.rxs, func(p recPrescription) bool { return slices.Contains(drugs, p.rxnorm) }) {
			ex.untreated[f]++
		}
	}
	if _, ok := condByFamily["E11"]; ok {
		e11 := slices.ContainsFunc(rec.eobs, func(e recEOB) bool {
			return slices.ContainsFunc(e.diags, func(d string) bool { return family(d) == "E11" })
		})
		a1c := slices.ContainsFunc(rec.obs, func(o recObservation) bool { return o.loinc == "4548-4" })
		fill := slices.ContainsFunc(rec.eobs, func(e recEOB) bool { return slices.Contains(treats["E11"], ndcRx[e.ndc]) })
		order := slices.ContainsFunc(rec.rxs, func(p recPrescription) bool { return slices.Contains(treats["E11"], p.rxnorm) })
		if e11 && a1c && fill && order {
			ex.wholeDiabetesStory++
		}
	}

	// Money adds up; dates are in order; visits and stays have their
	// encounters.
	encounterOf := map[string]recEncounter{}
	for _, en := range rec.encounters {
		encounterOf[en.number] = en
	}
	asOfEnd := cal.asOf.AddDate(0, 0, 1)
	for _, e := range rec.eobs {
		sum := map[string]int64{}
		for _, l := range e.lines {
			if l.submitted < l.eligible || l.eligible < l.benefit || l.benefit < 0 || l.eligible != l.benefit+l.deductible+l.coinsurance+l.copay {
				chk.fail("money", id, "%s line %s: %+v", e.id, l.code, l)
			}
			if l.date.Before(e.start) || l.date.After(e.end) {
				chk.fail("dates", id, "%s line %s on %s outside %s..%s", e.id, l.code, fmtDate(l.date), fmtDate(e.start), fmtDate(e.end))
			}
			sum["submitted"] += l.submitted
			sum["eligible"] += l.eligible
			sum["deductible"] += l.deductible
			sum["coinsurance"] += l.coinsurance
			sum["copay"] += l.copay
			sum["benefit"] += l.benefit
		}
		for cat, v := range sum {
			if e.totals[cat] != v {
				chk.fail("money", id, "%s: total %s %d, items add up to %d", e.id, cat, e.totals[cat], v)
			}
		}
		if e.payment != sum["benefit"] {
			chk.fail("money", id, "%s: paid %d, benefit %d", e.id, e.payment, sum["benefit"])
		}
		if e.end.Before(e.start) || e.received.Before(e.end) || dateOf(e.created).Before(e.received) ||
			e.updated.Before(e.created) || e.paid.Before(dateOf(e.created)) || e.paid.After(cal.asOf) || e.updated.After(asOfEnd) {
			chk.fail("dates", id, "%s: service %s..%s received %s created %s paid %s updated %s", e.id, fmtDate(e.start), fmtDate(e.end),
				fmtDate(e.received), e.created, fmtDate(e.paid), e.updated)
		}
		class := map[string]string{"carrier": "AMB", "outpatient": "AMB", "inpatient": "IMP", "snf": "NONAC"}[e.typ]
		if class == "" {
			continue
		}
		en, ok := encounterOf[e.number]
		if !ok || en.class != class || !dateOf(en.start).Equal(e.start) || dateOf(en.end).Before(e.end) || en.end.Before(en.start) {
			chk.fail("stays-have-encounters", id, "%s (%s..%s): encounter %+v", e.id, fmtDate(e.start), fmtDate(e.end), en)
		}
	}
	for _, o := range rec.obs {
		if o.encounter == "" || o.when.IsZero() {
			// No encounter, or a period of the member's life (an
			// occupation) recorded at the encounter, not effective in it.
			continue
		}
		en, ok := rec.encounters[strings.TrimPrefix(o.encounter, "Encounter/")]
		if !ok || o.when.Before(en.start) || o.when.After(en.end) {
			chk.fail("dates", id, "%s at %s outside its encounter %s", o.id, o.when, o.encounter)
		}
	}
	for key, u := range rec.updated {
		if u.After(asOfEnd) || u.Before(tagFloor) {
			chk.fail("dates", id, "%s last updated %s, outside %s..%s", key, u, tagFloor, fmtDate(cal.asOf))
		}
	}
}
