package consent

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeApps stands in for the authorization server's grants.
type fakeApps struct {
	mu      sync.Mutex
	apps    map[string][]ConnectedApp // by username
	removed []string                  // "username client" per RemoveApp
}

func (f *fakeApps) ConnectedApps(_ context.Context, username string) ([]ConnectedApp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ConnectedApp(nil), f.apps[username]...), nil
}

func (f *fakeApps) RemoveApp(_ context.Context, username, clientID string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if clientID != "app-1" && clientID != "app-2" {
		return 0, errors.New("fake: unknown client")
	}
	f.removed = append(f.removed, username+" "+clientID)
	n := 0
	kept := f.apps[username][:0]
	for _, a := range f.apps[username] {
		if a.ClientID == clientID {
			n += a.Grants
			continue
		}
		kept = append(kept, a)
	}
	f.apps[username] = kept
	return n, nil
}

func newAppsHarness(t *testing.T) (*harness, *fakeApps) {
	t.Helper()
	apps := &fakeApps{apps: map[string][]ConnectedApp{
		"BCNCUser03": {
			{ClientID: "app-1", ClientName: "Test App", Scopes: []string{"openid", "patient/*.read"}, Grants: 2, LastGranted: time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)},
			{ClientID: "app-2", ClientName: "<b>Other</b> App", Scopes: []string{"patient/Coverage.read"}, Grants: 1, LastGranted: time.Date(2026, 2, 2, 9, 30, 0, 0, time.UTC)},
		},
	}}
	return newHarness(t, Config{Apps: apps}), apps
}

// formWith returns the action and values of the page's post form whose
// inputs include name=value.
func (p *page) formWith(t *testing.T, name, value string) (string, url.Values) {
	t.Helper()
	for _, f := range findAll(p.doc, isElement("form")) {
		v := url.Values{}
		match := false
		for _, in := range findAll(f, isElement("input")) {
			v.Add(attr(in, "name"), attr(in, "value"))
			match = match || attr(in, "name") == name && attr(in, "value") == value
		}
		if match {
			return attr(f, "action"), v
		}
	}
	t.Fatalf("no form with %s=%s:\n%s", name, value, p.Body)
	return "", nil
}

// TestAppsPage: a member logs in, sees each app with what it can read in
// plain words, removes one (the server is asked to end its grants) and it is
// gone from the list; logging out shows the login form again.
func TestAppsPage(t *testing.T) {
	h, apps := newAppsHarness(t)
	b := newBrowser(t, h.srv.URL)
	p := b.get(issuerPath + AppsPath)
	p.mustBe(t, http.StatusOK, "Log In")
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	p = b.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
	p.mustBe(t, http.StatusOK, "Test App")
	for _, want := range []string{"Connected 2 times", "All your health plan data", "Your coverage: plans", "&lt;b&gt;Other&lt;/b&gt; App", "Remove access"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the apps page lacks %q:\n%s", want, p.Body)
		}
	}
	action, v := p.formWith(t, "client_id", "app-1")
	p = b.postForm(action, v)
	p.mustBe(t, http.StatusOK, "no longer has access")
	if strings.Contains(p.Body, "Test App") || !strings.Contains(p.Body, "Other") {
		t.Errorf("after removing Test App the page lists:\n%s", p.Body)
	}
	if len(apps.removed) != 1 || apps.removed[0] != "BCNCUser03 app-1" {
		t.Errorf("RemoveApp calls %v", apps.removed)
	}
	action, v = p.formWith(t, "action", "logout")
	p = b.postForm(action, v)
	p.mustBe(t, http.StatusOK, "Log In")
	if strings.Contains(p.Body, "Other") {
		t.Error("the page still lists apps after logging out")
	}
}

