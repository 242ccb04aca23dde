package fhir

import (
	"strings"
	"time"
)

// datePrefix is a FHIR R4 search comparator (R4 Search, "Prefixes").
type datePrefix uint8

const (
	prefixEq datePrefix = iota
	prefixNe
	prefixGt
	prefixLt
	prefixGe
	prefixLe
	prefixSa
	prefixEb
	prefixAp
)

// datePrefixes spell the comparators, in datePrefix order.
var datePrefixes = [...]string{"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}

// dateRange is the half-open range [lo, hi) of instants a date covers.
type dateRange struct{ lo, hi time.Time }

// dateFilter is one parsed date parameter: a comparator and the implicit
// range [lo, hi) of the value at its precision (R4 Search, "date": 2013 means
// the whole year, 2013-01-14T10:00 the whole minute).
type dateFilter struct {
	prefix datePrefix
	dateRange
}

// parseDate parses a date search value: an optional prefix (eq, ne, gt,
// lt, ge, le, sa, eb, ap), then YYYY, YYYY-MM, YYYY-MM-DD or a dateTime
// with a time zone. Dates without a zone are taken in UTC. A '+' offset that
// reached us as a space (an unencoded '+' in a query string) is read as '+'.
func parseDate(s string) (dateFilter, error) {
	var f dateFilter
	if len(s) >= 2 && isLower(s[0]) && isLower(s[1]) {
		i := 0
		for i < len(datePrefixes) && datePrefixes[i] != s[:2] {
			i++
		}
		if i == len(datePrefixes) {
			return f, errDatePrefix
		}
		f.prefix = datePrefix(i)
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
	errDatePrefix  dateError = "prefix must be eq, ne, gt, lt, ge, le, sa, eb or ap"
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

// targetRange is the range a date or dateTime element of a resource covers:
// its value at its precision (R4 Search, "date"), dates in UTC as for
// search values. ok is false for anything that is not a date.
func targetRange(s string) (dateRange, bool) {
	if s == "" || !isDigit(s[0]) {
		return dateRange{}, false // a prefix is search syntax, not a value
	}
	f, err := parseDate(s)
	if err != nil {
		return dateRange{}, false
	}
	return f.dateRange, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// pointRange is the range of an instant the generator gives as a
// time.Time, or of a span between two: the instants themselves, end
// included.
func pointRange(start, end time.Time) dateRange {
	if end.Before(start) {
		end = start
	}
	return dateRange{lo: start, hi: end.Add(time.Nanosecond)}
}

// matches reports whether a target range t satisfies f, by the R4 Search
// rules for "date" ("Prefixes"): eq when the value's range contains the
// target; ne when it does not; gt when the range above the value overlaps
// the target, lt when the range below does, ge and le as gt and lt or eq;
// sa when the target starts after the value's range, eb when it ends
// before it. ap is left to the server ("systems may choose other values
// where appropriate"): here the ranges overlap, so that a value matches
// whatever it is approximately.
func (f dateFilter) matches(t dateRange) bool {
	contains := !t.lo.Before(f.lo) && !t.hi.After(f.hi)
	switch f.prefix {
	case prefixNe:
		return !contains
	case prefixGt:
		return t.hi.After(f.hi)
	case prefixLt:
		return t.lo.Before(f.lo)
	case prefixGe:
		return t.hi.After(f.hi) || contains
	case prefixLe:
		return t.lo.Before(f.lo) || contains
	case prefixSa:
		return !t.lo.Before(f.hi)
	case prefixEb:
		return !t.hi.After(f.lo)
	case prefixAp:
		return t.lo.Before(f.hi) && f.lo.Before(t.hi)
	default:
		return contains
	}
}
