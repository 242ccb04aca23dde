package fhir

import (
	"encoding/json"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// The US Core searches that read a resource's JSON by element path: the
// token, string, reference and date parameters of the US Core 6.1
// SearchParameters whose values generator.Resource does not carry. Their
// expressions are the paths below (US Core 6.1, each SearchParameter's
// expression, less the type name).
var searchPaths = map[string][]string{
	"Patient.name":                        {"name"},
	"Patient.family":                      {"name.family"},
	"Patient.given":                       {"name.given"},
	"Patient.birthdate":                   {"birthDate"},
	"Patient.gender":                      {"gender"},
	"Patient.death-date":                  {"deceasedDateTime"},
	"Organization.name":                   {"name", "alias"},
	"Organization.address":                {"address"},
	"Practitioner.name":                   {"name"},
	"Location.name":                       {"name", "alias"},
	"Location.address":                    {"address"},
	"Location.address-city":               {"address.city"},
	"Location.address-state":              {"address.state"},
	"Location.address-postalcode":         {"address.postalCode"},
	"PractitionerRole.specialty":          {"specialty"},
	"PractitionerRole.practitioner":       {"practitioner"},
	"AllergyIntolerance.clinical-status":  {"clinicalStatus"},
	"CarePlan.status":                     {"status"},
	"CarePlan.date":                       {"period"},
	"CareTeam.status":                     {"status"},
	"CareTeam.role":                       {"participant.role"},
	"Condition.clinical-status":           {"clinicalStatus"},
	"Condition.recorded-date":             {"recordedDate"},
	"Condition.encounter":                 {"encounter"},
	"Condition.abatement-date":            {"abatementDateTime"},
	"Device.type":                         {"type"},
	"Device.status":                       {"status"},
	"DiagnosticReport.status":             {"status"},
	"DocumentReference.type":              {"type"},
	"DocumentReference.status":            {"status"},
	"DocumentReference.period":            {"context.period"},
	"Encounter.status":                    {"status"},
	"Encounter.class":                     {"class"},
	"Encounter.discharge-disposition":     {"hospitalization.dischargeDisposition"},
	"Encounter.identifier":                {"identifier"},
	"Goal.lifecycle-status":               {"lifecycleStatus"},
	"Goal.target-date":                    {"target.dueDate"},
	"Goal.description":                    {"description"},
	"Immunization.status":                 {"status"},
	"MedicationDispense.status":           {"status"},
	"MedicationDispense.type":             {"type"},
	"MedicationRequest.intent":            {"intent"},
	"MedicationRequest.status":            {"status"},
	"MedicationRequest.encounter":         {"encounter"},
	"Observation.status":                  {"status"},
	"Procedure.status":                    {"status"},
	"QuestionnaireResponse.status":        {"status"},
	"QuestionnaireResponse.questionnaire": {"questionnaire"},
	"ServiceRequest.status":               {"status"},
}

// genericValues returns the values of the paths of one parameter in doc,
// a resource decoded into maps: for a token each Coding as system|code,
// each Identifier as system|value and each code as itself; for a string
// every string inside the element, lower-cased; for a reference each
// reference; for a date each date, dateTime or Period as its range.
func genericValues(doc map[string]any, paths []string, f filter) (values []string, dates []dateRange) {
	for _, p := range paths {
		for _, v := range walk(doc, strings.Split(p, ".")) {
			switch f {
			case filterToken:
				values = appendTokens(values, v)
			case filterString:
				values = appendStrings(values, v)
			case filterReference:
				if m, ok := v.(map[string]any); ok {
					if ref, ok := m["reference"].(string); ok {
						values = append(values, ref)
					}
				} else if s, ok := v.(string); ok {
					values = append(values, s) // a canonical
				}
			case filterDate:
				switch x := v.(type) {
				case string:
					if d, ok := targetRange(x); ok {
						dates = append(dates, d)
					}
				case map[string]any:
					start, _ := x["start"].(string)
					end, _ := x["end"].(string)
					if d, ok := periodRange(&jsonPeriod{Start: start, End: end}); ok {
						dates = append(dates, d)
					}
				}
			}
		}
	}
	return values, dates
}

// walk follows path from v, flattening lists on the way.
func walk(v any, path []string) []any {
	if list, ok := v.([]any); ok {
		var out []any
		for _, x := range list {
			out = append(out, walk(x, path)...)
		}
		return out
	}
	if len(path) == 0 {
		return []any{v}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := m[path[0]]
	if !ok {
		return nil
	}
	return walk(next, path[1:])
}

func appendTokens(dst []string, v any) []string {
	switch x := v.(type) {
	case string:
		return append(dst, x)
	case map[string]any:
		if codings, ok := x["coding"].([]any); ok {
			for _, c := range codings {
				dst = appendTokens(dst, c)
			}
			return dst
		}
		sys, _ := x["system"].(string)
		if code, ok := x["code"].(string); ok {
			return append(dst, sys+"|"+code)
		}
		if value, ok := x["value"].(string); ok {
			return append(dst, sys+"|"+value)
		}
	}
	return dst
}

func appendStrings(dst []string, v any) []string {
	switch x := v.(type) {
	case string:
		return append(dst, strings.ToLower(x))
	case []any:
		for _, e := range x {
			dst = appendStrings(dst, e)
		}
	case map[string]any:
		for k, e := range x {
			if k != "use" && k != "type" && k != "period" {
				dst = appendStrings(dst, e)
			}
		}
	}
	return dst
}

// readGenericFacts reads the values of every JSON-path parameter of r's
// type into f.
func readGenericFacts(f *resourceFacts, r *generator.Resource) {
	params := genericParamsOf[r.Type]
	if len(params) == 0 && r.Type != "Provenance" {
		return
	}
	var doc map[string]any
	if json.Unmarshal(r.JSON, &doc) != nil {
		return
	}
	if r.Type == "Provenance" {
		for _, t := range walk(doc, []string{"target"}) {
			if m, ok := t.(map[string]any); ok {
				ref, _ := m["reference"].(string)
				f.addRef(refTarget, ref)
			}
		}
	}
	for _, p := range params {
		values, dates := genericValues(doc, searchPaths[r.Type+"."+p.Name], p.Filter)
		if f.generic == nil {
			f.generic = map[string][]string{}
			f.genericDates = map[string][]dateRange{}
		}
		f.generic[p.Name] = values
		f.genericDates[p.Name] = dates
	}
}

// genericParamsOf lists, by type, the parameters readGenericFacts reads.
var genericParamsOf = func() map[string][]searchParam {
	out := map[string][]searchParam{}
	for _, t := range resourceTypes() {
		for _, p := range t.Params {
			switch p.Filter {
			case filterToken, filterString, filterReference, filterDate:
				out[t.Name] = append(out[t.Name], p)
			}
		}
	}
	return out
}()

// genericCond is one JSON-path parameter of a search.
type genericCond struct {
	name    string
	filter  filter
	tokens  []token
	strs    []string
	refs    []string
	date    dateFilter
	missing bool
}

// matches reports whether facts satisfy c: a token as tokens do, a string
// when a value starts with it (R4 Search, "string": case-insensitive,
// starts with), a reference by Type/id or bare id, a date when one of the
// element's dates does.
func (c *genericCond) matches(f *resourceFacts) bool {
	switch c.filter {
	case filterToken:
		return anyMatches(c.tokens, f.generic[c.name])
	case filterString:
		for _, v := range f.generic[c.name] {
			for _, s := range c.strs {
				if strings.HasPrefix(v, s) {
					return true
				}
			}
		}
		return false
	case filterReference:
		for _, v := range f.generic[c.name] {
			for _, r := range c.refs {
				if v == r || strings.HasSuffix(v, "/"+r) {
					return true
				}
			}
		}
		return false
	}
	for _, d := range f.genericDates[c.name] {
		if c.date.matches(d) {
			return true
		}
	}
	return false
}

// parseGeneric parses one value of a JSON-path parameter.
func parseGeneric(p *searchParam, v string) (genericCond, *statusError) {
	c := genericCond{name: p.Name, filter: p.Filter}
	switch p.Filter {
	case filterToken:
		ts, ok := parseTokens(v)
		if !ok {
			return c, badRequest(p.Name + " must be system|code or code, got " + quote(v))
		}
		c.tokens = ts
	case filterString:
		for item := range splitList(v) {
			s, ok := unescape(item)
			if !ok || s == "" {
				return c, badRequest(p.Name + " must be text, got " + quote(v))
			}
			c.strs = append(c.strs, strings.ToLower(s))
		}
	case filterReference:
		for item := range splitList(v) {
			s, ok := unescape(item)
			if !ok || s == "" {
				return c, badRequest(p.Name + " must be a reference Type/id or id, got " + quote(v))
			}
			c.refs = append(c.refs, s)
		}
	case filterDate:
		f, err := parseDate(v)
		if err != nil {
			return c, badRequest(p.Name + " " + quote(v) + ": " + err.Error())
		}
		c.date = f
	}
	return c, nil
}

// revincludeParam asks for the Provenance of a search's matches
// (R4 Search, "_revinclude"; US Core 6.1, "Provenance": Provenance:target).
const revincludeParam = "_revinclude"

// collectProvenance adds to p the Provenance of m whose target is one of
// the page's matches, each once, those the token may read.
func (p *page) collectProvenance(m *generator.Member, ix *memberIndex, mayRead bool) {
	if !mayRead || p.n == 0 {
		return
	}
	onPage := map[int32]bool{}
	for _, at := range p.pos[:p.n] {
		onPage[at] = true
	}
	for i := range m.Resources {
		if m.Resources[i].Type != "Provenance" {
			continue
		}
		for _, at := range ix.facts(m, i).refAt[refTarget] {
			if onPage[at] && p.nIncluded < maxIncluded {
				p.included[p.nIncluded] = int32(i)
				p.nIncluded++
				break
			}
		}
	}
}
