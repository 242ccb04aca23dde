package fhir

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Paging limits (README, "FHIR").
const (
	defaultCount = 10
	maxCount     = 50
	// maxStartIndex bounds startIndex so start+count never overflows, even
	// with a 32-bit int; any offset this large is past every member's end.
	maxStartIndex = math.MaxInt32 - maxCount
)

// query is a parsed search: what to filter, which page, and the parameters
// the paging links keep.
type query struct {
	// compartment holds the member ids the compartment parameters named
	// (patient, beneficiary, Patient _id); every one must be the token's.
	compartment []string
	ids         [][]string // _id: each a list of logical ids, any one of which matches
	identifiers [][]token
	claimTypes  [][]token
	dates       []dateCond
	category    [][]token
	code        [][]token
	includes    includeSet
	generic     []genericCond
	// revProvenance asks for the Provenance of the matches.
	revProvenance bool
	count         int
	start         int
	// keep is every parameter but _count and startIndex, as the client sent
	// it, for the links (README, "FHIR": links keep every other parameter).
	keep url.Values
	// hasCompartment is true when the client named the member itself.
	hasCompartment bool
}

// dateTarget is the date of a resource a date parameter compares.
type dateTarget uint8

const (
	targetLastUpdated   dateTarget = iota // meta.lastUpdated
	targetPeriod                          // Resource.Start..End
	targetServiceDate                     // billablePeriod | item.serviced
	targetServiceStart                    // billablePeriod.start | item.servicedDate | item.servicedPeriod.start
	targetBillableStart                   // billablePeriod.start
)

// dateCond is one date parameter of a search: what it compares, and how.
type dateCond struct {
	target dateTarget
	f      dateFilter
}

// includeParam is the parameter that asks for referenced resources (R4
// Search, "Including other resources in result").
const includeParam = "_include"

// parseQuery parses the search parameters v of type t. In strict handling an
// unknown parameter is an error; otherwise it is ignored (R4 Search,
// "Handling Errors": lenient is the default, Prefer: handling=strict asks
// for errors), but it is kept in the links.
func parseQuery(t *resourceType, v url.Values, strict bool) (query, *statusError) {
	q := query{count: defaultCount, keep: make(url.Values, len(v))}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // the first error reported does not depend on map order
	for _, name := range names {
		values := v[name]
		if name == includeParam && len(t.Includes) > 0 {
			q.keep[name] = values
			for _, iv := range values {
				// An _include the type does not serve is an unknown
				// parameter value: an error when strict, ignored otherwise.
				if !t.parseInclude(iv, &q.includes) && strict {
					return q, badRequest("_include " + quote(iv) + " is not served for " + t.Name + "; see metadata for its searchInclude")
				}
			}
			continue
		}
		if name == revincludeParam && t.compartmentParam() != "" {
			q.keep[name] = values
			for _, rv := range values {
				if rv == "Provenance:target" {
					q.revProvenance = true
				} else if strict {
					return q, badRequest("_revinclude " + quote(rv) + " is not served; only Provenance:target is")
				}
			}
			continue
		}
		p, known := t.param(name)
		if !known {
			if strict {
				return q, badRequest("unknown search parameter " + quote(name) + " for " + t.Name)
			}
			q.keep[name] = values
			continue
		}
		if p.Filter != filterCount && p.Filter != filterStartIndex {
			q.keep[name] = values
		}
		if err := q.add(p, values); err != nil {
			return q, err
		}
	}
	return q, nil
}

