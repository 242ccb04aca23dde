package generator

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// A member's claims are the events of one timeline of their health, drawn
// in order of what constrains what: a hospice election ends ordinary care;
// hospital stays, with the skilled nursing and home health care that
// follow them, block the days they cover; the chronic-care visits that
// diagnose and monitor each condition come next, then the prescriptions
// written at them and the fills that follow, then visits for specialists,
// acute illness, hospital outpatient services, equipment and Medicare's
// preventive services. Every claim bills a condition only while the member
// has it, and each rule the record keeps (README, "Generated members") holds
// because of the order and spacing of the events, not because anything is
// filtered out afterwards.

// The rates of the events and of the realistic exceptions a record shows.
// The consistency test reports the rates it finds.
const (
	// onsetInHistory is the share of a member's conditions that begin
	// inside the claims history, diagnosed at a visit that day; the rest
	// began before it.
	onsetInHistory = 0.35
	// secondDrugShare is the share of treated members of a condition with
	// two drugs whom the second is added for.
	secondDrugShare = 0.3
	// hospiceShare is the share of members 75 and over with a condition
	// that can reach an end stage (COPD, heart failure) who elect hospice
	// in the last months of the history.
	hospiceShare = 0.1
	// snfAfterStay and hhaAfterStay are the shares of hospital stays
	// followed by skilled nursing (of stays that qualify for it) and by
	// home health care.
	snfAfterStay = 0.3
	hhaAfterStay = 0.15
	// Uptake of Medicare's preventive services among those eligible.
	ippeUptake        = 0.25
	awvUptake         = 0.6
	awvBeforeHistory  = 0.8 // of those eligible before the history: had their initial visit then
	awvSkipYear       = 0.2
	mammogramUptake   = 0.6
	psaUptake         = 0.45
	colonoscopyUptake = 0.3
)

// condState is one of the member's conditions on the timeline.
type condState struct {
	// onset is the day the member got it: before the history, or the day
	// of the visit that diagnosed it.
	onset time.Time
	// diagnosed says onset is inside the history, at a visit.
	diagnosed bool
	// active is false for a condition whose onset falls after ordinary
	// care ended; the record never learns of it.
	active bool
	// doctor is the practitioner who manages it: the PCP or a specialist.
	doctor string
	// treated and second say whether the member takes its first drug and
	// is later given its second; unfilled and lapse are drawn per course.
	treated, second bool
	// named is a day a claim bills it (the first, once finishClaims has
	// run); zero when none does, and the record then has no Condition for
	// it.
	named time.Time
}

// span is a run of days, both ends included.
type span struct{ start, end time.Time }

func (s span) holds(day time.Time) bool { return !day.Before(s.start) && !day.After(s.end) }

// timeline holds what the events of one member's history share while
// they are drawn.
type timeline struct {
	b *builder
	r *rand.Rand
	// careEnd is the last day of ordinary care: the end of the history, or
	// the day before a hospice election.
	careEnd time.Time
	// stays are the member's hospital and skilled nursing stays, on whose
	// days no office visit falls.
	stays []span
	// chronicVisits are the days of the chronic-care visits, where
	// prescriptions are written and renewed.
	chronicVisits []time.Time
	// lastTest is, by condition, the day its monitoring tests were last
	// drawn.
	lastTest []time.Time
	// util scales how much care the member uses, beyond their conditions.
	util float64
}

// drawTimeline draws the member's history between b.from and b.to.
func (b *builder) drawTimeline(r *rand.Rand) {
	t := &timeline{b: b, r: r, careEnd: b.to, lastTest: make([]time.Time, len(b.conds))}
	if !b.from.After(b.to) {
		years := float64(daysBetween(b.from, b.to)+1) / 365.25
		t.util = math.Exp(0.6*r.NormFloat64()) * (1 + 0.25*float64(len(b.conds)))
		t.hospice()
		t.hospitalStays(years)
		t.chronicCare()
		t.medications()
		t.specialistVisits()
		t.acuteVisits(years)
		t.outpatientVisits(years)
		t.equipment()
		t.preventiveServices()
	}
	b.fitCounts(r)
	b.finishClaims(r)
}

