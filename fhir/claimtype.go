package fhir

import (
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// claimTypes is a set of the docs' claim types: bit i is
// generator.ClaimTypes[i], the list the generator draws claims from, so the
// search accepts exactly the types a member's claims can have.
type claimTypes uint32

// maxClaimTypes is how many claim types a claimTypes set can hold.
const maxClaimTypes = 32

// The docs write claim-type codes with generator.EOBTypeSystem and, for half
// the types, with its typo'd twin without the hyphen, which the search
// accepts too though the generator never writes it.
const (
	eobTypeSystemTypo  = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype"
	claimTypeSeparator = ","
)

// claimTypeBit is the bit of a claim type, or 0 for anything else. Codes are
// case-sensitive: the docs require lower case.
func claimTypeBit(code string) claimTypes {
	for i, t := range generator.ClaimTypes {
		if t == code && i < maxClaimTypes {
			return 1 << i
		}
	}
	return 0
}

// parseClaimTypes parses one value of the ExplanationOfBenefit "type"
// parameter: a comma-separated list (FHIR R4 Search: a comma is OR) of
// claim types, each bare or system|code with the eob-type system. ok is
// false for an unknown code or system, wrong case or an empty item, which
// the docs answer with 400 "not a valid value".
func parseClaimTypes(v string) (set claimTypes, ok bool) {
	for item := range strings.SplitSeq(v, claimTypeSeparator) {
		code := item
		if sys, c, found := strings.Cut(item, "|"); found {
			if sys != generator.EOBTypeSystem && sys != eobTypeSystemTypo {
				return 0, false
			}
			code = c
		}
		bit := claimTypeBit(code)
		if bit == 0 {
			return 0, false
		}
		set |= bit
	}
	return set, true
}
