package fhir

import (
	"encoding/json"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// matches reports whether r, a resource of the searched type, satisfies
// every parameter of q (R4 Search: different parameters, and repeats of
// one, are ANDed; a comma inside a value is OR). It allocates only for an
// identifier search, which reads the Patient's identifiers from its JSON.
func (q *query) matches(r *generator.Resource) bool {
	for _, set := range q.claimTypes {
		if claimTypeBit(r.ClaimType)&set == 0 {
			return false
		}
	}
	for _, f := range q.lastUpdated {
		if !f.matches(r.LastUpdated, r.LastUpdated) {
			return false
		}
	}
	for _, f := range q.period {
		if !f.matches(r.Start, r.End) {
			return false
		}
	}
	for _, ts := range q.category {
		if !anyMatches(ts, r.Category) {
			return false
		}
	}
	for _, ts := range q.code {
		if !anyMatches(ts, r.Code) {
			return false
		}
	}
	if len(q.identifiers) > 0 {
		ids := identifiers(r.JSON)
		for _, ts := range q.identifiers {
			if !anyMatches(ts, ids) {
				return false
			}
		}
	}
	return true
}

// identifiers returns a resource's identifiers as "system|value" tokens.
func identifiers(body []byte) []string {
	var r struct {
		Identifier []struct{ System, Value string } `json:"identifier"`
	}
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	out := make([]string, 0, len(r.Identifier))
	for _, id := range r.Identifier {
		out = append(out, id.System+"|"+id.Value)
	}
	return out
}
