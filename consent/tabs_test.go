package consent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTwoFlowsInOneBrowser: tab A stops at the consent screen, tab B walks
// a flow of its own through to the end in the same browser, then tab A
// finishes. Each flow finishes once, with its own handle, member and
// answers, and each tab's old forms stay refused.
func TestTwoFlowsInOneBrowser(t *testing.T) {
	h := newHarness(t, Config{})
	h.flow.add("h2", Request{ClientID: "app-2", ClientName: "Second App", Scopes: []string{"openid", "patient/Coverage.read"}})
	b := newBrowser(t, h.srv.URL)

	loginA := b.submit(b.start("h1"), nil)
	relationA := login(b, loginA, "BCNCUser03", "BCNCPSWD03")
	consentA := b.submit(relationA, url.Values{"who": {"self"}})
	consentA.mustBe(t, http.StatusOK, "I Agree")

	rep := answers{
		Username: "BCNCUser04", Password: "BCNCPSWD04",
		Set3: url.Values{"who": {"representative"}, "relationship": {RelPOA}, "full_name": {"Sam Roe"}},
		Set4: url.Values{"decision": {"agree"}, "share": {"health"}},
	}
	if p := b.walk("h2", rep); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "https://app.example/cb?code=code-h2&state=s-h2" {
		t.Fatalf("tab B: status %d Location %q; body:\n%s", p.Status, p.Header.Get("Location"), p.Body)
	}

	// Tab A's earlier form is still superseded; its current one finishes it.
	login(b, loginA, "BCNCUser05", "BCNCPSWD05").mustBe(t, http.StatusBadRequest, "out of date")
	p := b.submit(consentA, url.Values{"decision": {"agree"}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "https://app.example/cb?code=code-h1&state=s-h1" {
		t.Fatalf("tab A: status %d Location %q; body:\n%s", p.Status, p.Header.Get("Location"), p.Body)
	}
	b.submit(consentA, url.Values{"decision": {"agree"}}).mustBe(t, http.StatusBadRequest, "Your sign-in has ended")

	calls := h.flow.calls()
	if len(calls) != 2 {
		t.Fatalf("Finish calls %+v, want two", calls)
	}
	b2, a2 := calls[0], calls[1]
	if b2.Handle != "h2" || b2.Decision.Username != "BCNCUser04" || b2.Decision.SharePersonal ||
		b2.Decision.Representative == nil || b2.Decision.Representative.FullName != "Sam Roe" {
		t.Errorf("tab B finished %+v (%+v), want h2 as BCNCUser04's representative Sam Roe, health data only", b2, b2.Decision.Representative)
	}
	if a2.Handle != "h1" || a2.Decision.Username != "BCNCUser03" || !a2.Decision.SharePersonal || a2.Decision.Representative != nil {
		t.Errorf("tab A finished %+v, want h1 as BCNCUser03 for themself, sharing everything", a2)
	}
}

// TestManyFlowsOneSmallCookie: however many flows one browser starts, it
// holds one browser cookie of bounded size, and every flow stays usable.
func TestManyFlowsOneSmallCookie(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	const flows = 20
	pages := make([]*page, flows)
	for i := range pages {
		handle := fmt.Sprintf("h-%d", i)
		h.flow.add(handle, Request{ClientID: "app", Scopes: []string{"openid"}})
		pages[i] = b.start(handle)
	}
	u, _ := url.Parse(h.srv.URL + issuerPath + StartPath)
	cookies := b.client.Jar.Cookies(u)
	if len(cookies) != 1 || len(cookies[0].Value) > 100 {
		t.Fatalf("after %d flows the browser holds %d cookies (%v), want one of at most 100 bytes", flows, len(cookies), cookies)
	}
	for i := flows - 1; i >= 0; i -= 7 {
		b.submit(pages[i], nil).mustBe(t, http.StatusOK, "Log In")
	}
}

// TestFlowOfAnotherBrowserRefused: a state carried to another browser (a
// copied form, or a cross-site post that somehow carries a cookie) is
// refused as a CSRF failure even with the right CSRF token, and the
// state's own browser can still use it.
func TestFlowOfAnotherBrowserRefused(t *testing.T) {
	h := newHarness(t, Config{})
	owner := newBrowser(t, h.srv.URL)
	p := atLogin(t, owner)
	other := newBrowser(t, h.srv.URL)
	other.start("h1") // a browser cookie of its own
	action, v := p.form(t)
	v.Set("username", "BCNCUser03")
	v.Set("password", "BCNCPSWD03")
	other.postForm(action, v).mustBe(t, http.StatusForbidden, "This form has expired")
	owner.postForm(action, v).mustBe(t, http.StatusOK, "Personal Representative")
	noFinish(t, h)
}

// TestLargestStateFits: the longest handle the screens accept, with a
// representative's names at their longest and every byte one that JSON
// escapes, still travels through the screens to Finish.
func TestLargestStateFits(t *testing.T) {
	h := newHarness(t, Config{})
	handle := strings.Repeat("h", maxHandleLen)
	h.flow.add(handle, Request{ClientID: "app", Scopes: []string{"openid"}})
	b := newBrowser(t, h.srv.URL)
	a := selfAgree()
	a.Set3 = url.Values{"who": {"representative"}, "relationship": {RelOther},
		"full_name": {strings.Repeat("<", maxNameLen)}, "other_relationship": {strings.Repeat("&", maxNameLen)}}
	if p := b.walk(handle, a); p.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", p.Status, p.Body)
	}
	if calls := h.flow.calls(); len(calls) != 1 || calls[0].Decision.Representative.FullName != strings.Repeat("<", maxNameLen) {
		t.Errorf("Finish calls %+v", calls)
	}
}