// add appends c to the member's claims in draw order.
func (t *timeline) add(c claim) {
	c.order = len(t.b.claims)
	t.b.claims = append(t.b.claims, c)
}

// activeOn lists the conditions the member has on day, by index.
func (t *timeline) activeOn(day time.Time) []int {
	var out []int
	for i := range t.b.states {
		if st := &t.b.states[i]; st.active && !st.onset.After(day) {
			out = append(out, i)
		}
	}
	return out
}

// inStay returns the stay that holds day.
func (t *timeline) inStay(day time.Time) (span, bool) {
	for _, s := range t.stays {
		if s.holds(day) {
			return s, true
		}
	}
	return span{}, false
}

// afterStays moves day past the stay that holds it.
func (t *timeline) afterStays(day time.Time) time.Time {
	for {
		s, ok := t.inStay(day)
		if !ok {
			return day
		}
		day = addDays(s.end, 1)
	}
}

// freeDay draws a day in [from, to] outside every stay, and false when a
// few draws find none.
func (t *timeline) freeDay(from, to time.Time) (time.Time, bool) {
	if from.After(to) {
		return time.Time{}, false
	}
	for range 8 {
		day := serviceDay(t.r, from, to)
		if _, busy := t.inStay(day); !busy {
			return day, true
		}
	}
	return time.Time{}, false
}

// hospice draws a hospice election for an eligible member: monthly
// claims from its start to the end of the history, and no ordinary care
// after it starts.
func (t *timeline) hospice() {
	b, r := t.b, t.r
	if b.person.age(b.cal.asOf) < 75 {
		return
	}
	terminal := -1
	for i, c := range b.conds {
		if c.terminal && b.states[i].onset.Before(addDays(b.to, -oneYear)) {
			terminal = i
			break
		}
	}
	if terminal < 0 || r.Float64() >= hospiceShare {
		return
	}
	start := addDays(b.to, -30-r.IntN(120))
	if start.Before(addDays(b.from, oneYear)) {
		return
	}
	t.careEnd = addDays(start, -1)
	b.hospiceStart = start
	provider := pickOrganization(r, kindHospice)
	dx := b.conds[terminal].icd10[0]
	// A claim a month; the last few days wait for next month's.
	for day := start; !addDays(day, 6).After(b.to); {
		end := earlier(addDays(day, 29), b.to)
		c := claim{typ: "hospice"}
		b.withActive(day, func() { b.hospicePeriod(r, &c, day, daysBetween(day, end), dx, provider) })
		t.add(c)
		day = addDays(end, 1)
	}
	for i := range b.states {
		if b.states[i].onset.After(t.careEnd) {
			b.states[i].active = false
		}
	}
}