// add parses the values of one known parameter into q.
func (q *query) add(p *searchParam, values []string) *statusError {
	switch p.Filter {
	case filterCount, filterStartIndex, filterFormat:
		if len(values) > 1 {
			return badRequest(p.Name + " is given more than once")
		}
	}
	for _, v := range values {
		switch p.Filter {
		case filterPatient, filterID:
			if err := q.addCompartment(p, v); err != nil {
				return err
			}
		case filterResourceID:
			ids, ok := parseIDs(v)
			if !ok {
				return badRequest("_id must be logical ids separated by commas, got " + quote(v))
			}
			q.ids = append(q.ids, ids)
		case filterIdentifier:
			ts, ok := parseTokens(v)
			if !ok {
				return badRequest("identifier must be system|value, |value or value, got " + quote(v))
			}
			q.identifiers = append(q.identifiers, ts)
		case filterClaimType:
			ts, ok := parseClaimTypes(v)
			if !ok {
				return badRequest(errNotValidValue)
			}
			q.claimTypes = append(q.claimTypes, ts)
		case filterLastUpdated, filterPeriod, filterServiceDate, filterServiceStart, filterBillableStart:
			f, err := parseDate(v)
			if err != nil {
				return badRequest(p.Name + " " + quote(v) + ": " + err.Error())
			}
			target, _ := p.Filter.dateTarget()
			q.dates = append(q.dates, dateCond{target, f})
		case filterCategory, filterCode:
			ts, ok := parseTokens(v)
			if !ok {
				return badRequest(p.Name + " must be system|code or code, got " + quote(v))
			}
			if p.Filter == filterCategory {
				q.category = append(q.category, ts)
			} else {
				q.code = append(q.code, ts)
			}
		case filterToken, filterString, filterReference, filterDate:
			c, err := parseGeneric(p, v)
			if err != nil {
				return err
			}
			q.generic = append(q.generic, c)
		case filterCount:
			n, err := parseCount(v)
			if err != nil {
				return err
			}
			q.count = n
		case filterStartIndex:
			n, err := parseStartIndex(v)
			if err != nil {
				return err
			}
			q.start = n
		case filterFormat:
			if !validFormat(v) {
				return badRequest("_format must be json, application/fhir+json or application/json+fhir, got " + quote(v))
			}
		}
	}
	return nil
}

// addCompartment records the member a patient, beneficiary or _id value
// names. Patient=X and patient=Patient/X are the same (README, "FHIR"); a comma
// lists alternatives, each of which must be the token's member.
func (q *query) addCompartment(p *searchParam, v string) *statusError {
	for item := range strings.SplitSeq(v, ",") {
		id := item
		if p.Filter == filterPatient {
			id = strings.TrimPrefix(item, "Patient/")
		}
		if id == "" {
			return badRequest(p.Name + " must name a patient, got " + quote(v))
		}
		q.compartment = append(q.compartment, id)
	}
	q.hasCompartment = true
	return nil
}

// parseIDs reads an _id value: logical ids separated by commas, any one of
// which matches (R4 Search, "_id"), with the escapes of a token.
func parseIDs(v string) ([]string, bool) {
	var ids []string
	for item := range splitList(v) {
		id, ok := unescape(item)
		if !ok || id == "" {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// parseCount reads _count: a non-negative integer. More than maxCount is
// served as maxCount (R4 Search, "_count": the server may return fewer
// than asked, never more); 0 asks for the total only, no entries (R4 says
// _summary=count for that and R5 Search made _count=0 mean it: serving it
// is harmless and saves a client the first page).
func parseCount(v string) (int, *statusError) {
	if !allDigits(v) {
		return 0, badRequest("_count must be a non-negative integer, got " + quote(v))
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > maxCount {
		return maxCount, nil // all digits: only too large fails
	}
	return n, nil
}

// parseStartIndex reads startIndex: a non-negative 0-based offset. An offset
// past the end is valid and gives an empty page.
func parseStartIndex(v string) (int, *statusError) {
	if !allDigits(v) {
		return 0, badRequest("startIndex must be a non-negative integer, got " + quote(v))
	}
	n, err := strconv.Atoi(v)
	if err != nil || n > maxStartIndex {
		return maxStartIndex, nil
	}
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validFormat reports whether v is one of the _format values served, all of
// which mean FHIR JSON (R4 RESTful API, "Content Types and encodings"). A '+'
// that arrived unencoded reads as a space and is accepted as '+'.
func validFormat(v string) bool {
	switch strings.ReplaceAll(v, " ", "+") {
	case "json", "application/fhir+json", "application/json+fhir":
		return true
	}
	return false
}
