package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// A treated condition puts the member on a course of a drug: prescribed at
// the visit that diagnosed it (or before the history for a condition that
// predates it), filled every days' supply with the gaps of real
// adherence, and renewed once a year's supply is used or a year has passed,
// as most states limit a prescription to a year. Every fill falls within a
// year of the prescription it is dispensed on, by that prescription's
// prescriber.

// The realistic exceptions of a course, by course.
const (
	// unfilledShare is the share of chronic prescriptions never filled
	// (primary non-adherence), and acuteUnfilledShare that of acute ones.
	unfilledShare      = 0.06
	acuteUnfilledShare = 0.08
	// lapseShare is the share of chronic courses the member stops filling
	// before the end of the history while the condition goes on.
	lapseShare = 0.1
	// ninetyDayShare is the share of chronic courses filled 90 days at a
	// time rather than 30.
	ninetyDayShare = 0.55
	// lateRefillShare is the share of refills that come two weeks to two
	// months late.
	lateRefillShare = 0.05
)

// prescription is one MedicationRequest.
type prescription struct {
	d          drug
	prescriber string
	authored   time.Time // the day
	fills      int
	lastFill   time.Time
	status     string // "active", "completed" or "stopped"
}

// course is a chronic drug taken for a condition.
type course struct {
	d          drug
	prescriber string
	start      time.Time // the first prescription's day
	days       int       // days' supply of each fill
	unfilled   bool
	lapse      time.Time // when the member stops filling; zero: never
	lowersBP   bool      // a hypertension drug, whose first fill the blood pressure follows
}

// prescribe records a prescription of d written on day.
func (b *builder) prescribe(d drug, prescriber string, day time.Time) *prescription {
	rx := &prescription{d: d, prescriber: prescriber, authored: day, status: "active"}
	b.prescriptions = append(b.prescriptions, rx)
	return rx
}

// medications starts a course of the first drug of every treated
// condition, and of the second for some, then fills each.
func (t *timeline) medications() {
	b, r := t.b, t.r
	var courses []course
	taking := func(d drug) bool {
		return slices.ContainsFunc(courses, func(c course) bool { return c.d.rxnorm == d.rxnorm })
	}
	for i, cond := range b.conds {
		st := &b.states[i]
		if !st.active || !st.treated {
			continue
		}
		start := st.onset
		if !st.diagnosed {
			// Prescribed before the history, recently enough that the
			// prescription still covers the first fills inside it.
			start = later(st.onset, addDays(b.from, -1-r.IntN(240)))
		}
		for j, d := range cond.drugs {
			if j > 0 {
				if !st.second {
					break
				}
				// Added at a later visit when the first is not enough.
				visits := slices.DeleteFunc(slices.Clone(t.chronicVisits), func(v time.Time) bool { return v.Before(addDays(start, 120)) })
				if len(visits) == 0 {
					break
				}
				start = visits[r.IntN(len(visits))]
			}
			if taking(d) {
				continue
			}
			co := course{d: d, prescriber: st.doctor, start: start, days: 30, lowersBP: cond.key == "hypertension"}
			if r.Float64() < ninetyDayShare {
				co.days = 90
			}
			co.unfilled = r.Float64() < unfilledShare && !b.spec.Rich
			if r.Float64() < lapseShare {
				first := later(co.start, b.from)
				if span := daysBetween(first, t.careEnd); span > 180 {
					co.lapse = addDays(first, 90+r.IntN(span-90))
				}
			}
			courses = append(courses, co)
		}
	}
	for _, co := range courses {
		t.fill(co)
	}
}

// fill writes a course's prescriptions and dispenses its fills.
func (t *timeline) fill(co course) {
	b, r := t.b, t.r
	rx := b.prescribe(co.d, co.prescriber, co.start)
	if co.unfilled {
		rx.status = "stopped"
		return
	}
	end := t.careEnd
	if !co.lapse.IsZero() {
		end = co.lapse
	}
	day := addDays(co.start, r.IntN(6))
	if day.Before(b.from) {
		day = addDays(b.from, r.IntN(co.days))
	}
	perPrescription := 360 / co.days // a year's supply
	for !day.After(end) {
		if rx.fills >= perPrescription || daysBetween(rx.authored, day) > oneYear {
			rx.status = "completed"
			rx = b.prescribe(co.d, co.prescriber, t.renewal(rx.authored, day))
		}
		c := claim{typ: "pde"}
		b.dispense(r, &c, co.d, day, co.days, co.prescriber)
		c.refill = rx.fills
		c.rxWritten = rx.authored
		rx.fills++
		rx.lastFill = day
		t.add(c)
		if co.lowersBP && (b.bpTreated.IsZero() || day.Before(b.bpTreated)) {
			b.bpTreated = day
		}
		gap := r.IntN(13) - 5 // refilled up to five days early or a week late
		if r.Float64() < lateRefillShare {
			gap += 15 + r.IntN(46)
		}
		day = addDays(day, co.days+gap)
	}
	if !co.lapse.IsZero() {
		rx.status = "stopped"
	}
}