// hospitalStays draws the member's stays, each opening a benefit period
// (so each at least benefitPeriodGap days after the care that followed
// the last), and the skilled nursing and home health care that follow
// some of them.
func (t *timeline) hospitalStays(years float64) {
	b, r := t.b, t.r
	n := poisson(r, t.util*years*0.03*(1+0.3*float64(len(b.conds))))
	days := make([]time.Time, 0, n)
	for range n {
		days = append(days, serviceDay(r, b.from, t.careEnd))
	}
	slices.SortFunc(days, func(x, y time.Time) int { return x.Compare(y) })
	free := b.from
	for _, day := range days {
		if day.Before(free) {
			continue
		}
		var stay claim
		stay.typ = "inpatient"
		var a admission
		length := 0
		b.withActive(day, func() {
			a = b.admissionFor(r)
			length = a.days[0] + r.IntN(a.days[1]-a.days[0]+1)
			if !addDays(day, length).After(t.careEnd) {
				b.stay(r, &stay, day, a, length)
			}
		})
		if stay.lines == nil {
			continue
		}
		t.add(stay)
		t.stays = append(t.stays, span{stay.start, stay.end})
		last := stay.end
		// The stay, or the skilled nursing that follows it, discharges
		// the member to the care drawn next (NUBC UB-04 FL17): to a
		// skilled nursing facility, to home health, else home.
		discharging := len(b.claims) - 1
		// Skilled nursing needs a qualifying stay and an admission within
		// 30 days of its discharge (42 CFR 409.30(b)(1)): here the day of
		// discharge or one of the two after.
		if length >= snfQualifyingDays && r.Float64() < snfAfterStay {
			start, snfDays := addDays(stay.end, r.IntN(3)), 10+r.IntN(31)
			if end := addDays(start, snfDays); !end.After(t.careEnd) {
				c := claim{typ: "snf"}
				b.withActive(start, func() { b.nursingStay(r, &c, start, snfDays, a.aftercare) })
				b.claims[discharging].discharge = dischargeToSNF
				t.add(c)
				discharging = len(b.claims) - 1
				t.stays = append(t.stays, span{start, end})
				last = end
			}
		}
		if r.Float64() < hhaAfterStay {
			start, hhaDays := addDays(last, 1+r.IntN(7)), 14+r.IntN(47)
			if end := addDays(start, hhaDays); !end.After(t.careEnd) {
				c := claim{typ: "hha"}
				b.withActive(start, func() { b.homeHealth(r, &c, start, hhaDays, a.aftercare) })
				b.claims[discharging].discharge = dischargeToHomeHealth
				t.add(c)
				last = end
			}
		}
		free = addDays(last, benefitPeriodGap+1)
	}
}

// admissionFor draws a reason for a stay among those that fit the
// member's conditions: an episode of a chronic condition only for a member
// who has it.
func (b *builder) admissionFor(r *rand.Rand) admission {
	fits := make([]int, 0, len(admissions))
	for i, a := range admissions {
		if a.needs == "" || slices.ContainsFunc(b.conds, func(c *condition) bool { return c.key == a.needs }) {
			fits = append(fits, i)
		}
	}
	return admissions[fits[r.IntN(len(fits))]]
}

// terminalDiagnosis is the diagnosis of a hospice claim: the member's
// condition that can reach an end stage, else one of hospiceReasons.
func (b *builder) terminalDiagnosis(r *rand.Rand) coding {
	for _, c := range b.conds {
		if c.terminal {
			return c.icd10[0]
		}
	}
	return hospiceReasons[r.IntN(len(hospiceReasons))]
}

// withActive runs fn with b.conds holding only the conditions the member
// has on day, so that a drawer bills none before its onset.
func (b *builder) withActive(day time.Time, fn func()) {
	all := b.conds
	active := make([]*condition, 0, len(all))
	for i, c := range all {
		if i < len(b.states) && b.states[i].active && !b.states[i].onset.After(day) {
			active = append(active, c)
		}
	}
	b.conds = active
	defer func() { b.conds = all }()
	fn()
}

// chronicCare draws the visits that diagnose and monitor the member's
// conditions: one on the day each condition that begins in the history is
// diagnosed, and from the start of the history (or the first diagnosis)
// one every visitEvery days of the conditions then active. Each draws the
// tests due and takes the vital signs.
func (t *timeline) chronicCare() {
	b, r := t.b, t.r
	var diagnoses []time.Time
	for i := range b.states {
		st := &b.states[i]
		if !st.active || !st.diagnosed {
			continue
		}
		// A diagnosis falls on a day out of hospital: moved before the
		// stay, or after it when the stay opens the history.
		if s, busy := t.inStay(st.onset); busy && st.onset.After(s.start) {
			st.onset = addDays(s.start, -1)
			if st.onset.Before(b.from) {
				st.onset = t.afterStays(addDays(s.end, 1))
			}
		}
		if st.onset.After(t.careEnd) {
			st.active = false
			continue
		}
		if !slices.ContainsFunc(diagnoses, st.onset.Equal) {
			diagnoses = append(diagnoses, st.onset)
		}
	}
	slices.SortFunc(diagnoses, func(x, y time.Time) int { return x.Compare(y) })

	var next, prev time.Time
	if slices.ContainsFunc(b.states, func(st condState) bool { return st.active && !st.diagnosed }) {
		next = addDays(b.from, r.IntN(61))
	}
	for {
		day := next
		if len(diagnoses) > 0 && (next.IsZero() || !diagnoses[0].After(next)) {
			day, diagnoses = diagnoses[0], diagnoses[1:]
		} else if s, busy := t.inStay(day); busy && day.After(s.start) {
			// Seen before the stay rather than after: an earlier visit
			// never stretches the time between tests.
			day = s.start
			if before := addDays(s.start, -1); before.After(prev) {
				day = before
			}
		}
		if day.IsZero() || day.After(t.careEnd) {
			return
		}
		lo, hi := t.visitEvery(day)
		t.chronicVisit(day, hi)
		prev = day
		next = addDays(day, lo+r.IntN(hi-lo+1))
	}
}

