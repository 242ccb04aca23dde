package fhir

import (
	"bytes"
	"encoding/json"

	"github.com/labstack/echo/v4"
)

// CapabilityStatement wire structs (R4 CapabilityStatement), only the
// elements served; every optional one is omitempty (R4 forbids empty values).
type (
	capabilityStatement struct {
		ResourceType   string            `json:"resourceType"`
		ID             string            `json:"id"`
		Name           string            `json:"name"`
		Title          string            `json:"title"`
		Status         string            `json:"status"`
		Experimental   bool              `json:"experimental"`
		Date           string            `json:"date"`
		Publisher      string            `json:"publisher"`
		Description    string            `json:"description"`
		Kind           string            `json:"kind"`
		Instantiates   []string          `json:"instantiates"`
		Software       capSoftware       `json:"software"`
		Implementation capImplementation `json:"implementation"`
		FHIRVersion    string            `json:"fhirVersion"`
		Format         []string          `json:"format"`
		Rest           []capRest         `json:"rest"`
	}
	capSoftware struct {
		Name string `json:"name"`
	}
	capImplementation struct {
		Description string `json:"description"`
		URL         string `json:"url"`
	}
	capRest struct {
		Mode     string        `json:"mode"`
		Security capSecurity   `json:"security"`
		Resource []capResource `json:"resource"`
	}
	capSecurity struct {
		Extension   []extension       `json:"extension"`
		CORS        bool              `json:"cors"`
		Service     []codeableConcept `json:"service"`
		Description string            `json:"description"`
	}
	extension struct {
		URL       string      `json:"url"`
		ValueURI  string      `json:"valueUri,omitempty"`
		Extension []extension `json:"extension,omitempty"`
	}
	codeableConcept struct {
		Coding []coding `json:"coding"`
		Text   string   `json:"text,omitempty"`
	}
	coding struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display,omitempty"`
	}
	capResource struct {
		Type             string           `json:"type"`
		Interaction      []capInteraction `json:"interaction"`
		SearchInclude    []string         `json:"searchInclude,omitempty"`
		SearchRevInclude []string         `json:"searchRevInclude,omitempty"`
		SearchParam      []capSearchParam `json:"searchParam,omitempty"`
	}
	capInteraction struct {
		Code string `json:"code"`
	}
	capSearchParam struct {
		Name          string `json:"name"`
		Type          string `json:"type"`
		Documentation string `json:"documentation"`
	}
)

// metadata serves the CapabilityStatement (R4 RESTful API, the
// "capabilities" interaction); it needs no token.
func (a *API) metadata(c echo.Context) error {
	if err := checkFormat(c.Request()); err != nil {
		return a.writeError(c, err)
	}
	body, err := a.capabilities(a.cfg.BaseURL(c.Request()))
	if err != nil {
		return err
	}
	return writeFHIR(c, body)
}

// capabilities renders the CapabilityStatement for base from the route
// table, so it lists exactly the types, interactions and parameters served.
// The security section carries the SMART oauth-uris extension and the
// SMART-on-FHIR service (SMART App Launch 2, "Conformance": the
// CapabilityStatement form of discovery). Its date is fixed so the bytes
// stay the same.
func (a *API) capabilities(base string) ([]byte, error) {
	issuer := base + a.cfg.IssuerPath
	cs := capabilityStatement{
		ResourceType: "CapabilityStatement",
		ID:           "bcbsnc-patient-access-sandbox",
		Name:         "BCBSNCPatientAccessSandbox",
		Title:        "Blue Cross NC Patient Access API sandbox",
		Status:       "active",
		Experimental: true,
		Date:         "2026-01-01",
		Publisher:    "Blue Cross NC Patient Access API sandbox (emulation)",
		Description:  "A sandbox emulating the Blue Cross NC Patient Access API: SMART-on-FHIR authorization and read-only FHIR R4 over synthetic members.",
		Kind:         "instance",
		Instantiates: []string{
			"http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb",
			"http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server",
		},
		Software:       capSoftware{Name: "bcbsnc-sandbox"},
		Implementation: capImplementation{Description: "Patient Access API sandbox", URL: base + BasePath},
		FHIRVersion:    "4.0.1",
		Format:         []string{"json", contentTypeFHIR},
		Rest: []capRest{{
			Mode: "server",
			Security: capSecurity{
				Extension: []extension{{
					URL: "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
					Extension: []extension{
						{URL: "authorize", ValueURI: issuer + "/authorize"},
						{URL: "token", ValueURI: issuer + "/token"},
						{URL: "revoke", ValueURI: issuer + "/revoke"},
						{URL: "introspect", ValueURI: issuer + "/introspect"},
					},
				}},
				CORS: true,
				Service: []codeableConcept{{
					Coding: []coding{{
						System:  "http://terminology.hl7.org/CodeSystem/restful-security-service",
						Code:    "SMART-on-FHIR",
						Display: "SMART-on-FHIR",
					}},
					Text: "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)",
				}},
				Description: "Bearer tokens from the sandbox's authorization server; SMART v1 (.read) and v2 (.r, .s, .rs) patient and user scopes, both opening the member's own records.",
			},
			Resource: a.capResources(),
		}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cs); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// capResources lists the route table as rest.resource entries: the
// interactions, the _include values, the _revinclude of Provenance on
// every type searched by the member (US Core 6.1 server
// CapabilityStatement, "searchRevInclude") and the search parameters
// served.
func (a *API) capResources() []capResource {
	out := make([]capResource, 0, len(a.types))
	for _, t := range a.types {
		r := capResource{Type: t.Name, Interaction: []capInteraction{{Code: "read"}}, SearchInclude: t.includeValues()}
		if len(t.Params) > 0 {
			r.Interaction = append(r.Interaction, capInteraction{Code: "search-type"})
		}
		r.SearchRevInclude = t.revIncludeValues()
		for _, p := range t.Params {
			r.SearchParam = append(r.SearchParam, capSearchParam{Name: p.Name, Type: p.Type, Documentation: p.Doc})
		}
		out = append(out, r)
	}
	return out
}
