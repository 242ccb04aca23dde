package app

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var appsLink = regexp.MustCompile(`<a href="([^"]+)">Connected apps</a>`)

// TestPagesLinkConnectedApps: the home page, the consent screen and the
// debugger a flow lands on each link the members' apps page, and every
// such link answers 200 with that page.
func TestPagesLinkConnectedApps(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	manual := startSandbox(t, sandboxOptions{})
	b := sb.newBrowser(t)

	debugger := b.get(sb.URL + "/debug/start")
	if debugger.Location == "" {
		t.Fatalf("Try it did not land on the debugger: %d %s", debugger.Status, debugger.Body)
	}
	debugger = b.get(debugger.Location)

	consentScreen := manual.newBrowser(t)
	p := consentScreen.get(docsAuthorizeURL(manual.URL))
	p = consentScreen.submit(p, nil, nil, "I Understand")
	p = consentScreen.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	p = consentScreen.submit(p, nil, []string{"Self"}, "Next")

	pages := []struct {
		name string
		page page
		sb   *sandbox
		min  int
	}{
		{"home page", b.get(sb.URL + "/"), sb, 2},
		{"debugger after a flow", debugger, sb, 1},
		{"consent screen", p, manual, 1},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			links := appsLink.FindAllStringSubmatch(pg.page.Body, -1)
			if pg.page.Status != http.StatusOK || len(links) < pg.min {
				t.Fatalf("%d links to Connected apps (status %d), want at least %d:\n%s", len(links), pg.page.Status, pg.min, pg.page.Body)
			}
			for _, l := range links {
				target, err := pg.page.URL.Parse(html.UnescapeString(l[1]))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(target.Path, issuerPath+"/apps") {
					t.Errorf("Connected apps links %s, not the issuer's apps page", target)
				}
				got := pg.sb.newBrowser(t).get(target.String())
				if got.Status != http.StatusOK || !strings.Contains(got.Body, "Your connected apps") {
					t.Errorf("GET %s: %d\n%s", target, got.Status, got.Body)
				}
			}
		})
	}
}
