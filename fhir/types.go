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
	filterPatient       filter = iota // reference to the member: the compartment
	filterID                          // Patient _id: the compartment, by logical id
	filterResourceID                  // _id of any other type: a comma list of logical ids
	filterIdentifier                  // identifier: token against the resource's identifiers
	filterClaimType                   // ExplanationOfBenefit type: token against any coding of EOB.type
	filterLastUpdated                 // _lastUpdated against Resource.LastUpdated
	filterPeriod                      // a date parameter against Resource.Start..End
	filterServiceDate                 // EOB service-date: billablePeriod | item.serviced
	filterServiceStart                // EOB service-start-date: billablePeriod.start | item.servicedDate | item.servicedPeriod.start
	filterBillableStart               // EOB billable-period-start: billablePeriod.start
	filterCategory                    // token against Resource.Category
	filterCode                        // token against Resource.Code
	filterCount                       // _count: page size
	filterStartIndex                  // startIndex: 0-based offset
	filterFormat                      // _format: response format
)

// dateTarget is what a date filter compares against: a resource's
// lastUpdated, its Start..End, or one of the C4BB claim dates.
func (f filter) dateTarget() (dateTarget, bool) {
	switch f {
	case filterLastUpdated:
		return targetLastUpdated, true
	case filterPeriod:
		return targetPeriod, true
	case filterServiceDate:
		return targetServiceDate, true
	case filterServiceStart:
		return targetServiceStart, true
	case filterBillableStart:
		return targetBillableStart, true
	}
	return 0, false
}

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
	// Includes are the _include values served on the type's searches,
	// without the "{Type}:" prefix, in the CapabilityStatement's order;
	// "{Type}:*" names them all.
	Includes []include
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

// The C4BB CapabilityStatement's systems for ExplanationOfBenefit.type: the
// HL7 claim-type code system the C4BB profiles fix, whose codes the type
// search accepts beside the docs' eob-type codes (generator.ClaimTypes).
const claimTypeSystem = "http://terminology.hl7.org/CodeSystem/claim-type"

// claimTypeCodes are the codes of claimTypeSystem (R4 CodeSystem claim-type).
var claimTypeCodes = []string{"institutional", "oral", "pharmacy", "professional", "vision"}

