package fhir

import (
	"slices"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// The docs write claim-type codes with generator.EOBTypeSystem and, for half
// the types, with its typo'd twin without the hyphen, which the search
// accepts too though the generator never writes it.
const eobTypeSystemTypo = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype"

// parseClaimTypes parses one value of the ExplanationOfBenefit "type"
// parameter: a comma-separated list (R4 Search: a comma is OR) of tokens,
// each matched against every coding of ExplanationOfBenefit.type (R4
// Search, "token": a code alone matches it in any system). A token must
// name something a claim can carry: a code of the docs' eob-type system
// (generator.ClaimTypes) or of the HL7 claim-type system, bare or with its
// system, or a served system with no code (any of its codes). ok is false
// for anything else (an unknown code or system, wrong case, an empty item,
// a code without a system), which the docs answer with 400 "not a valid
// value".
func parseClaimTypes(v string) ([]token, bool) {
	ts, ok := parseTokens(v)
	if !ok {
		return nil, false
	}
	for i := range ts {
		t := &ts[i]
		if t.system == eobTypeSystemTypo {
			t.system = generator.EOBTypeSystem
		}
		if !servedClaimType(*t) {
			return nil, false
		}
	}
	return ts, true
}

// servedClaimType reports whether t names a code, or a system, that the
// claims' type codings draw from. Codes are case-sensitive: the docs
// require lower case.
func servedClaimType(t token) bool {
	eob := slices.Contains(generator.ClaimTypes, t.code)
	hl7 := slices.Contains(claimTypeCodes, t.code)
	switch {
	case !t.hasSystem:
		return eob || hl7
	case t.system == generator.EOBTypeSystem:
		return t.code == "" || eob
	case t.system == claimTypeSystem:
		return t.code == "" || hl7
	}
	return false
}
