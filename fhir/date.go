package fhir

import (
	"strings"
	"time"
)

// datePrefix is a FHIR R4 search comparator (R4 Search, "Prefixes").
type datePrefix uint8

const (
	prefixEq datePrefix = iota
	prefixGt
	prefixLt
	prefixGe
	prefixLe
)

// dateFilter is one parsed date parameter: a comparator and the implicit
// range [lo, hi) of the value at its precision (R4 Search, "date": 2013 means
// the whole year, 2013-01-14T10:00 the whole minute).
type dateFilter struct {
	prefix datePrefix
	lo, hi time.Time
}

// parseDate parses a date search value: an optional prefix gt, lt, ge, le or
// eq, then YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a time zone. Dates
// without a zone are taken in UTC. A '+' offset that reached us as a space
// (an unencoded '+' in a query string) is read as '+'.
func parseDate(s string) (dateFilter, error) {
	var f dateFilter
	if len(s) >= 2 && isLower(s[0]) && isLower(s[1]) {
		switch s[:2] {
		case "eq":
			f.prefix = prefixEq
		case "gt":
			f.prefix = prefixGt
		case "lt":
			f.prefix = prefixLt
		case "ge":
			f.prefix = prefixGe
		case "le":
			f.prefix = prefixLe
		default:
			return f, errDatePrefix
		}
		s = s[2:]
	}
	var err error
	switch len(s) {
	case 0:
		return f, errDateMissing
	case 4:
		f.lo, err = time.Parse("2006", s)
		f.hi = f.lo.AddDate(1, 0, 0)
	case 7:
		f.lo, err = time.Parse("2006-01", s)
		f.hi = f.lo.AddDate(0, 1, 0)
	case 10:
		f.lo, err = time.Parse(time.DateOnly, s)
		f.hi = f.lo.AddDate(0, 0, 1)
	default:
		return parseDateTime(f, s)
	}
	if err != nil {
		return f, errDateSyntax
	}
	return f, nil
}

// dateError says what is wrong with a date value; its text is the 400's.
type dateError string

func (e dateError) Error() string { return string(e) }

const (
	errDateSyntax  dateError = "a date must be YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with Z or an offset such as -05:00"
	errDatePrefix  dateError = "prefix must be gt, lt, ge, le or eq"
	errDateMissing dateError = "a date is missing after the prefix"
	errDateZone    dateError = "a date-time needs a time zone: Z or an offset such as -05:00"
)

// parseDateTime reads YYYY-MM-DDThh:mm[:ss[.fff]] and a zone into f, with
// the range one unit of its precision wide. FHIR R4 §2.24.0.1 (Data Types, dateTime):
// "If hours and minutes are specified, a time zone SHALL be populated".
func parseDateTime(f dateFilter, s string) (dateFilter, error) {
	if len(s) < 11 || s[10] != 'T' {
		return f, errDateSyntax
	}
	clock := s[11:]
	z := strings.IndexAny(clock, "Z+- ")
	if z < 0 {
		return f, errDateZone
	}
	zone := clock[z:]
	clock = clock[:z]
	if zone[0] == ' ' {
		zone = "+" + zone[1:]
	}
	var unit time.Duration
	switch {
	case len(clock) == 5:
		unit = time.Minute
		clock += ":00"
	case len(clock) == 8:
		unit = time.Second
	case len(clock) > 9 && len(clock) <= 18 && clock[8] == '.':
		unit = time.Second
		for range len(clock) - 9 {
			unit /= 10
		}
	default:
		return f, errDateSyntax
	}
	t, err := time.Parse("2006-01-02T15:04:05Z07:00", s[:11]+clock+zone)
	if err != nil {
		return f, errDateSyntax
	}
	f.lo, f.hi = t, t.Add(unit)
	return f, nil
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// matches reports whether a target range [start, end] (a point when equal)
// satisfies f, by the R4 Search rules for "date": eq when the value's range
// contains the target; gt when the range above the value overlaps it; lt
// when the range below does; ge and le as gt and lt, or eq. A resource
// without the date never matches.
func (f dateFilter) matches(start, end time.Time) bool {
	if start.IsZero() {
		return false
	}
	if end.Before(start) {
		end = start
	}
	within := !start.Before(f.lo) && end.Before(f.hi)
	above := !end.Before(f.hi)
	below := start.Before(f.lo)
	switch f.prefix {
	case prefixGt:
		return above
	case prefixLt:
		return below
	case prefixGe:
		return above || within
	case prefixLe:
		return below || within
	default:
		return within
	}
}
