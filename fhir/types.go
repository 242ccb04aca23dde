package fhir

import (
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// The route table: every type served, its interactions and its search
// parameters. Register, the search parser and the CapabilityStatement all
// read it, so what metadata advertises is exactly what is served; Types
// exports it for the scopes the authorization server grants, the consent
// screen's words and the Postman collection.

// interaction is a FHIR RESTful interaction a scope can allow
// (SMART App Launch 2, "Clinical Scope Syntax": "r" is read, "s" search).
type interaction int

const (
	interactionRead interaction = iota
	interactionSearch
)

// filter says what a search parameter does to the result.
type filter int

const (
	filterPatient     filter = iota // reference to the member: the compartment
	filterID                        // Patient _id: the compartment, by logical id
	filterIdentifier                // Patient identifier, system|value
	filterClaimType                 // ExplanationOfBenefit type, the docs' claim types
	filterLastUpdated               // _lastUpdated against Resource.LastUpdated
	filterPeriod                    // a date parameter against Resource.Start..End
	filterCategory                  // token against Resource.Category
	filterCode                      // token against Resource.Code
	filterCount                     // _count: page size
	filterStartIndex                // startIndex: 0-based offset
	filterFormat                    // _format: response format
)

// searchParam is one search parameter of a type, as the CapabilityStatement
// lists it (name, FHIR search-param-type, documentation), with an example
// value the Postman collection sends.
type searchParam struct {
	Name    string
	Type    string
	Doc     string
	Example string // "" for a parameter naming the member: that is the member's id
	Filter  filter
}

// resourceType is one served type. A type without Params is read-only.
type resourceType struct {
	Name string
	// Plain says in plain words what the type holds, for a member deciding
	// whether to share it.
	Plain  string
	Params []searchParam
}

// param finds a search parameter of t by name.
func (t *resourceType) param(name string) (*searchParam, bool) {
	for i := range t.Params {
		if t.Params[i].Name == name {
			return &t.Params[i], true
		}
	}
	return nil, false
}

// resourceTypes returns the route table, in the order metadata lists it.
func resourceTypes() []resourceType {
	// Every searchable type takes these (README, "FHIR").
	common := []searchParam{
		{"_lastUpdated", "date", "When the resource last changed (meta.lastUpdated): gt, lt, ge, le or eq and a date or an instant with offset; repeat for an interval.", "gt2020-02-13T08:00:00-05:00", filterLastUpdated},
		{"_count", "number", "Page size: default 10, at most 50 (larger is served as 50); 0 returns only the total.", "50", filterCount},
		{"startIndex", "number", "0-based offset of the first entry of the page.", "10", filterStartIndex},
		{"_format", "special", "Response format: json, application/fhir+json or application/json+fhir; all give FHIR JSON.", "application/json+fhir", filterFormat},
	}
	patientParam := searchParam{"patient", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", "", filterPatient}
	search := func(ps ...searchParam) []searchParam {
		return append(ps, common...)
	}
	return []resourceType{
		{"Patient", "your demographics: name, birth date, gender and address", search(
			searchParam{"_id", "token", "The member's logical id; absent means the token's patient.", "", filterID},
			searchParam{"identifier", "token", "A member identifier, system|value or value.", "http://apiservicessbext.bcbsnc.com/identifier#bene_id|-20140000008325", filterIdentifier},
		)},
		{"Coverage", "your coverage: plans, benefit periods and member IDs", search(
			searchParam{"beneficiary", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", "", filterPatient},
			patientParam, // R4 Coverage: patient searches Coverage.beneficiary too
		)},
		{"ExplanationOfBenefit", "your claims: what was billed, paid and owed for each visit, stay or prescription", search(
			patientParam,
			searchParam{"type", "token", "Comma-separated claim types (" + strings.Join(generator.ClaimTypes, ", ") + "), bare or system|code with the eob-type system.", "carrier,pde", filterClaimType},
			searchParam{"service-date", "date", "The claim's billable period: gt, lt, ge, le or eq and a date or an instant with offset; repeat for an interval.", "ge2020-01-01", filterPeriod},
		)},
		{"Condition", "your conditions and diagnoses", search(
			patientParam,
			searchParam{"category", "token", "The condition category, system|code or code.", "problem-list-item", filterCategory},
			searchParam{"code", "token", "The condition code, system|code or code.", "http://hl7.org/fhir/sid/icd-10-cm|E11.9", filterCode},
			searchParam{"onset-date", "date", "The onset date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"Observation", "your lab results and vital signs", search(
			patientParam,
			searchParam{"category", "token", "The observation category, system|code or code.", "laboratory", filterCategory},
			searchParam{"code", "token", "The observation code, system|code or code.", "http://loinc.org|2345-7", filterCode},
			searchParam{"date", "date", "The effective time, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
		)},
		{"Procedure", "procedures you had", search(
			patientParam,
			searchParam{"code", "token", "The procedure code, system|code or code.", "0SRC0J9", filterCode},
			searchParam{"date", "date", "When the procedure was performed, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"AllergyIntolerance", "your allergies", search(
			patientParam,
			searchParam{"code", "token", "The substance code, system|code or code.", "256349002", filterCode},
			searchParam{"date", "date", "The recorded date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"Immunization", "your immunizations", search(
			patientParam,
			searchParam{"vaccine-code", "token", "The vaccine code, system|code or code.", "http://hl7.org/fhir/sid/cvx|135", filterCode},
			searchParam{"date", "date", "The occurrence date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"MedicationRequest", "your prescriptions", search(
			patientParam,
			searchParam{"category", "token", "The request category, system|code or code.", "community", filterCategory},
			searchParam{"code", "token", "The medication code, system|code or code.", "313988", filterCode},
			searchParam{"authoredon", "date", "When the request was written, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"Encounter", "your visits and hospital stays", search(
			patientParam,
			searchParam{"type", "token", "The encounter type, system|code or code.", "99213", filterCode},
			searchParam{"date", "date", "The encounter period, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{"Practitioner", "the doctors and other providers on your records", nil},
		{"Organization", "the hospitals, pharmacies and other organizations on your records", nil},
		{"RelatedPerson", "the personal representatives on your records", nil},
	}
}

// TypeInfo is one served type as the rest of the sandbox sees it: the
// authorization server grants scopes for it, the consent screen describes
// it, the Postman collection exercises it.
type TypeInfo struct {
	// Name is the FHIR resource type, e.g. "ExplanationOfBenefit".
	Name string
	// Plain says in plain words what the type holds ("your claims: ..."),
	// lower case, without a final stop.
	Plain string
	// Params are the search parameters in the CapabilityStatement's order;
	// nil for a type that is only read.
	Params []ParamInfo
}

// ParamInfo is one search parameter of a served type.
type ParamInfo struct {
	Name string
	// Member is true for the parameter that names the member (patient,
	// beneficiary, Patient's _id): its value is the member's id.
	Member bool
	// Example is a value the parameter accepts, unescaped; "" when Member.
	Example string
}

// Types returns the route table as TypeInfo, in the order metadata lists
// it. The result is the caller's: changing it changes nothing served.
func Types() []TypeInfo {
	table := resourceTypes()
	out := make([]TypeInfo, len(table))
	for i, t := range table {
		out[i] = TypeInfo{Name: t.Name, Plain: t.Plain}
		for _, p := range t.Params {
			member := p.Filter == filterPatient || p.Filter == filterID
			out[i].Params = append(out[i].Params, ParamInfo{Name: p.Name, Member: member, Example: p.Example})
		}
	}
	return out
}
