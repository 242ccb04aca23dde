package app

import (
	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/internal/console"
)

// The FHIR route table is the one list of the types served. The
// authorization server, the consent screens and the console may not import
// the FHIR API, so these adapt fhir.Types to what each of them takes.

// fhirTypeNames are the served types, for the scopes the server grants.
func fhirTypeNames(types []fhir.TypeInfo) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.Name
	}
	return out
}

// fhirTypeWords are the served types' plain words, for the consent page.
func fhirTypeWords(types []fhir.TypeInfo) map[string]string {
	out := make(map[string]string, len(types))
	for _, t := range types {
		out[t.Name] = t.Plain
	}
	return out
}

// consoleFHIRTypes are the served types and their search parameters, for
// the Postman collection.
func consoleFHIRTypes(types []fhir.TypeInfo) []console.FHIRType {
	out := make([]console.FHIRType, len(types))
	for i, t := range types {
		out[i].Name, out[i].RevIncludes = t.Name, t.RevIncludes
		for _, p := range t.Params {
			out[i].Params = append(out[i].Params, console.FHIRParam{Name: p.Name, Member: p.Member, Example: p.Example})
		}
	}
	return out
}
