package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestPostmanFollowsFHIRTypes: the collection's FHIR requests are built
// from Config.FHIRTypes alone: a read of every type, the member search in
// its three spellings for a searchable one, and a search by each other
// parameter with its example escaped for the query.
func TestPostmanFollowsFHIRTypes(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	w := do(e, httptest.NewRequest("GET", "/postman.json", nil))
	var c struct {
		Item []pmItem `json:"item"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	var got []string // "METHOD url" of every request in the FHIR folder
	var walk func([]pmItem)
	walk = func(items []pmItem) {
		for _, it := range items {
			walk(it.Item)
			if it.Request != nil {
				got = append(got, it.Request.Method+" "+strings.TrimPrefix(it.Request.URL.Raw, "{{fhirBase}}"))
			}
		}
	}
	for _, folder := range c.Item {
		if folder.Name == "FHIR R4" {
			walk(folder.Item)
		}
	}
	want := []string{
		"GET /metadata",
		"GET /Patient?_id={{patientId}}",
		"GET /Patient/?_id={{patientId}}",
		"POST /Patient/_search",
		"GET /Patient/{{patientId}}",
		"GET /Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00",
		"GET /Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir",
		"GET /ExplanationOfBenefit?patient={{patientId}}",
		"GET /ExplanationOfBenefit/?patient={{patientId}}",
		"POST /ExplanationOfBenefit/_search",
		"GET /ExplanationOfBenefit/{{explanationOfBenefitId}}",
		"GET /ExplanationOfBenefit?patient={{patientId}}&type=carrier,pde",
		"GET /ExplanationOfBenefit?patient={{patientId}}&identifier=http://example.com/id%23x%7Ca%2Bb+c",
		"GET /ExplanationOfBenefit?patient=Patient/{{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00",
		"GET /ExplanationOfBenefit?patient={{patientId}}&_count=50&startIndex=50",
		"GET /Practitioner/{{practitionerId}}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("FHIR requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The example decodes back to itself.
	u, _ := url.Parse("http://x" + want[12][len("GET "):])
	if v := u.Query().Get("identifier"); v != "http://example.com/id#x|a+b c" {
		t.Errorf("identifier example decodes to %q", v)
	}
}

// TestNewChecksFHIRTypes: a type list the collection cannot exercise is
// refused when the console is built.
func TestNewChecksFHIRTypes(t *testing.T) {
	tests := []struct {
		name  string
		types []FHIRType
		says  string
	}{
		{"none", nil, "FHIRTypes is empty"},
		{"no name", []FHIRType{{}}, "no name"},
		{"a parameter without an example", []FHIRType{{Name: "Coverage", Params: []FHIRParam{{Name: "beneficiary", Member: true}, {Name: "_count"}}}}, "without an example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{
				Exchange:  func(context.Context, *http.Request, url.Values) (int, []byte, error) { return 200, nil, nil },
				Key:       []byte("0123456789abcdef0123456789abcdef"),
				FHIRTypes: tt.types,
			})
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("New: %v, want an error saying %q", err, tt.says)
			}
		})
	}
}
