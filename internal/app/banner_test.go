package app

import (
	"strings"
	"testing"
)

// TestBannerNamesEveryAccount checks that the start-up banner names each of
// the docs' accounts with its password and patient, the generated range,
// and every edge-case account by its name.
func TestBannerNamesEveryAccount(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Members: 5})
	var out strings.Builder
	printBanner(&out, config{Members: 5}, sb.app, "http://sandbox.test")
	banner := out.String()
	for _, a := range sb.app.catalog.DocsAccounts() {
		if !strings.Contains(banner, a.Username) || !strings.Contains(banner, a.Password) || !strings.Contains(banner, a.PatientID) {
			t.Errorf("the banner does not give %s, %s and %s:\n%s", a.Username, a.Password, a.PatientID, banner)
		}
	}
	if !strings.Contains(banner, "BCNCUser07 … BCNCUser11") {
		t.Errorf("the banner does not give the generated range BCNCUser07 … BCNCUser11:\n%s", banner)
	}
	edges := sb.app.catalog.EdgeAccounts()
	if len(edges) == 0 {
		t.Fatal("no edge-case accounts")
	}
	for _, a := range edges {
		if name := strings.TrimPrefix(a.Username, "BCNCEdge"); !strings.Contains(banner, name) {
			t.Errorf("the banner does not name the edge-case account %s:\n%s", a.Username, banner)
		}
	}
}