// visitEvery bounds the days to the next chronic-care visit after day: the
// tightest visitEvery of the conditions then active.
func (t *timeline) visitEvery(day time.Time) (lo, hi int) {
	lo, hi = 150, 330
	for _, i := range t.activeOn(day) {
		if e := t.b.conds[i].visitEvery; e[1] < hi {
			lo, hi = e[0], e[1]
		}
	}
	return lo, hi
}

// chronicVisit bills one chronic-care visit on day, the next one being at
// most nextWithin days later. A condition's monitoring tests are drawn
// when they were never drawn, or when waiting for the next visit could
// exceed its cadence, and now and then besides.
func (t *timeline) chronicVisit(day time.Time, nextWithin int) {
	b, r := t.b, t.r
	active := t.activeOn(day)
	if len(active) == 0 {
		return
	}
	principal := -1
	var tests []*lab
	for _, i := range active {
		cond := b.conds[i]
		if len(cond.monitor) == 0 {
			continue
		}
		last := t.lastTest[i]
		if last.IsZero() || daysBetween(last, day)+nextWithin > cond.cadence || r.Float64() < 0.25 {
			for j := range cond.monitor {
				tests = addTest(tests, &cond.monitor[j])
			}
			t.lastTest[i] = day
			if principal < 0 {
				principal = i
			}
		}
	}
	for _, i := range active {
		if st := &b.states[i]; st.diagnosed && st.onset.Equal(day) {
			principal = i // the visit that diagnoses it is about it
			break
		}
	}
	if principal < 0 {
		principal = active[r.IntN(len(active))]
	}
	cond, st := b.conds[principal], &b.states[principal]
	for j := range cond.labs {
		if r.Float64() < 0.2 {
			tests = addTest(tests, &cond.labs[j])
		}
	}
	rendering, referring := b.pcp, ""
	if st.doctor != b.pcp && r.Float64() < 0.6 {
		rendering, referring = st.doctor, b.pcp
	}
	c := b.office(day, rendering, referring)
	c.diags = []coding{cond.icd10[r.IntN(len(cond.icd10))]}
	// The other conditions are listed now and then, and each one at the
	// first visit after its onset, so that every condition is on a claim.
	for _, i := range active {
		if other := &b.states[i]; i != principal && (other.named.IsZero() || r.Float64() < 0.6) {
			c.diags = append(c.diags, b.conds[i].icd10[0])
			other.named = later(other.named, day)
		}
	}
	st.named = later(st.named, day)
	visit := svcVisitLow
	if len(active) > 2 || r.Float64() < 0.4 {
		visit = svcVisitMod
	}
	c.addLine(r, &visit, nil, 0, 1, day)
	c.addLabs(r, tests)
	c.vitals = true
	t.add(c)
	t.chronicVisits = append(t.chronicVisits, day)
}

// addTest adds l to tests unless a test with its result is there.
func addTest(tests []*lab, l *lab) []*lab {
	if slices.ContainsFunc(tests, func(x *lab) bool { return x.loinc == l.loinc }) {
		return tests
	}
	return append(tests, l)
}