// renewal is the day a prescription written on prev is renewed for a fill
// on day: at the last chronic-care visit in between when one was in the
// last three months, else a few days before the fill, at the pharmacy's
// request.
func (t *timeline) renewal(prev, day time.Time) time.Time {
	for i := len(t.chronicVisits) - 1; i >= 0; i-- {
		v := t.chronicVisits[i]
		if v.After(day) {
			continue
		}
		if v.After(prev) && daysBetween(v, day) <= 90 {
			return v
		}
		break
	}
	return later(addDays(prev, 1), addDays(day, -t.r.IntN(4)))
}

// acutePrescription writes a prescription of d at an acute visit on day,
// filled that day or the next unless the member never fills it.
func (t *timeline) acutePrescription(d drug, day time.Time) {
	b, r := t.b, t.r
	rx := b.prescribe(d, b.pcp, day)
	rx.status = "completed"
	if r.Float64() < acuteUnfilledShare {
		rx.status = "stopped"
		return
	}
	fill := addDays(day, r.IntN(2))
	if fill.After(t.careEnd) {
		return
	}
	c := claim{typ: "pde"}
	b.dispense(r, &c, d, fill, 10, b.pcp)
	c.rxWritten = day
	rx.fills++
	rx.lastFill = fill
	t.add(c)
}

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

// medicationRequests renders every prescription, in the order written:
// active while its course goes on, completed once renewed or used, stopped
// when the member never filled it or stopped filling it. The
// prescriptions written at dental visits follow, numbered on, their times
// drawn from a stream of their own (streamDentalRecords).
func (b *builder) medicationRequests(r *rand.Rand, subject reference, short string) []Resource {
	slices.SortStableFunc(b.prescriptions, func(x, y *prescription) int { return x.authored.Compare(y.authored) })
	out := make([]Resource, 0, len(b.prescriptions)+len(b.addedRx))
	for i, rx := range b.prescriptions {
		out = append(out, b.medicationRequest(r, rx, subject, fmt.Sprintf("medicationrequest-%s-%d", short, i+1)))
	}
	if len(b.addedRx) > 0 {
		r := newRand(b.g.seed, b.spec.Number, streamDentalRecords)
		for i, rx := range b.addedRx {
			out = append(out, b.medicationRequest(r, rx, subject, fmt.Sprintf("medicationrequest-%s-%d", short, len(b.prescriptions)+i+1)))
		}
	}
	return out
}

// medicationRequest renders one prescription as id. A compound, which
// has no RxNorm code, is named by text alone (US Core MedicationRequest:
// medication[x] binds RxNorm extensibly).
func (b *builder) medicationRequest(r *rand.Rand, rx *prescription, subject reference, id string) Resource {
	category := coding{sysMedReqCat, "community", "Community"}
	authored := rx.authored.Add(time.Duration(13+r.IntN(8)) * time.Hour)
	updated := b.cal.stamp(r, later(authored, rx.lastFill))
	sig := rx.d.sig
	if sig == "" {
		sig = fmt.Sprintf("Use %g per day as directed", rx.d.perDay)
	}
	medication := concept{Text: rx.d.display}
	var codes []string
	if rx.d.rxnorm != "" {
		med := coding{sysRxNorm, rx.d.rxnorm, rx.d.display}
		medication.Coding = []coding{med}
		codes = []string{token(med)}
	}
	res := medicationRequestResource{
		ResourceType: "MedicationRequest", ID: id,
		Meta:                      meta{LastUpdated: fmtInstant(updated), Profile: []string{profMedication}},
		Status:                    rx.status,
		Intent:                    "order",
		Category:                  []concept{{Coding: []coding{category}}},
		ReportedBoolean:           false,
		MedicationCodeableConcept: medication,
		Subject:                   subject,
		AuthoredOn:                fmtInstant(authored),
		Requester:                 b.refs.practitioner(rx.prescriber),
		DosageInstruction:         []dosage{{Text: sig}},
	}
	return Resource{Type: "MedicationRequest", ID: id, LastUpdated: updated, Start: authored, End: authored,
		Category: []string{token(category)}, Code: codes, JSON: b.enc.encode(&res)}
}
