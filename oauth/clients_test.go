package oauth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

func TestLoadClients(t *testing.T) {
	write := func(t *testing.T, body string) string {
		p := filepath.Join(t.TempDir(), "clients.json")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `[{"client_id":"web","client_secret":"s","redirect_uris":["https://app.example/cb","{base}/debug"],"client_name":"Web"},
	          {"client_id":"native","redirect_uris":["com.example.app:/cb","http://127.0.0.1/cb"]}]`
	cs, err := LoadClients(write(t, good))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Secret != "s" || cs[0].Name != "Web" || !cs[1].public() || cs[1].RedirectURIs[1] != "http://127.0.0.1/cb" {
		t.Errorf("loaded %+v", cs)
	}
	if _, err := New(Config{Key: testKey(), Accounts: testAccounts, Clients: cs, BaseURL: hostBaseURL, FHIRBasePath: fhirPath, ResourceTypes: testResourceTypes}); err != nil {
		t.Errorf("New refused loaded clients: %v", err)
	}

	tests := []struct{ name, body, says string }{
		{"no id", `[{"redirect_uris":["https://a.example/cb"]}]`, "client 1: no client_id"},
		{"no redirect URIs", `[{"client_id":"a"}]`, `"a": no redirect_uris`},
		{"duplicate id", `[{"client_id":"a","redirect_uris":["https://a.example/cb"]},{"client_id":"a","redirect_uris":["https://b.example/cb"]}]`, "duplicate"},
		{"fragment", `[{"client_id":"a","redirect_uris":["https://a.example/cb#frag"]}]`, "fragment"},
		{"relative URI", `[{"client_id":"a","redirect_uris":["/cb"]}]`, "absolute"},
		{"unknown grant", `[{"client_id":"a","redirect_uris":["https://a.example/cb"],"grant_types":["implicit"]}]`, "implicit"},
		{"typo in a field", `[{"client_id":"a","redirect_uri":["https://a.example/cb"]}]`, "redirect_uri"},
		{"not JSON", `{`, "clients.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadClients(write(t, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want one saying %q", err, tc.says)
			}
		})
	}
	if _, err := LoadClients(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

// New refuses what cannot work.
func TestNewErrors(t *testing.T) {
	tests := []struct {
		name, says string
		edit       func(*Config)
	}{
		{"no key", "signing key", func(c *Config) { c.Key = nil }},
		{"no accounts", "account", func(c *Config) { c.Accounts = nil }},
		{"no base URL", "BaseURL", func(c *Config) { c.BaseURL = nil }},
		{"unknown profile", "profile", func(c *Config) { c.Profile = profile.Profile(len(profile.All())) }},
		{"negative TTL", "TTL", func(c *Config) { c.TokenTTL = -1 }},
		{"duplicate client", "duplicate", func(c *Config) {
			c.Clients = []Client{{ID: "a", RedirectURIs: []string{"https://a/cb"}}, {ID: "a", RedirectURIs: []string{"https://a/cb"}}}
		}},
		{"unknown auto-approve user", "auto-approve", func(c *Config) { c.AutoApprove = "nobody" }},
		{"no FHIR base path", "FHIR base path", func(c *Config) { c.FHIRBasePath = "" }},
		{"relative FHIR base path", "FHIR base path", func(c *Config) { c.FHIRBasePath = "fhir/r4" }},
		{"FHIR base path with a trailing slash", "FHIR base path", func(c *Config) { c.FHIRBasePath = "/fhir/" }},
		{"FHIR base path with a route parameter", "FHIR base path", func(c *Config) { c.FHIRBasePath = "/fhir/:v" }},
		{"no resource types", "resource types", func(c *Config) { c.ResourceTypes = nil }},
		{"a resource type with scope syntax", "not a FHIR type name", func(c *Config) { c.ResourceTypes = []string{"Patient", "Coverage.read"} }},
		{"a lower-case resource type", "not a FHIR type name", func(c *Config) { c.ResourceTypes = []string{"patient"} }},
		{"a wildcard resource type", "not a FHIR type name", func(c *Config) { c.ResourceTypes = []string{"*"} }},
		{"a resource type twice", "twice", func(c *Config) { c.ResourceTypes = []string{"Patient", "Coverage", "Patient"} }},
	}
	for _, tc := range tests {
		cfg := Config{Key: testKey(), Accounts: testAccounts, BaseURL: hostBaseURL, FHIRBasePath: fhirPath, ResourceTypes: testResourceTypes}
		if _, err := New(cfg); err != nil {
			t.Fatalf("the valid config: %v", err)
		}
		tc.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: New said %v, want an error naming %q", tc.name, err, tc.says)
		}
	}
}
