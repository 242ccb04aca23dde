package fhir

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// TestMetadata: the CapabilityStatement lists exactly the route table and
// the SMART endpoints under the issuer.
func TestMetadata(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	w := do(t, e, get("/metadata?_format=json", ""))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var cs struct {
		Status, Kind, FHIRVersion, Date string
		Format, Instantiates            []string
		Implementation                  struct{ URL string }
		Rest                            []struct {
			Security struct {
				Extension []struct {
					URL       string
					Extension []struct{ URL, ValueURI string }
				}
				Service []struct{ Coding []struct{ Code string } }
			}
			Resource []struct {
				Type        string
				Interaction []struct{ Code string }
				SearchParam []struct{ Name, Type, Documentation string }
			}
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &cs); err != nil {
		t.Fatal(err)
	}
	if cs.Status != "active" || cs.Kind != "instance" || cs.FHIRVersion != "4.0.1" || cs.Date == "" ||
		cs.Implementation.URL != fhirBase || !slices.Contains(cs.Instantiates, "http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb") ||
		!slices.Equal(cs.Format, []string{"json", "application/fhir+json"}) {
		t.Errorf("header fields: %+v", cs)
	}
	sec := cs.Rest[0].Security
	uris := map[string]string{}
	for _, x := range sec.Extension[0].Extension {
		uris[x.URL] = x.ValueURI
	}
	issuer := testBase + "/fhirmember/sps/oauth/oauth20"
	for _, name := range []string{"authorize", "token", "revoke", "introspect"} {
		if uris[name] != issuer+"/"+name {
			t.Errorf("oauth-uris %s = %q", name, uris[name])
		}
	}
	if sec.Service[0].Coding[0].Code != "SMART-on-FHIR" {
		t.Errorf("service %+v", sec.Service)
	}
	// Every listed type and parameter is served, and every served one listed.
	types := resourceTypes()
	strict := testAPI(t, profile.Strict)
	if len(cs.Rest[0].Resource) != len(types) {
		t.Fatalf("%d resources listed, %d served", len(cs.Rest[0].Resource), len(types))
	}
	for i, r := range cs.Rest[0].Resource {
		tt := types[i]
		if r.Type != tt.Name || len(r.SearchParam) != len(tt.Params) {
			t.Errorf("%s: listed %d params, served %d", r.Type, len(r.SearchParam), len(tt.Params))
		}
		search := slices.ContainsFunc(r.Interaction, func(i struct{ Code string }) bool { return i.Code == "search-type" })
		if search != (len(tt.Params) > 0) {
			t.Errorf("%s: search-type listed %v", r.Type, search)
		}
		for _, p := range r.SearchParam {
			if _, ok := tt.param(p.Name); !ok || p.Documentation == "" {
				t.Errorf("%s?%s listed but not served", r.Type, p.Name)
			}
			if p.Type != "special" {
				// Probe the parameter through the router: a listed parameter
				// must not be "unknown" to the strict parser.
				w := do(t, strict, get("/"+r.Type+"?"+p.Name+"=zz", "v1-all"))
				if w.Code == 400 && strings.Contains(w.Body.String(), "unknown search parameter") {
					t.Errorf("%s?%s listed but unknown", r.Type, p.Name)
				}
			}
		}
	}
}

// TestNewChecksConfig: New refuses a config it cannot serve with.
func TestNewChecksConfig(t *testing.T) {
	ok := Config{
		BaseURL:    func(*http.Request) string { return testBase },
		IssuerPath: "/issuer",
		Authorize:  func(context.Context, string) (Grant, error) { return Grant{}, nil },
		Members:    func(string) (*generator.Member, bool) { return nil, false },
	}
	if _, err := New(ok); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Config){
		"profile":   func(c *Config) { c.Profile = profile.Profile(len(profile.All())) },
		"base URL":  func(c *Config) { c.BaseURL = nil },
		"authorize": func(c *Config) { c.Authorize = nil },
		"members":   func(c *Config) { c.Members = nil },
		"issuer":    func(c *Config) { c.IssuerPath = "" },
	} {
		c := ok
		mutate(&c)
		if _, err := New(c); err == nil {
			t.Errorf("New accepted a config without %s", name)
		}
	}
}
