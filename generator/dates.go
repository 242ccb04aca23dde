package generator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// DefaultAsOf is the data's "today" when none is given: services run up to
// a week before it and every meta.lastUpdated is on or before it. It is a
// constant, not the clock, so that every run, machine and replica serves
// the same bytes (README, "Generated members").
var DefaultAsOf = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// The range of as-of dates the generator accepts: from a year after
// tagFloor, so that the backfill of older data has a year to land in, to
// the end of the century, which four-digit years and the price tables
// comfortably cover.
var (
	minAsOf = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	maxAsOf = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ParseAsOf reads an as-of date, YYYY-MM-DD, and checks it is in range.
func ParseAsOf(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || fmtDate(t) != s {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	if t.Before(minAsOf) || t.After(maxAsOf) {
		return time.Time{}, fmt.Errorf("%s is outside %s .. %s", s, fmtDate(minAsOf), fmtDate(maxAsOf))
	}
	return t, nil
}

// Fixed points of every calendar: the docs' tagging floor and the window
// Practitioners and Organizations were loaded in.
var (
	// eastern is the offset the docs' instants carry (-05:00).
	eastern = time.FixedZone("", -5*60*60)
	// tagFloor is the earliest meta.lastUpdated: the docs say data before
	// 2020-02-12 is not tagged correctly, so every stamp is after that day.
	tagFloor = time.Date(2020, 2, 13, 0, 0, 0, 0, eastern)
	// directoryLoaded ends the stamps of Practitioners and Organizations,
	// which are loaded once, early in the tagged era: before minAsOf, so
	// that they never depend on the as-of date.
	directoryLoaded = time.Date(2020, 12, 1, 0, 0, 0, 0, eastern)
)

// historyYears is how far back the claims history reaches: from January 1st
// of the year ten years before the as-of date's.
const historyYears = 10

// lastServiceGap is how long before the as-of date the last service falls:
// a week, so that "the last 90 days" holds most of a quarter's claims,
// each adjudicated by the as-of date.
const lastServiceGap = 7

// calendar fixes the dates one Generator draws in. Nothing reads the clock.
type calendar struct {
	// asOf is "today" in the data (UTC midnight).
	asOf time.Time
	// historyStart is the first day the claims history can hold.
	historyStart time.Time
	// lastService is the last day a service can fall on.
	lastService time.Time
	// backfillEnd bounds the stamps of data whose services predate
	// tagFloor: they were loaded at some point between tagFloor and it.
	backfillEnd time.Time
}

func newCalendar(asOf time.Time) calendar {
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return calendar{
		asOf:         asOf,
		historyStart: time.Date(asOf.Year()-historyYears, 1, 1, 0, 0, 0, 0, time.UTC),
		lastService:  addDays(asOf, -lastServiceGap),
		backfillEnd:  earlier(time.Date(2023, 12, 31, 0, 0, 0, 0, eastern), asOf),
	}
}

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
// before after, never on or before 2020-02-12, and never past the as-of
// date.
func (cal *calendar) stamp(r *rand.Rand, after time.Time) time.Time {
	offset := time.Duration(r.Int64N(int64(24 * time.Hour))).Truncate(time.Millisecond)
	t := after.Add(time.Duration(1+r.IntN(30))*24*time.Hour + offset)
	if t.Before(tagFloor) {
		span := cal.backfillEnd.Sub(tagFloor)
		t = tagFloor.Add(time.Duration(r.Int64N(int64(span))).Truncate(time.Millisecond))
	}
	if end := cal.asOf.Add(24*time.Hour - time.Millisecond); t.After(end) {
		t = end
	}
	return t.In(eastern)
}

// directoryStamp is the stamp of a Practitioner or Organization, which has
// no service date of its own: some time while the directory was loaded.
func directoryStamp(r *rand.Rand) time.Time {
	span := directoryLoaded.Sub(tagFloor)
	return tagFloor.Add(time.Duration(r.Int64N(int64(span))).Truncate(time.Millisecond)).In(eastern)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