// TestAppsPageRefusals: every post that is not the page's own, for this
// browser and this action, is refused before any app is removed.
func TestAppsPageRefusals(t *testing.T) {
	h, apps := newAppsHarness(t)
	member := newBrowser(t, h.srv.URL)
	p := member.submit(member.get(issuerPath+AppsPath), url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
	p.mustBe(t, http.StatusOK, "Test App")
	action, remove := p.formWith(t, "client_id", "app-1")
	anonymous := newBrowser(t, h.srv.URL)
	anonymous.get(issuerPath + AppsPath)
	stranger := newBrowser(t, h.srv.URL)

	for _, tc := range []struct {
		name   string
		b      *browser
		set    url.Values
		status int
		text   string
	}{
		{"no session cookie", stranger, nil, http.StatusBadRequest, "session has ended"},
		{"another browser's form", anonymous, nil, http.StatusForbidden, "does not belong"},
		{"the logout token on a removal", member, url.Values{"csrf": {p.csrfOf(t, "logout")}}, http.StatusForbidden, "does not belong"},
		{"an unknown action", member, url.Values{"action": {"delete-all"}}, http.StatusBadRequest, "could not read"},
		{"an unknown app", member, url.Values{"client_id": {"app-9"}}, http.StatusBadRequest, "not one this page can remove"},
	} {
		v := url.Values{}
		for k, vs := range remove {
			v[k] = vs
		}
		for k, vs := range tc.set {
			v[k] = vs
		}
		got := tc.b.postForm(action, v)
		if got.Status != tc.status || !strings.Contains(got.Body, tc.text) {
			t.Errorf("%s: %d, want %d with %q:\n%s", tc.name, got.Status, tc.status, tc.text, got.Body)
		}
	}
	if len(apps.removed) != 0 {
		t.Errorf("refused posts removed %v", apps.removed)
	}

	// A logged-out session's removal form is refused too.
	anonAction, anonLogin := anonymous.get(issuerPath + AppsPath).form(t)
	anonLogin.Set("action", "remove")
	anonLogin.Set("client_id", "app-1")
	if got := anonymous.postForm(anonAction, anonLogin); got.Status != http.StatusForbidden {
		t.Errorf("a removal with the login form's token: %d, want 403", got.Status)
	}
}

// TestAppsPageLoginThrottle: the apps page's login counts against the same
// cool-down as the consent flow's.
func TestAppsPageLoginThrottle(t *testing.T) {
	h, _ := newAppsHarness(t)
	b := newBrowser(t, h.srv.URL)
	p := b.get(issuerPath + AppsPath)
	for i := range maxFailures {
		p = b.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"wrong"}})
		want := http.StatusUnprocessableEntity
		if i == maxFailures-1 {
			want = http.StatusTooManyRequests
		}
		if p.Status != want {
			t.Fatalf("wrong password %d: %d, want %d", i+1, p.Status, want)
		}
	}
	p = b.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
	p.mustBe(t, http.StatusTooManyRequests, "locked")
	if wait := h.screens.throttle.wait("BCNCUser03"); wait <= 0 {
		t.Error("the consent flow's login does not see the lock")
	}
}

// TestAppsSessionExpires: a login to the apps page lasts 30 minutes of the
// sandbox clock.
func TestAppsSessionExpires(t *testing.T) {
	h, _ := newAppsHarness(t)
	b := newBrowser(t, h.srv.URL)
	b.submit(b.get(issuerPath+AppsPath), url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}}).mustBe(t, http.StatusOK, "Test App")
	b.get(issuerPath+AppsPath).mustBe(t, http.StatusOK, "Test App")
	h.clock.Advance(appsSessionLifetime)
	p := b.get(issuerPath + AppsPath)
	p.mustBe(t, http.StatusOK, "Log In")
	if strings.Contains(p.Body, "Test App") {
		t.Error("an expired session still lists the apps")
	}
}

// csrfOf is the csrf value of the page's form whose action field is action.
func (p *page) csrfOf(t *testing.T, action string) string {
	t.Helper()
	_, v := p.formWith(t, "action", action)
	return v.Get("csrf")
}