// resourceTypes returns the route table, in the order metadata lists it.
// The C4BB 2.0.0 CapabilityStatement (c4bb) names the parameters and
// includes each C4BB type SHALL support; the US Core types keep the
// parameters the docs and US Core give them.
func resourceTypes() []resourceType {
	// Every searchable type takes these (README, "FHIR").
	common := []searchParam{
		{"_lastUpdated", "date", "When the resource last changed (meta.lastUpdated): " + datePrefixDoc + " and a date or an instant with offset; repeat for an interval.", "gt2020-02-13T08:00:00-05:00", filterLastUpdated},
		{"_count", "number", "Page size: default 10, at most 50 (larger is served as 50); 0 returns only the total.", "50", filterCount},
		{"startIndex", "number", "0-based offset of the first entry of the page.", "10", filterStartIndex},
		{"_format", "special", "Response format: json, application/fhir+json or application/json+fhir; all give FHIR JSON.", "application/json+fhir", filterFormat},
	}
	patientParam := searchParam{"patient", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", "", filterPatient}
	idParam := func(example string) searchParam {
		return searchParam{"_id", "token", "Logical ids, comma-separated (any one may match).", example, filterResourceID}
	}
	search := func(ps ...searchParam) []searchParam {
		return append(ps, common...)
	}
	return []resourceType{
		{Name: "Patient", Plain: "your demographics: name, birth date, gender and address", Params: search(
			searchParam{"_id", "token", "The member's logical id; absent means the token's patient.", "", filterID},
			searchParam{"identifier", "token", "A member identifier, system|value, |value or value; comma-separated (any one may match).", "http://apiservicessbext.bcbsnc.com/identifier#bene_id|-20140000008325", filterIdentifier},
		)},
		{Name: "Coverage", Plain: "your coverage: plans, benefit periods and member IDs", Params: search(
			searchParam{"beneficiary", "reference", "The member: {id} or Patient/{id}; absent means the token's patient.", "", filterPatient},
			patientParam, // R4 Coverage: patient searches Coverage.beneficiary too
			idParam("part-a-20140000008325"),
		), Includes: []include{
			{"payor", refPayor, []string{"Organization", "Patient", "RelatedPerson"}},
		}},
		{Name: "ExplanationOfBenefit", Plain: "your claims: what was billed, paid and owed for each visit, stay or prescription", Params: search(
			patientParam,
			searchParam{"type", "token", "Comma-separated claim types (any one may match), matched against every coding of ExplanationOfBenefit.type: the docs' (" +
				strings.Join(generator.ClaimTypes, ", ") + ") of " + generator.EOBTypeSystem + " and the C4BB (" + strings.Join(claimTypeCodes, ", ") +
				") of " + claimTypeSystem + "; each bare, system|code, or system| for any code of the system.", "carrier,pde", filterClaimType},
			searchParam{"service-date", "date", "The claim's billable period or an item's service date: " + datePrefixDoc + " and a date or an instant with offset; repeat for an interval.", "ge2020-01-01", filterServiceDate},
			idParam("carrier-22011027731"),
			searchParam{"identifier", "token", "A claim identifier, system|value, |value or value; comma-separated (any one may match).", "22011027731", filterIdentifier},
			searchParam{"service-start-date", "date", "The start of the billable period or an item's service date, with a prefix as for service-date.", "ge2020-01-01", filterServiceStart},
			searchParam{"billable-period-start", "date", "The start of the billable period, with a prefix as for service-date.", "ge2020-01-01", filterBillableStart},
		), Includes: []include{
			{"patient", refPatient, []string{"Patient"}},
			{"provider", refProvider, []string{"Practitioner", "Organization", "PractitionerRole"}},
			{"care-team", refCareTeam, []string{"Practitioner", "Organization", "PractitionerRole"}},
			{"coverage", refCoverage, []string{"Coverage"}},
			{"insurer", refInsurer, []string{"Organization"}},
			{"payee", refPayee, []string{"Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson"}},
		}},
		{Name: "Condition", Plain: "your conditions and diagnoses", Params: search(
			patientParam,
			searchParam{"category", "token", "The condition category, system|code or code.", "problem-list-item", filterCategory},
			searchParam{"code", "token", "The condition code, system|code or code.", "http://hl7.org/fhir/sid/icd-10-cm|E11.9", filterCode},
			searchParam{"onset-date", "date", "The onset date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{Name: "Observation", Plain: "your lab results and vital signs", Params: search(
			patientParam,
			searchParam{"category", "token", "The observation category, system|code or code.", "laboratory", filterCategory},
			searchParam{"code", "token", "The observation code, system|code or code.", "http://loinc.org|2345-7", filterCode},
			searchParam{"date", "date", "The effective time, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
		)},
		{Name: "Procedure", Plain: "procedures you had", Params: search(
			patientParam,
			searchParam{"code", "token", "The procedure code, system|code or code.", "0SRC0J9", filterCode},
			searchParam{"date", "date", "When the procedure was performed, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{Name: "AllergyIntolerance", Plain: "your allergies", Params: search(
			patientParam,
			searchParam{"code", "token", "The substance code, system|code or code.", "256349002", filterCode},
			searchParam{"date", "date", "The recorded date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{Name: "Immunization", Plain: "your immunizations", Params: search(
			patientParam,
			searchParam{"vaccine-code", "token", "The vaccine code, system|code or code.", "http://hl7.org/fhir/sid/cvx|135", filterCode},
			searchParam{"date", "date", "The occurrence date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{Name: "MedicationRequest", Plain: "your prescriptions", Params: search(
			patientParam,
			searchParam{"category", "token", "The request category, system|code or code.", "community", filterCategory},
			searchParam{"code", "token", "The medication code, system|code or code.", "313988", filterCode},
			searchParam{"authoredon", "date", "When the request was written, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		{Name: "Encounter", Plain: "your visits and hospital stays", Params: search(
			patientParam,
			searchParam{"type", "token", "The encounter type, system|code or code.", "99213", filterCode},
			searchParam{"date", "date", "The encounter period, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
		)},
		// The directory types have no member parameter: a search returns those
		// the member's own resources reference, the ones the token may read.
		{Name: "Practitioner", Plain: "the doctors and other providers on your records", Params: search(idParam("1189271681"))},
		{Name: "Organization", Plain: "the hospitals, pharmacies and other organizations on your records", Params: search(idParam("bcbsnc"))},
		// RelatedPerson: only the representative who holds the token.
		{Name: "RelatedPerson", Plain: "the personal representatives on your records", Params: search(idParam("rp-00000000000000000000"))},
	}
}

// datePrefixDoc lists the date prefixes every date parameter takes.
const datePrefixDoc = "eq, ne, gt, lt, ge, le, sa, eb or ap (none means eq)"

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
	// Includes are the _include values its searches serve
	// ("ExplanationOfBenefit:patient", ..., "ExplanationOfBenefit:*").
	Includes []string
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
		out[i] = TypeInfo{Name: t.Name, Plain: t.Plain, Includes: t.includeValues()}
		for _, p := range t.Params {
			member := p.Filter == filterPatient || p.Filter == filterID
			out[i].Params = append(out[i].Params, ParamInfo{Name: p.Name, Member: member, Example: p.Example})
		}
	}
	return out
}
