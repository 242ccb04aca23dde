package generator

import (
	"math/rand/v2"
	"time"
)

// The generator's calendar is fixed so that output never depends on when it
// runs: services fall between historyStart and asOf, and no clock is read.
var (
	historyStart = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	asOf         = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	// eastern is the offset the docs' instants carry (-05:00).
	eastern = time.FixedZone("", -5*60*60)
	// tagFloor is the earliest meta.lastUpdated: the docs say data before
	// 2020-02-12 is not tagged correctly, so every stamp is after that day.
	tagFloor = time.Date(2020, 2, 13, 0, 0, 0, 0, eastern)
	// backfillEnd bounds the stamps of data whose services predate
	// tagFloor: they were loaded at some point between tagFloor and it.
	backfillEnd = time.Date(2023, 12, 31, 0, 0, 0, 0, eastern)
	// lastService leaves room after the last service date for adjudication
	// and its stamp, all before asOf.
	lastService = asOf.AddDate(0, 0, -60)
)

// fmtDate writes t's date as YYYY-MM-DD (FHIR date).
func fmtDate(t time.Time) string {
	y, m, d := t.Date()
	b := make([]byte, 0, 10)
	return string(appendDate(b, y, int(m), d))
}

// fmtInstant writes t in the docs' instant form,
// YYYY-MM-DDThh:mm:ss.sss-05:00 (FHIR instant). It is a hand-written
// time.Format(instantLayout) because every resource formats several.
func fmtInstant(t time.Time) string {
	t = t.In(eastern)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b := make([]byte, 0, 29)
	b = appendDate(b, y, int(mo), d)
	b = append(b, 'T')
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	ms := t.Nanosecond() / 1e6
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return string(append(b, "-05:00"...))
}

func appendDate(b []byte, y, m, d int) []byte {
	b = append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10%10), byte('0'+n%10)) }

// day returns the UTC midnight n days after t's date.
func addDays(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// daysBetween counts whole days from a to b (both UTC midnights).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// monthWeight is the relative volume of services per month: respiratory
// season (December to March) is busier than summer.
var monthWeight = [12]float64{1.25, 1.2, 1.1, 1.0, 0.95, 0.9, 0.85, 0.9, 0.95, 1.0, 1.05, 1.15}

// serviceDay draws a date in [from, to] with the seasonal weights above, by
// rejection so the result stays a pure function of r.
func serviceDay(r *rand.Rand, from, to time.Time) time.Time {
	n := daysBetween(from, to)
	if n <= 0 {
		return from
	}
	for range 32 {
		d := addDays(from, r.IntN(n+1))
		if r.Float64()*1.25 < monthWeight[d.Month()-1] {
			return d
		}
	}
	return addDays(from, r.IntN(n+1))
}

// stamp returns a meta.lastUpdated for a resource whose latest recorded
// event happened on after: a few days to weeks later, or, for events before
// tagFloor, some time during the backfill that loaded them. It is never
// before after, never on or before 2020-02-12, and never past asOf.
func stamp(r *rand.Rand, after time.Time) time.Time {
	offset := time.Duration(r.Int64N(int64(24 * time.Hour))).Truncate(time.Millisecond)
	t := after.Add(time.Duration(1+r.IntN(30))*24*time.Hour + offset)
	if t.Before(tagFloor) {
		span := backfillEnd.Sub(tagFloor)
		t = tagFloor.Add(time.Duration(r.Int64N(int64(span))).Truncate(time.Millisecond))
	}
	if end := asOf.Add(24*time.Hour - time.Millisecond); t.After(end) {
		t = end
	}
	return t.In(eastern)
}

// anyStamp is a stamp for a resource with no service date of its own
// (Patient, Coverage, Practitioner, Organization): anywhere in the tagged
// era.
func anyStamp(r *rand.Rand) time.Time {
	span := asOf.Sub(tagFloor)
	return tagFloor.Add(time.Duration(r.Int64N(int64(span))).Truncate(time.Millisecond)).In(eastern)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
