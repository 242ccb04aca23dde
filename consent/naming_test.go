package consent

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// namingWords are resource words in the second person, as the FHIR route
// table's are, including "you" in the middle of a phrase.
var namingWords = map[string]string{
	"Patient":              "your demographics: name, birth date, gender and address",
	"ExplanationOfBenefit": "your claims: what was billed, paid and owed for each visit, stay or prescription",
	"Procedure":            "procedures you had",
	"Device":               "devices implanted in you",
}

var (
	// addressesTheReader is any "your" or "my": on the consent screen of a
	// representative, whose data it is must be said by name.
	addressesTheReader = regexp.MustCompile(`(?i)\b(your|my)\b`)
	// yourData is "your"/"my" about the data shared ("your data", "my
	// health data", "your own data", "your claims"), which no screen of
	// the representative's path may say: the representative's own name
	// and relationship may still be "your".
	yourData = regexp.MustCompile(`(?i)\b(your|my)\s+(own\s+)?(\w+\s+){0,3}(data|records|information|demographics|claims|coverage|plan)\b`)
)

// mainText is the visible text of the page's <main>.
func (p *page) mainText(t *testing.T) string {
	t.Helper()
	m := find(p.doc, isElement("main"))
	if m == nil {
		t.Fatalf("no <main> on the page:\n%s", p.Body)
	}
	return text(m)
}

// TestRepresentativePathSaysNoYourData walks the representative's path,
// errors included, and reads every screen: none speaks of the shared data
// as "your" or "my" data; from the login on, each names the member; and the
// consent screen, the asks included, says no "your" or "my" at all.
func TestRepresentativePathSaysNoYourData(t *testing.T) {
	apps := &fakeApps{apps: map[string][]ConnectedApp{}}
	h := newHarness(t, Config{
		ResourceWords: namingWords,
		Apps:          apps,
		MemberName: func(username string) string {
			if username == "BCNCUser03" {
				return "Jane Doe"
			}
			return ""
		},
	})
	h.flow.add("rep", Request{ClientID: "app-1", ClientName: "Test App", Scopes: []string{
		"openid", "fhirUser", "profile", "read", "launch/patient", "offline_access",
		"patient/*.read", "patient/Patient.read", "patient/ExplanationOfBenefit.rs", "patient/Procedure.read", "patient/Device.read",
	}})
	b := newBrowser(t, h.srv.URL)

	screens := map[string]*page{}
	p := b.start("rep")
	screens["disclaimer"] = p
	p = b.submit(p, nil)
	screens["login"] = p
	p = login(b, p, "BCNCUser03", "BCNCPSWD03")
	screens["relation"] = p
	screens["relation, no choice"] = b.submit(p, url.Values{})
	p = screens["relation, no choice"]
	screens["relation, no relationship"] = b.submit(p, url.Values{"who": {"representative"}, "full_name": {"Pat Doe"}})
	p = screens["relation, no relationship"]
	screens["relation, Other without words"] = b.submit(p, url.Values{"who": {"representative"}, "relationship": {RelOther}, "full_name": {"Pat Doe"}})
	p = b.submit(screens["relation, Other without words"], url.Values{"who": {"representative"}, "relationship": {RelPOA}, "full_name": {"Pat Doe"}})
	screens["consent"] = p
	screens["consent, no share"] = b.submit(p, url.Values{"decision": {"agree"}, "share": {""}})

	for name, sp := range screens {
		t.Run(name, func(t *testing.T) {
			text := sp.mainText(t)
			if m := yourData.FindString(text); m != "" {
				t.Errorf("says %q of the shared data:\n%s", m, text)
			}
			if name != "disclaimer" && name != "login" && !strings.Contains(text, "Jane Doe") {
				t.Errorf("does not name the member Jane Doe:\n%s", text)
			}
			if strings.HasPrefix(name, "consent") {
				if m := addressesTheReader.FindString(text); m != "" {
					t.Errorf("the consent screen says %q to a representative:\n%s", m, text)
				}
				for _, want := range []string{"Share all of Jane Doe\u2019s data", "Jane Doe\u2019s claims", "Procedures Jane Doe had.", "Devices implanted in Jane Doe.", "All of Jane Doe\u2019s health plan data"} {
					if !strings.Contains(text, want) {
						t.Errorf("lacks %q:\n%s", want, text)
					}
				}
			}
		})
	}
	if p := b.submit(screens["consent"], url.Values{"decision": {"agree"}, "share": {"health"}}); p.Status != http.StatusSeeOther {
		t.Errorf("the representative's I Agree answered %d", p.Status)
	}
}

// TestSelfScreensStillSayYour: the member sharing their own data reads
// "your" and "my", as the docs' screens say.
func TestSelfScreensStillSayYour(t *testing.T) {
	h := newHarness(t, Config{MemberName: func(string) string { return "Jane Doe" }})
	b := newBrowser(t, h.srv.URL)
	p := b.submit(login(b, atLogin(t, b), "BCNCUser03", "BCNCPSWD03"), url.Values{"who": {"self"}})
	text := p.mainText(t)
	for _, want := range []string{"Share all my data", "All your health plan data", "your Blue Cross NC health plan data"} {
		if !strings.Contains(text, want) {
			t.Errorf("the member's own consent screen lacks %q:\n%s", want, text)
		}
	}
}

// TestConsentLinksTheAppsPage: the consent screen says where the access
// is removed, and the link is the apps page the screens serve.
func TestConsentLinksTheAppsPage(t *testing.T) {
	h, _ := newAppsHarness(t)
	b := newBrowser(t, h.srv.URL)
	p := b.submit(login(b, atLogin(t, b), "BCNCUser03", "BCNCPSWD03"), url.Values{"who": {"self"}})
	a := find(p.doc, func(n *html.Node) bool { return isElement("a")(n) && text(n) == "Connected apps" })
	if a == nil {
		t.Fatalf("no Connected apps link on the consent screen:\n%s", p.Body)
	}
	if href := attr(a, "href"); href != issuerPath+AppsPath {
		t.Errorf("Connected apps links %q, want %q", href, issuerPath+AppsPath)
	}
	if got := b.get(attr(a, "href")); got.Status != http.StatusOK || !strings.Contains(got.Body, "connected apps") {
		t.Errorf("GET %s: %d", attr(a, "href"), got.Status)
	}
	// Without an apps page, no link that would lead nowhere.
	plain := newBrowser(t, newHarness(t, Config{}).srv.URL)
	p = plain.submit(login(plain, atLogin(t, plain), "BCNCUser03", "BCNCPSWD03"), url.Values{"who": {"self"}})
	if strings.Contains(p.Body, "Connected apps") {
		t.Error("the consent screen links an apps page the sandbox does not serve")
	}
}
