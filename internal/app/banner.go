package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// printBanner tells the person who started the sandbox where it is and how
// to log in: the URLs, the docs' client and the test accounts.
func printBanner(w io.Writer, cfg config, a *app, url string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Blue Cross NC API sandbox listening on %s (%s)\n", url, cfg.describe())
	fmt.Fprintf(&b, "  home page      %s/\n", url)
	fmt.Fprintf(&b, "  authorize      %s%s/authorize\n", url, oauth.IssuerPath)
	fmt.Fprintf(&b, "  token          %s%s/token\n", url, oauth.IssuerPath)
	fmt.Fprintf(&b, "  FHIR base      %s%s\n", url, fhir.BasePath)
	fmt.Fprintf(&b, "  member's apps  %s%s/apps\n", url, oauth.IssuerPath)
	if cfg.Workspaces > 0 {
		fmt.Fprintf(&b, "  workspaces     %s/w/{name}/… (a whole sandbox each, made on first use; at most %d)\n", url, cfg.Workspaces)
	}
	fmt.Fprintf(&b, "Client (the docs'): client_id %s  client_secret %s\n", fixtures.DocsClientID, fixtures.DocsClientSecret)
	for _, c := range a.clients[1:] {
		kind := "confidential"
		if c.Secret == "" {
			kind = "public"
		}
		fmt.Fprintf(&b, "Client (--clients): client_id %s (%s)\n", c.ID, kind)
	}
	b.WriteString("Test accounts:\n")
	for _, acc := range a.catalog.DocsAccounts() {
		fmt.Fprintf(&b, "  %-12s %-12s Patient/%s\n", acc.Username, acc.Password, acc.PatientID)
	}
	if cfg.Members > 0 {
		fmt.Fprintf(&b, "  BCNCUser07 … BCNCUser%02d with BCNCPSWD07 … (generated members)\n", cfg.Members+6)
	}
	edges := a.catalog.EdgeAccounts()
	names := make([]string, len(edges))
	for i, acc := range edges {
		names[i] = strings.TrimPrefix(acc.Username, "BCNCEdge")
	}
	fmt.Fprintf(&b, "  BCNCEdge<Name> with BCNCPSWD<Name> (edge cases): %s\n", strings.Join(names, ", "))
	if cfg.AutoApprove != "" {
		fmt.Fprintf(&b, "Auto-approve: /authorize approves at once as %s\n", cfg.AutoApprove)
	}
	io.WriteString(w, b.String())
}
