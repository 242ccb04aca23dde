package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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
		"GET /Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00",
		"GET /Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir",
		"GET /Patient/{{patientId}}",
		"GET /ExplanationOfBenefit?patient={{patientId}}",
		"GET /ExplanationOfBenefit/?patient={{patientId}}",
		"POST /ExplanationOfBenefit/_search",
		"GET /ExplanationOfBenefit?patient={{patientId}}&type=carrier,pde",
		"GET /ExplanationOfBenefit?patient={{patientId}}&identifier=http://example.com/id%23x%7Ca%2Bb+c",
		"GET /ExplanationOfBenefit?patient=Patient/{{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00",
		"GET /ExplanationOfBenefit?patient={{patientId}}&_count=50&startIndex=50",
		"GET /ExplanationOfBenefit/{{explanationOfBenefitId}}",
		"GET /Practitioner/{{practitionerId}}",
	}
	if !slices.Equal(got, want) {
		t.Errorf("FHIR requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The example decodes back to itself.
	u, _ := url.Parse("http://x" + want[11][len("GET "):])
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
				Call: func(context.Context, *http.Request, string, string, http.Header, url.Values) (int, []byte, error) {
					return 200, nil, nil
				},
				Key:       []byte("0123456789abcdef0123456789abcdef"),
				FHIRTypes: tt.types,
			})
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("New: %v, want an error saying %q", err, tt.says)
			}
		})
	}
}

var usedVariable = regexp.MustCompile(`\{\{([^{}]+)\}\}`)

// TestPostmanCollectionRunsAsIs checks what newman needs to run the
// collection with no hand edits: every URL split into host, path and
// query (newman ignores raw alone: "request url is empty"); every
// variable a request uses defined by the collection (or a Postman dynamic
// variable); request names unique, so a run's report names each once;
// every request with a test; and the authorize requests not following
// their redirect, which goes to the app.
func TestPostmanCollectionRunsAsIs(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	raw := do(e, httptest.NewRequest("GET", "/postman.json", nil)).Body.Bytes()
	var c pmCollection
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, v := range c.Variable {
		if defined[v.Key] {
			t.Errorf("variable %q defined twice", v.Key)
		}
		defined[v.Key] = true
	}
	for _, m := range usedVariable.FindAllStringSubmatch(string(raw), -1) {
		if !defined[m[1]] && !strings.HasPrefix(m[1], "$") {
			t.Errorf("{{%s}} is used but not defined", m[1])
		}
	}
	names := map[string]bool{}
	var walk func([]pmItem)
	walk = func(items []pmItem) {
		for _, it := range items {
			walk(it.Item)
			if it.Request == nil {
				continue
			}
			if names[it.Name] {
				t.Errorf("two requests named %q", it.Name)
			}
			names[it.Name] = true
			u := it.Request.URL
			if len(u.Host) != 1 || !strings.HasPrefix(u.Host[0], "{{") {
				t.Errorf("%q: host %v", it.Name, u.Host)
			}
			rebuilt := u.Host[0]
			if u.Path != nil {
				rebuilt += "/" + strings.Join(u.Path, "/")
			}
			for i, q := range u.Query {
				sep := "&"
				if i == 0 {
					sep = "?"
				}
				rebuilt += sep + q.Key + "=" + q.Value
			}
			if rebuilt != u.Raw {
				t.Errorf("%q: host, path and query give %q, not raw %q", it.Name, rebuilt, u.Raw)
			}
			if len(it.Event) == 0 {
				t.Errorf("%q has no test", it.Name)
			}
			if strings.Contains(u.Raw, "/authorize") && it.ProtocolProfileBehavior["followRedirects"] != false {
				t.Errorf("%q follows the redirect to the app", it.Name)
			}
		}
	}
	walk(c.Item)
	if len(names) < 50 {
		t.Errorf("only %d requests", len(names))
	}
}
