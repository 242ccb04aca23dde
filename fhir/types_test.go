package fhir

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// TestTypesExportsTheRouteTable: Types is the route table, every type has
// plain words, every searchable type of the patient compartment one member
// parameter, and every other parameter an example its own parser accepts.
func TestTypesExportsTheRouteTable(t *testing.T) {
	// The directory types and RelatedPerson are searched without naming
	// the member: the token's member bounds what they return.
	memberless := map[string]bool{"Practitioner": true, "Organization": true, "RelatedPerson": true, "PractitionerRole": true, "Location": true}
	table := resourceTypes()
	types := Types()
	if len(types) != len(table) {
		t.Fatalf("Types has %d types, the route table %d", len(types), len(table))
	}
	for i, ti := range types {
		rt := &table[i]
		if ti.Name != rt.Name || ti.Plain != rt.Plain || len(ti.Params) != len(rt.Params) {
			t.Errorf("Types()[%d] = %s (%d params), route table %s (%d params)", i, ti.Name, len(ti.Params), rt.Name, len(rt.Params))
			continue
		}
		if ti.Plain == "" || strings.HasSuffix(ti.Plain, ".") || strings.ToLower(ti.Plain[:1]) != ti.Plain[:1] {
			t.Errorf("%s: plain words %q: want lower case, no final stop", ti.Name, ti.Plain)
		}
		members := 0
		for j, p := range ti.Params {
			if p.Name != rt.Params[j].Name {
				t.Errorf("%s: param %d is %s, route table %s", ti.Name, j, p.Name, rt.Params[j].Name)
			}
			if p.Member {
				members++
				if p.Example != "" {
					t.Errorf("%s?%s names the member but has the example %q", ti.Name, p.Name, p.Example)
				}
				continue
			}
			if p.Example == "" {
				t.Errorf("%s?%s has no example", ti.Name, p.Name)
				continue
			}
			if _, err := parseQuery(rt, url.Values{p.Name: {p.Example}}, true); err != nil {
				t.Errorf("%s?%s=%s: the example is refused: %+v", ti.Name, p.Name, p.Example, err)
			}
		}
		if len(ti.Params) > 0 && (members == 0) != memberless[ti.Name] {
			t.Errorf("%s is searchable with %d parameters naming the member", ti.Name, members)
		}
	}
	// The view is a copy: changing it changes nothing served.
	types[0].Name, types[0].Params[0].Name = "Changed", "changed"
	if again := Types(); again[0].Name == "Changed" || again[0].Params[0].Name == "changed" {
		t.Error("Types shares its slices with the route table")
	}
}

// TestClaimTypesAreTheGenerators: the type search accepts
// generator.ClaimTypes, bare and with either eob-type system, and the HL7
// claim-type codes, bare and with their system; nothing else, and the
// CapabilityStatement documents both lists.
func TestClaimTypesAreTheGenerators(t *testing.T) {
	accepted := func(v string) bool {
		ts, ok := parseClaimTypes(v)
		return ok && len(ts) == 1
	}
	for _, ct := range generator.ClaimTypes {
		for _, v := range []string{ct, generator.EOBTypeSystem + "|" + ct, eobTypeSystemTypo + "|" + ct} {
			if !accepted(v) {
				t.Errorf("type=%s refused", v)
			}
		}
		for _, v := range []string{strings.ToUpper(ct), claimTypeSystem + "|" + ct, "|" + ct} {
			if accepted(v) {
				t.Errorf("type=%s accepted", v)
			}
		}
	}
	for _, ct := range claimTypeCodes {
		for _, v := range []string{ct, claimTypeSystem + "|" + ct} {
			if !accepted(v) {
				t.Errorf("type=%s refused", v)
			}
		}
		if accepted(generator.EOBTypeSystem + "|" + ct) {
			t.Errorf("type=%s|%s accepted: not an eob-type code", generator.EOBTypeSystem, ct)
		}
	}
	for _, v := range []string{"", "dental", "carrier,", "http://example.com|carrier", "http://example.com|", "|"} {
		if _, ok := parseClaimTypes(v); ok {
			t.Errorf("type=%q accepted", v)
		}
	}
	eob := resourceTypes()[slices.IndexFunc(resourceTypes(), func(rt resourceType) bool { return rt.Name == "ExplanationOfBenefit" })]
	p, _ := eob.param("type")
	for _, list := range [][]string{generator.ClaimTypes, claimTypeCodes} {
		if want := strings.Join(list, ", "); !strings.Contains(p.Doc, want) {
			t.Errorf("ExplanationOfBenefit?type documents %q, want the list %s", p.Doc, want)
		}
	}
}