// specialistVisits draws psychotherapy for some members with depression
// and joint injections for osteoarthritis, from their specialists.
func (t *timeline) specialistVisits() {
	b, r := t.b, t.r
	for i, cond := range b.conds {
		st := &b.states[i]
		var svc []service
		var perYear float64
		switch {
		case !st.active:
			continue
		case cond.key == "depression" && r.Float64() < 0.5:
			svc, perYear = []service{svcPsychother}, 3
		case cond.key == "osteoarthritis":
			svc, perYear = []service{svcVisitLow, svcArthrocent}, 0.4
		default:
			continue
		}
		doctor := st.doctor
		if specialtyOf(doctor) != cond.specialty {
			doctor = pickPractitioner(r, cond.specialty)
		}
		from := later(st.onset, b.from)
		years := float64(daysBetween(from, t.careEnd)+1) / 365.25
		for range poisson(r, years*perYear) {
			day, ok := t.freeDay(from, t.careEnd)
			if !ok {
				continue
			}
			c := b.office(day, doctor, b.pcp)
			c.diags = []coding{cond.icd10[r.IntN(len(cond.icd10))]}
			for j := range svc {
				c.addLine(r, &svc[j], nil, 0, 1, day)
			}
			t.add(c)
		}
	}
}

// acuteVisits draws office visits for acute illness, some with a
// prescription, and the vital signs taken at half of them.
func (t *timeline) acuteVisits(years float64) {
	b, r := t.b, t.r
	for range poisson(r, t.util*years*0.6) {
		day, ok := t.freeDay(b.from, t.careEnd)
		if !ok {
			continue
		}
		a := acuteReasons[r.IntN(len(acuteReasons))]
		c := b.office(day, b.pcp, "")
		c.diags = []coding{a.dx}
		for _, i := range t.activeOn(day) {
			if r.Float64() < 0.25 {
				c.diags = append(c.diags, b.conds[i].icd10[0])
			}
		}
		for j := range a.services {
			c.addLine(r, &a.services[j], nil, 0, 1, day)
		}
		c.vitals = r.Float64() < 0.5
		t.add(c)
		if a.rx != nil && r.Float64() < a.rxShare {
			t.acutePrescription(*a.rx, day)
		}
	}
}

// outpatientVisits draws hospital outpatient services: emergency visits,
// imaging, tests, and for members with heart failure their
// echocardiograms.
func (t *timeline) outpatientVisits(years float64) {
	b, r := t.b, t.r
	for range poisson(r, t.util*years*0.25) {
		day, ok := t.freeDay(b.from, t.careEnd)
		if !ok {
			continue
		}
		v := outpatientVisits[r.IntN(len(outpatientVisits))]
		for _, i := range t.activeOn(day) {
			if b.conds[i].key == "heartfailure" && r.Float64() < 0.5 {
				v = visit{b.conds[i].icd10[0], revEcho, svcEcho, true}
			}
		}
		c := claim{typ: "outpatient"}
		b.withActive(day, func() { b.outpatientVisit(r, &c, day, v) })
		t.add(c)
	}
}

// equipment draws the supplies and equipment the member's conditions need
// (a glucose monitor and strips, oxygen, a walker), and a walker or a
// wheelchair for some of the oldest.
func (t *timeline) equipment() {
	b, r := t.b, t.r
	for i, cond := range b.conds {
		st := &b.states[i]
		if !st.active || len(cond.dme) == 0 {
			continue
		}
		from := later(st.onset, b.from)
		years := float64(daysBetween(from, t.careEnd)+1) / 365.25
		for range poisson(r, years*0.35) {
			if day, ok := t.freeDay(from, t.careEnd); ok {
				c := claim{typ: "dme"}
				b.withActive(day, func() { b.dme(r, &c, day) })
				t.add(c)
			}
		}
	}
	if b.person.age(b.cal.asOf) >= 75 && r.Float64() < 0.08 {
		if day, ok := t.freeDay(b.from, t.careEnd); ok {
			c := claim{typ: "dme"}
			b.withActive(day, func() { b.dme(r, &c, day) })
			t.add(c)
		}
	}
}

