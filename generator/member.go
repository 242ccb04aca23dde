// Package generator builds the sandbox's synthetic beneficiaries: their
// Patient, Coverage, ExplanationOfBenefit and clinical resources as FHIR R4
// JSON following the CARIN Blue Button and US Core profiles.
//
// Determinism is the package's contract: a member is a pure function of the
// seed and its Spec, built on demand. Nothing here reads the clock, the
// network or map order, and nothing imports another package of the project.
package generator

import "time"

// Resource is one FHIR resource of a member, rendered once to JSON, with the
// keys that searches filter and sort on pulled out beside it.
type Resource struct {
	// Type is the FHIR resource type, e.g. "ExplanationOfBenefit".
	Type string
	// ID is the logical id, unique per Type across the whole sandbox.
	ID string
	// LastUpdated equals the JSON's meta.lastUpdated.
	LastUpdated time.Time
	// ClaimType is the docs' claim type of an ExplanationOfBenefit (carrier,
	// dme, hha, hospice, inpatient, outpatient, snf, pde: ClaimTypes), or
	// ClaimTypeOral for a dental claim; empty for other resources.
	ClaimType string
	// Start and End bound the date a search by date or service-date compares:
	// an EOB's billablePeriod, an Encounter's period, an Observation's
	// effective time, a Condition's onset, a Procedure's performed time, an
	// Immunization's occurrence, a MedicationRequest's authoredOn, an
	// AllergyIntolerance's recordedDate. Zero for Patient, Coverage and the
	// referenced Practitioner and Organization. End equals Start for a point.
	Start, End time.Time
	// Category and Code hold "system|code" tokens for the US Core category
	// and code searches of clinical resources.
	Category []string
	Code     []string
	// JSON is the resource as compact FHIR R4 JSON, no trailing newline.
	JSON []byte
}

// Member is everything the sandbox serves for one beneficiary.
type Member struct {
	// PatientID is the Patient's logical id, e.g. "-20140000008325".
	PatientID string
	// Username and Password are the member's login, e.g. BCNCUser07 / BCNCPSWD07.
	Username, Password string
	// GivenName, FamilyName, Email, BirthDate (YYYY-MM-DD) and Created
	// (YYYY-MM-DD, when the member's account was made) feed userinfo and the
	// id_token.
	GivenName, FamilyName, Email, BirthDate, Created string
	// Resources holds the Patient first, then Coverage, ExplanationOfBenefit
	// and the clinical resources, then every Practitioner and Organization
	// they reference, each group in a stable order. Searches keep this order.
	Resources []Resource
}
