package app

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// tabAuthorizeURL is the docs' client asking for scope with its own state,
// as one tab of a browser would.
func tabAuthorizeURL(base, scope, state string) string {
	return base + issuerPath + "/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {scope}, "state": {state},
	}.Encode()
}

// TestTwoTabsOneCookieJar: one browser (one cookie jar) walks two
// authorizations at once. Tab A stops at the consent screen; tab B starts
// later, runs to the end and exchanges its code; then tab A agrees. Both
// codes exchange, each for tokens of its own member, scopes and fhirUser.
func TestTwoTabsOneCookieJar(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	b := sb.newBrowser(t)

	a := b.get(tabAuthorizeURL(sb.URL, "openid fhirUser profile patient/*.read", "tab-a"))
	a = b.submit(a, nil, nil, "I Understand")
	a = b.submit(a, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	a = b.submit(a, nil, []string{"Self"}, "Next")
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "I Agree") {
		t.Fatalf("tab A is not at the consent screen: %d\n%s", a.Status, a.Body)
	}

	p := b.get(tabAuthorizeURL(sb.URL, "openid fhirUser patient/Coverage.read patient/ExplanationOfBenefit.read", "tab-b"))
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "BCNCUser04", "password": "BCNCPSWD04"}, nil, "Log In")
	p = b.submit(p, map[string]string{"full name": "Pat Q Rep"}, []string{"Personal Representative", "Active healthcare power of attorney"}, "Next")
	p = b.submit(p, nil, nil, "I Agree")
	tokB := exchangeTab(t, sb, p, "tab-b")

	a = b.submit(a, nil, nil, "I Agree")
	tokA := exchangeTab(t, sb, a, "tab-a")

	tabs := []struct {
		name            string
		tok             tokenResponse
		patient         string
		fhirUserPrefix  string
		scopes, without []string
		patientRead     int
	}{
		{"tab A, BCNCUser03 for themself", tokA, "-20140000008325", "Patient/", []string{"patient/*.read", "profile"}, []string{"patient/Coverage.read"}, http.StatusOK},
		{"tab B, BCNCUser04's representative", tokB, "-20140000000024", "RelatedPerson/", []string{"patient/Coverage.read", "patient/ExplanationOfBenefit.read"}, []string{"patient/*.read", "profile"}, http.StatusForbidden},
	}
	for _, tab := range tabs {
		t.Run(tab.name, func(t *testing.T) {
			if tab.tok.Patient != tab.patient {
				t.Errorf("patient %q, want %q", tab.tok.Patient, tab.patient)
			}
			granted := strings.Fields(tab.tok.Scope)
			for _, s := range tab.scopes {
				if !slices.Contains(granted, s) {
					t.Errorf("scope %q lacks %s", tab.tok.Scope, s)
				}
			}
			for _, s := range tab.without {
				if slices.Contains(granted, s) {
					t.Errorf("scope %q holds %s, the other tab's", tab.tok.Scope, s)
				}
			}
			if fu, _ := jwtClaims(t, tab.tok.IDToken)["fhirUser"].(string); !strings.Contains(fu, tab.fhirUserPrefix) {
				t.Errorf("fhirUser %q, want a %s", fu, tab.fhirUserPrefix)
			}
			if s, body := sb.get(t, fhirPath+"/Patient/"+tab.patient, tab.tok.AccessToken); s != tab.patientRead {
				t.Errorf("Patient read: %d, want %d: %s", s, tab.patientRead, body)
			}
			if s, body := sb.get(t, fhirPath+"/Coverage?patient="+tab.patient, tab.tok.AccessToken); s != http.StatusOK {
				t.Errorf("Coverage search: %d: %s", s, body)
			}
		})
	}
}

// exchangeTab takes the redirect back to the app from a tab's last screen
// and exchanges its code as the docs' client.
func exchangeTab(t *testing.T, sb *sandbox, last page, state string) tokenResponse {
	t.Helper()
	if last.Status != http.StatusSeeOther {
		t.Fatalf("%s: the consent post answered %d, not a redirect to the app:\n%s", state, last.Status, last.Body)
	}
	u, err := url.Parse(last.Location)
	if err != nil {
		t.Fatal(err)
	}
	status, tok := sb.docsTokenCall(t, codeFrom(t, u, state), docsRedir)
	if status != http.StatusOK {
		t.Fatalf("%s: token call %d %+v", state, status, tok)
	}
	return tok
}