// preventiveServices draws Medicare's preventive services at the
// frequencies it pays them: the "Welcome to Medicare" visit within the
// first 12 months of Part B (42 CFR 410.16), then annual wellness visits,
// the first of them once in a lifetime and each later one after eleven
// full months (42 CFR 410.15); screening mammograms for women (410.34)
// and PSA tests for men 50 and over (410.39) at most once a year, and a
// screening colonoscopy at most once in ten years (410.37).
func (t *timeline) preventiveServices() {
	b, r := t.b, t.r
	p := &b.person
	partB := p.enrolled
	var ippe time.Time
	if !partB.Before(b.from) && r.Float64() < ippeUptake {
		day := t.afterStays(addDays(partB, 14+r.IntN(320)))
		if day.Before(partB.AddDate(1, 0, 0)) && !day.After(t.careEnd) {
			t.wellness(day, svcIPPE)
			ippe = day
		}
	}
	if r.Float64() < awvUptake {
		eligible := later(partB.AddDate(1, 0, 0), b.from)
		if !ippe.IsZero() {
			eligible = later(eligible, afterElevenFullMonths(ippe))
		}
		initialDone := partB.AddDate(1, 0, 0).Before(b.from) && r.Float64() < awvBeforeHistory
		for {
			day := addDays(eligible, r.IntN(90))
			if r.Float64() < awvSkipYear {
				day = day.AddDate(1, 0, 0)
			}
			if day = t.afterStays(day); day.After(t.careEnd) {
				break
			}
			svc := svcAWV
			if !initialDone {
				svc, initialDone = svcAWVInitial, true
			}
			t.wellness(day, svc)
			eligible = afterElevenFullMonths(day)
		}
	}
	if p.gender == "female" && r.Float64() < mammogramUptake {
		t.annualScreening(later(b.from, p.birth.AddDate(40, 0, 0)), t.careEnd, func(day time.Time) {
			c := t.screening(day, dxMammogram)
			c.addLine(r, &svcMammogram, &revMammography, 0, 1, day)
			c.procedure = &svcMammogram
			t.add(*c)
		})
	}
	if p.gender == "male" && r.Float64() < psaUptake {
		t.annualScreening(later(b.from, p.birth.AddDate(50, 0, 0)), earlier(t.careEnd, p.birth.AddDate(76, 0, 0)), func(day time.Time) {
			c := t.screening(day, dxProstate)
			l := c.addLine(r, &labPSA.bill, &revLab, 0, 1, day)
			l.lab = &labPSA
			t.add(*c)
		})
	}
	from, to := later(b.from, p.birth.AddDate(50, 0, 0)), earlier(t.careEnd, p.birth.AddDate(76, 0, 0))
	if r.Float64() < colonoscopyUptake {
		if day, ok := t.freeDay(from, to); ok {
			c := t.screening(day, dxColon)
			c.addLine(r, &svcColonoscopy, &revColonoscopy, 0, 1, day)
			c.procedure = &svcColonoscopy
			t.add(*c)
		}
	}
}

// annualScreening calls screen on days from from to to, each at least
// eleven full months after the one before and some a year or more later.
func (t *timeline) annualScreening(from, to time.Time, screen func(day time.Time)) {
	for eligible := from; ; {
		day := t.afterStays(addDays(eligible, t.r.IntN(240)))
		if day.After(to) {
			return
		}
		screen(day)
		eligible = afterElevenFullMonths(day)
	}
}

// wellness bills a preventive visit with the PCP, who takes the vital
// signs.
func (t *timeline) wellness(day time.Time, svc service) {
	c := t.b.office(day, t.b.pcp, "")
	c.diags = []coding{dxGeneralExam}
	c.addLine(t.r, &svc, nil, 0, 1, day)
	c.vitals = true
	t.add(c)
}

// screening starts a hospital outpatient claim for a screening, ordered by
// the PCP.
func (t *timeline) screening(day time.Time, dx coding) *claim {
	return &claim{typ: "outpatient", start: day, end: day, diags: []coding{dx}, rendering: t.b.pcp, provider: t.b.hospital}
}
