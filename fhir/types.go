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
	filterToken                       // a token at the JSON paths of searchPaths
	filterString                      // a string at the JSON paths of searchPaths
	filterReference                   // a reference at the JSON paths of searchPaths
	filterDate                        // a date at the JSON paths of searchPaths
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
	tok := func(name, doc, example string) searchParam {
		return searchParam{name, "token", doc, example, filterToken}
	}
	str := func(name, doc, example string) searchParam {
		return searchParam{name, "string", doc, example, filterString}
	}
	ref := func(name, doc, example string) searchParam {
		return searchParam{name, "reference", doc, example, filterReference}
	}
	date := func(name, doc, example string) searchParam {
		return searchParam{name, "date", doc + " With a prefix as for _lastUpdated.", example, filterDate}
	}
	return []resourceType{
		{Name: "Patient", Plain: "your demographics: name, birth date, gender and address", Params: search(
			searchParam{"_id", "token", "The member's logical id; absent means the token's patient.", "", filterID},
			searchParam{"identifier", "token", "A member identifier, system|value, |value or value; comma-separated (any one may match).", "http://apiservicessbext.bcbsnc.com/identifier#bene_id|-20140000008325", filterIdentifier},
			str("name", "Any part of the name: starts with, any case.", "Ruiz"),
			str("family", "The family name: starts with, any case.", "Ruiz"),
			str("given", "A given name: starts with, any case.", "Maria"),
			date("birthdate", "The birth date.", "1950"),
			tok("gender", "The administrative gender: male, female, other or unknown.", "female"),
			date("death-date", "The date of death.", "ge2020-01-01"),
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
			tok("clinical-status", "The clinical status, system|code or code.", "active"),
			date("recorded-date", "When it was recorded.", "ge2015-01-01"),
			date("abatement-date", "When it resolved (an encounter diagnosis that is not a chronic condition).", "ge2015-01-01"),
			ref("encounter", "The Encounter it was recorded at.", "Encounter/encounter-3700001"),
			idParam("condition-30000000000007-1"),
		)},
		{Name: "Observation", Plain: "your lab results, vital signs, test results, screenings and social history", Params: search(
			patientParam,
			searchParam{"category", "token", "The observation category, system|code or code.", "laboratory", filterCategory},
			searchParam{"code", "token", "The observation code, system|code or code.", "http://loinc.org|2345-7", filterCode},
			searchParam{"date", "date", "The effective time, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
			tok("status", "The result status.", "final"),
			idParam("obs-3700001-1"),
		)},
		{Name: "Procedure", Plain: "procedures you had", Params: search(
			patientParam,
			searchParam{"code", "token", "The procedure code, system|code or code.", "0SRC0J9", filterCode},
			searchParam{"date", "date", "When the procedure was performed, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
			tok("status", "The procedure status.", "completed"),
			idParam("procedure-3700001-1"),
		)},
		{Name: "AllergyIntolerance", Plain: "your allergies", Params: search(
			patientParam,
			searchParam{"code", "token", "The substance code, system|code or code.", "256349002", filterCode},
			searchParam{"date", "date", "The recorded date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
			tok("clinical-status", "The clinical status, system|code or code.", "active"),
			idParam("allergy-30000000000007-1"),
		)},
		{Name: "Immunization", Plain: "your immunizations", Params: search(
			patientParam,
			searchParam{"vaccine-code", "token", "The vaccine code, system|code or code.", "http://hl7.org/fhir/sid/cvx|135", filterCode},
			searchParam{"date", "date", "The occurrence date, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
			tok("status", "The immunization status.", "completed"),
			idParam("immunization-30000000000007-1"),
		)},
		{Name: "MedicationRequest", Plain: "your prescriptions", Params: search(
			patientParam,
			searchParam{"category", "token", "The request category, system|code or code.", "community", filterCategory},
			searchParam{"code", "token", "The medication code, system|code or code.", "313988", filterCode},
			searchParam{"authoredon", "date", "When the request was written, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
			tok("intent", "The request intent: order, plan, proposal, …", "order"),
			tok("status", "The request status.", "active"),
			ref("encounter", "The Encounter it was written at.", "Encounter/encounter-3700001"),
			idParam("medicationrequest-30000000000007-1"),
		), Includes: []include{
			{"medication", refMedication, []string{"Medication"}},
		}},
		{Name: "Encounter", Plain: "your visits and hospital stays", Params: search(
			patientParam,
			searchParam{"type", "token", "The encounter type, system|code or code.", "99213", filterCode},
			searchParam{"date", "date", "The encounter period, with a prefix as for _lastUpdated.", "ge2015-01-01", filterPeriod},
			idParam("encounter-3700001"),
			tok("identifier", "An encounter identifier (the claim number), system|value or value.", "3700001"),
			tok("status", "The encounter status.", "finished"),
			tok("class", "The encounter class, system|code or code.", "AMB"),
			tok("discharge-disposition", "The discharge disposition of a stay.", "home"),
		)},
		{Name: "DiagnosticReport", Plain: "your lab reports and imaging reports", Params: search(
			patientParam,
			searchParam{"category", "token", "The report category, system|code or code.", "LAB", filterCategory},
			searchParam{"code", "token", "The report code, system|code or code.", "http://loinc.org|4548-4", filterCode},
			searchParam{"date", "date", "The effective time, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
			tok("status", "The report status.", "final"),
			idParam("diagnosticreport-3700001"),
		)},
		{Name: "DocumentReference", Plain: "your clinical notes", Params: search(
			patientParam,
			idParam("documentreference-3700001"),
			searchParam{"category", "token", "The document category, system|code or code.", "clinical-note", filterCategory},
			searchParam{"type", "token", "The document type, system|code or code.", "http://loinc.org|11506-3", filterCode},
			searchParam{"date", "date", "When the note was written, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
			tok("status", "The document status.", "current"),
			date("period", "The time of the care it documents.", "ge2020-01-01"),
		)},
		{Name: "ServiceRequest", Plain: "the tests and imaging your doctors ordered", Params: search(
			patientParam,
			idParam("servicerequest-3700001"),
			searchParam{"category", "token", "The order category, system|code or code.", "108252007", filterCategory},
			searchParam{"code", "token", "The code ordered, system|code or code.", "http://loinc.org|4548-4", filterCode},
			searchParam{"authored", "date", "When it was ordered, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
			tok("status", "The order status.", "completed"),
		)},
		{Name: "Specimen", Plain: "the lab specimens taken from you", Params: search(
			patientParam,
			idParam("specimen-3700001"),
		)},
		{Name: "CarePlan", Plain: "your care plans", Params: search(
			patientParam,
			searchParam{"category", "token", "The plan category, system|code or code.", "assess-plan", filterCategory},
			tok("status", "The plan status.", "active"),
			date("date", "The plan period.", "ge2015-01-01"),
			idParam("careplan-30000000000007"),
		)},
		{Name: "Goal", Plain: "your health goals", Params: search(
			patientParam,
			tok("lifecycle-status", "The goal lifecycle status.", "active"),
			date("target-date", "When the goal is due.", "ge2020-01-01"),
			tok("description", "The goal description code, system|code or code.", "http://loinc.org|4548-4"),
			idParam("goal-30000000000007-1"),
		)},
		{Name: "CareTeam", Plain: "your care team", Params: search(
			patientParam,
			tok("status", "The team status.", "active"),
			tok("role", "A participant's role, system|code or code.", "http://nucc.org/provider-taxonomy|207Q00000X"),
			idParam("careteam-30000000000007"),
		), Includes: []include{
			{"participant", refParticipant, []string{"Practitioner", "Organization", "Patient", "RelatedPerson", "PractitionerRole"}},
		}},
		{Name: "MedicationDispense", Plain: "the prescriptions pharmacies filled for you", Params: search(
			patientParam,
			tok("status", "The dispense status.", "completed"),
			tok("type", "The dispense type: first fill, refill, …", "RF"),
			idParam("medicationdispense-3700001"),
		), Includes: []include{
			{"medication", refMedication, []string{"Medication"}},
		}},
		{Name: "Device", Plain: "devices implanted in you", Params: search(
			patientParam,
			tok("type", "The device type, system|code or code.", "http://snomed.info/sct|304120007"),
			tok("status", "The device status.", "active"),
			idParam("device-3700001"),
		)},
		{Name: "QuestionnaireResponse", Plain: "questionnaires you answered", Params: search(
			patientParam,
			idParam("questionnaireresponse-3700001"),
			searchParam{"authored", "date", "When it was answered, with a prefix as for _lastUpdated.", "ge2020-01-01", filterPeriod},
			tok("status", "The response status.", "completed"),
			ref("questionnaire", "The questionnaire answered, by its canonical URL.", "http://loinc.org/q/55757-9"),
		)},
		// Provenance and Medication are read, or reached through the
		// resources that reference them (_revinclude=Provenance:target).
		{Name: "Provenance", Plain: "where your records came from"},
		{Name: "Medication", Plain: "the drugs on your prescriptions"},
		// The directory types have no member parameter: a search returns those
		// the member's own resources reference, the ones the token may read.
		{Name: "Practitioner", Plain: "the doctors and other providers on your records", Params: search(idParam("1189271681"),
			str("name", "Any part of the name: starts with, any case.", "Smith"),
			searchParam{"identifier", "token", "The NPI, system|value or value.", "http://hl7.org/fhir/sid/us-npi|1189271681", filterIdentifier},
		)},
		{Name: "Organization", Plain: "the hospitals, pharmacies and other organizations on your records", Params: search(idParam("bcbsnc"),
			str("name", "The name: starts with, any case.", "Blue Cross"),
			str("address", "Any part of the address: starts with, any case.", "Durham"),
		)},
		{Name: "PractitionerRole", Plain: "your providers' roles and practices", Params: search(
			tok("specialty", "The NUCC specialty, system|code or code.", "http://nucc.org/provider-taxonomy|207Q00000X"),
			ref("practitioner", "The Practitioner: Practitioner/{id} or {id}.", "Practitioner/1189271681"),
			idParam("practitionerrole-1189271681"),
		), Includes: []include{
			{"practitioner", refPractitioner, []string{"Practitioner"}},
		}},
		{Name: "Location", Plain: "the places you received care", Params: search(
			str("name", "The name: starts with, any case.", "Durham"),
			str("address", "Any part of the address: starts with, any case.", "Durham"),
			str("address-city", "The city: starts with, any case.", "Durham"),
			str("address-state", "The state: starts with, any case.", "NC"),
			str("address-postalcode", "The postal code: starts with.", "277"),
			idParam("location-2100000009"),
		)},
		// RelatedPerson: only the representative who holds the token.
		{Name: "RelatedPerson", Plain: "the personal representatives on your records", Params: search(idParam("rp-00000000000000000000"))},
	}
}

// revIncludeValues are the _revinclude values t's searches serve: every
// type searched by the member names the Provenance of its resources
// (US Core 6.1, "Basic Provenance").
func (t *resourceType) revIncludeValues() []string {
	if t.compartmentParam() == "" {
		return nil
	}
	return []string{"Provenance:target"}
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
	// RevIncludes are the _revinclude values its searches serve.
	RevIncludes []string
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
		out[i] = TypeInfo{Name: t.Name, Plain: t.Plain, Includes: t.includeValues(), RevIncludes: t.revIncludeValues()}
		for _, p := range t.Params {
			member := p.Filter == filterPatient || p.Filter == filterID
			out[i].Params = append(out[i].Params, ParamInfo{Name: p.Name, Member: member, Example: p.Example})
		}
	}
	return out
}
