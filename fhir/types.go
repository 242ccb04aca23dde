package fhir

// The route table: every type served, its interactions and its search
// parameters. Register, the search parser and the CapabilityStatement all
// read it, so what metadata advertises is exactly what is served.

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
// lists it (name, FHIR search-param-type, documentation).
type searchParam struct {
	Name   string
	Type   string
	Doc    string
	Filter filter
}

// resourceType is one served type. A type without Params is read-only.
type resourceType struct {
	Name   string
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
		{"_lastUpdated", "date", "When the resource last changed (meta.lastUpdated): gt, lt, ge, le or eq and a date or an instant with offset; repeat for an interval.", filterLastUpdated},
		{"_count", "number", "Page size: default 10, at most 50 (larger is served as 50); 0 returns only the total.", filterCount},
		{"startIndex", "number", "0-based offset of the first entry of the page.", filterStartIndex},
		{"_format", "special", "Response format: json, application/fhir+json or application/json+fhir; all give FHIR JSON.", filterFormat},
	}
	patientParam := searchParam{"patient", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", filterPatient}
	search := func(ps ...searchParam) []searchParam {
		return append(ps, common...)
	}
	return []resourceType{
		{"Patient", search(
			searchParam{"_id", "token", "The member's logical id; absent means the token's patient.", filterID},
			searchParam{"identifier", "token", "A member identifier, system|value or value.", filterIdentifier},
		)},
		{"Coverage", search(
			searchParam{"beneficiary", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", filterPatient},
			patientParam, // R4 Coverage: patient searches Coverage.beneficiary too
		)},
		{"ExplanationOfBenefit", search(
			patientParam,
			searchParam{"type", "token", "Comma-separated claim types (carrier, dme, hha, hospice, inpatient, outpatient, snf, pde), bare or system|code with the eob-type system.", filterClaimType},
			searchParam{"service-date", "date", "The claim's billable period: gt, lt, ge, le or eq and a date or an instant with offset; repeat for an interval.", filterPeriod},
		)},
		{"Condition", search(
			patientParam,
			searchParam{"category", "token", "The condition category, system|code or code.", filterCategory},
			searchParam{"code", "token", "The condition code, system|code or code.", filterCode},
			searchParam{"onset-date", "date", "The onset date, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"Observation", search(
			patientParam,
			searchParam{"category", "token", "The observation category, system|code or code.", filterCategory},
			searchParam{"code", "token", "The observation code, system|code or code.", filterCode},
			searchParam{"date", "date", "The effective time, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"Procedure", search(
			patientParam,
			searchParam{"code", "token", "The procedure code, system|code or code.", filterCode},
			searchParam{"date", "date", "When the procedure was performed, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"AllergyIntolerance", search(
			patientParam,
			searchParam{"code", "token", "The substance code, system|code or code.", filterCode},
			searchParam{"date", "date", "The recorded date, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"Immunization", search(
			patientParam,
			searchParam{"vaccine-code", "token", "The vaccine code, system|code or code.", filterCode},
			searchParam{"date", "date", "The occurrence date, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"MedicationRequest", search(
			patientParam,
			searchParam{"category", "token", "The request category, system|code or code.", filterCategory},
			searchParam{"code", "token", "The medication code, system|code or code.", filterCode},
			searchParam{"authoredon", "date", "When the request was written, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"Encounter", search(
			patientParam,
			searchParam{"type", "token", "The encounter type, system|code or code.", filterCode},
			searchParam{"date", "date", "The encounter period, with a prefix as for _lastUpdated.", filterPeriod},
		)},
		{"Practitioner", nil},
		{"Organization", nil},
		{"RelatedPerson", nil},
	}
}
