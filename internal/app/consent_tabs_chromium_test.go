package app

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChromiumTwoConsentTabs: in one browser, tab A walks the consent
// screens to the last one and stops; tab B starts a flow of its own, walks
// it through as a representative and exchanges its code on the debugger;
// then tab A agrees and exchanges its own. Each token is for the member,
// the scopes and the fhirUser of its own tab.
func TestChromiumTwoConsentTabs(t *testing.T) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true})
	try := func(scopes ...string) string {
		return sb.URL + "/debug/start?" + url.Values{"scope": scopes}.Encode()
	}
	run(t, ctx, "tab A to the consent screen",
		chromedp.Navigate(try("openid", "fhirUser", "profile", "patient/*.read")), toConsent("BCNCUser03", "BCNCPSWD03"),
		chromedp.WaitVisible(button("I Agree")))

	tabB := newTab(t, ctx)
	run(t, tabB, "tab B through the screens as a representative",
		chromedp.Navigate(try("openid", "fhirUser", "patient/Coverage.read")),
		click(button("I Understand")),
		typeInto("Username", "BCNCUser04"),
		typeInto("Password", "BCNCPSWD04"),
		click(button("Log In")),
		click(labelled("Personal Representative")),
		click(labelled("power of attorney")),
		typeInto("Your full name", "Robin Q Helper"),
		click(button("Next")),
		clickNav(button("I Agree")))
	tokB := exchangeOnDebugger(t, tabB)

	run(t, ctx, "tab A agrees", clickNav(button("I Agree")))
	tokA := exchangeOnDebugger(t, ctx)

	for _, tab := range []struct {
		name, tok     string
		want, wantNot []string
	}{
		{"tab A", tokA, []string{`"patient": "-20140000008325"`, "patient/*.read", "profile"}, []string{"patient/Coverage.read"}},
		{"tab B", tokB, []string{`"patient": "-20140000000024"`, "patient/Coverage.read"}, []string{"patient/*.read", "profile"}},
	} {
		if !strings.Contains(tab.tok, `"access_token"`) {
			t.Errorf("%s: the exchange failed:\n%s", tab.name, tab.tok)
			continue
		}
		for _, w := range tab.want {
			if !strings.Contains(tab.tok, w) {
				t.Errorf("%s: the token response lacks %s:\n%s", tab.name, w, tab.tok)
			}
		}
		for _, w := range tab.wantNot {
			if strings.Contains(tab.tok, w) {
				t.Errorf("%s: the token response holds the other tab's %s:\n%s", tab.name, w, tab.tok)
			}
		}
	}
	if got := text(t, tabB, `//section[@aria-labelledby='idtoken-heading']`); !strings.Contains(got, "RelatedPerson/") {
		t.Errorf("tab B's id_token does not name the representative's RelatedPerson as fhirUser:\n%s", got)
	}
}
