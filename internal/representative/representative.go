// Package representative is the one list of how a personal representative
// may be related to the member: the choices the consent screen offers, the
// code the grant carries, and the coding the FHIR API renders on the
// RelatedPerson. It is a leaf: the consent screens and the FHIR API both
// read it, and neither imports the other.
package representative

// Relationship codes, the sandbox's own, carried from the consent screen
// through the grant to the RelatedPerson resource.
const (
	Parent   = "parent"   // Parent or guardian of a minor
	POA      = "poa"      // Active healthcare power of attorney
	Guardian = "guardian" // Court ordered guardianship
	Other    = "other"    // Other, in the member's own words
)

// RoleCodeSystem is HL7 v3 RoleCode, the R4 example binding of
// RelatedPerson.relationship (R4 ValueSet relatedperson-relationshiptype).
const RoleCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

// Relationship is one of the docs' choices for a representative.
type Relationship struct {
	// Code is the sandbox's code: Parent, POA, Guardian or Other.
	Code string
	// Display is the docs' wording, what the member reads and chooses.
	Display string
	// RoleCode and RoleDisplay code the relationship in RoleCodeSystem; both
	// are empty for Other, which no RoleCode fits: its text is the member's.
	RoleCode, RoleDisplay string
}

// all is the docs' choices in the docs' order. GUARD fits a parent or
// guardian of a minor and a court-ordered guardian alike; POWATT is a
// healthcare power of attorney.
var all = [...]Relationship{
	{Parent, "Parent or guardian of a minor", "GUARD", "guardian"},
	{POA, "Active healthcare power of attorney", "POWATT", "power of attorney"},
	{Guardian, "Court ordered guardianship", "GUARD", "guardian"},
	{Other, "Other", "", ""},
}

// Relationships lists the docs' choices in the docs' order, as a fresh
// slice the caller may keep.
func Relationships() []Relationship { return append([]Relationship(nil), all[:]...) }

// Lookup finds the relationship with code; ok is false for any other code.
// Codes are case-sensitive.
func Lookup(code string) (r Relationship, ok bool) {
	for _, r := range all {
		if r.Code == code {
			return r, true
		}
	}
	return Relationship{}, false
}
