package fhir

import "strings"

// claimTypes is a set of the docs' eight claim types, one bit each.
type claimTypes uint8

// Systems the docs write for claim-type codes: the eob-type code system and
// its typo'd twin without the hyphen, which the docs use for half the types.
const (
	eobTypeSystem      = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type"
	eobTypeSystemTypo  = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype"
	claimTypeSeparator = ","
)

// claimTypeBit is the bit of a claim type, or 0 for anything else. Codes are
// case-sensitive: the docs require lower case.
func claimTypeBit(code string) claimTypes {
	switch code {
	case "carrier":
		return 1 << 0
	case "dme":
		return 1 << 1
	case "hha":
		return 1 << 2
	case "hospice":
		return 1 << 3
	case "inpatient":
		return 1 << 4
	case "outpatient":
		return 1 << 5
	case "snf":
		return 1 << 6
	case "pde":
		return 1 << 7
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
			if sys != eobTypeSystem && sys != eobTypeSystemTypo {
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
