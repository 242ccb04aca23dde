package fhir

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// FuzzSearchParams feeds one string to every search-parameter parser and to
// the whole query parser: none may panic, and what they accept must hold
// together (a date range that is not empty, a page size within bounds, a
// non-empty claim-type set; escaped strings that stay valid JSON).
// Seeds: testdata/fuzz/FuzzSearchParams.
func FuzzSearchParams(f *testing.F) {
	for _, s := range []string{
		"gt2020-02-13T08:00:00-05:00", "lt2020-02-14T08:00:00 05:00", "2020", "ge2020-02", "le2020-02-29",
		"eq2020-02-13T08:00Z", "2020-02-13T08:00:00.123+01:00", "gt", "ne2020", "2020-13",
		"carrier,pde", eobTypeSys + "|carrier", eobTypeSysTypo + "|inpatient", "Carrier", ",", "",
		"10", "0", "-1", "99999999999999999999", "http://loinc.org|8867-4", "|x", "x|",
		"type=carrier&_count=5&startIndex=3&_lastUpdated=gt2020", "<script>\u2028\xff",
	} {
		f.Add(s)
	}
	eobType := resourceTypes()[2]
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseDate(s); err == nil && !d.lo.Before(d.hi) {
			t.Errorf("parseDate(%q) gave an empty range %v..%v", s, d.lo, d.hi)
		}
		if set, ok := parseClaimTypes(s); ok {
			if len(set) == 0 || strings.Contains(","+s+",", ",,") {
				t.Errorf("parseClaimTypes(%q) accepted an empty set or item", s)
			}
		}
		if n, err := parseCount(s); err == nil && (n < 0 || n > maxCount) {
			t.Errorf("parseCount(%q) = %d", s, n)
		}
		if n, err := parseStartIndex(s); err == nil && (n < 0 || n > maxStartIndex) {
			t.Errorf("parseStartIndex(%q) = %d", s, n)
		}
		if ts, ok := parseTokens(s); ok && len(ts) == 0 {
			t.Errorf("parseTokens(%q) accepted nothing", s)
		}
		if !json.Valid(appendString(nil, s)) {
			t.Errorf("appendString(%q) is not a JSON string", s)
		}
		if v, err := url.ParseQuery(s); err == nil {
			if q, err := parseQuery(&eobType, v, true); err == nil && (q.count < 0 || q.count > maxCount || q.start < 0) {
				t.Errorf("parseQuery(%q) paged %d at %d", s, q.count, q.start)
			}
		}
	})
}
