package consent

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// restore puts a saved step cookie back in b's jar, as a member replaying
// an old request would.
func (b *browser) restore(c *http.Cookie) {
	u, _ := url.Parse(b.base + issuerPath + StartPath)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: issuerPath}})
}

// TestSupersededStepCookieRefused: once a step has moved the flow on, the
// cookie of that step, posted again with its own page's form, is refused
// with the flow's error page instead of running the step again; the flow
// itself goes on from its current cookie.
func TestSupersededStepCookieRefused(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	disclaimer := b.start("h1")
	disclaimerCookie := b.cookie()
	loginPage := b.submit(disclaimer, nil)
	loginPage.mustBe(t, http.StatusOK, "Log In")
	loginCookie := b.cookie()
	relation := login(b, loginPage, "BCNCUser03", "BCNCPSWD03")
	relation.mustBe(t, http.StatusOK, "Personal Representative")
	current := b.cookie()

	cases := []struct {
		name   string
		cookie *http.Cookie
		page   *page
		set    url.Values
	}{
		{"login step", loginCookie, loginPage, url.Values{"username": {"BCNCUser04"}, "password": {"BCNCPSWD04"}}},
		{"disclaimer step", disclaimerCookie, disclaimer, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b.restore(tc.cookie)
			b.submit(tc.page, tc.set).mustBe(t, http.StatusBadRequest, "Go back to your app")
		})
	}

	b.restore(current)
	consentPage := b.submit(relation, url.Values{"who": {"self"}})
	consentPage.mustBe(t, http.StatusOK, "I Agree")
	b.submit(consentPage, url.Values{"decision": {"agree"}}).mustBe(t, http.StatusSeeOther, "")
	if calls := h.flow.calls(); len(calls) != 1 || calls[0].Decision.Username != "BCNCUser03" {
		t.Errorf("Finish calls %+v, want one, as BCNCUser03", calls)
	}
}

// TestStepPostedTwiceAtOnceRunsOnce: two posts of one login form at the
// same moment (a double click) move the flow on once; the other is refused.
func TestStepPostedTwiceAtOnceRunsOnce(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	loginPage := atLogin(t, b)
	saved := b.cookie()
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		twin := newBrowser(t, h.srv.URL)
		twin.restore(saved)
		wg.Go(func() {
			statuses[i] = twin.submit(loginPage, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}}).Status
		})
	}
	wg.Wait()
	if !(statuses[0] == http.StatusOK && statuses[1] == http.StatusBadRequest) && !(statuses[0] == http.StatusBadRequest && statuses[1] == http.StatusOK) {
		t.Errorf("statuses %v, want one 200 and one 400", statuses)
	}
}

// TestStepCookieFromAheadRefused: a step cookie made while the sandbox
// clock ran 800 hours ahead is refused once the clock is set back, rather
// than living 800 hours longer than a flow may; and a superseded cookie
// stays refused however the clock moves.
func TestStepCookieFromAheadRefused(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	loginPage := atLogin(t, b)
	old := b.cookie()
	login(b, loginPage, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusOK, "Personal Representative")

	h.clock.Advance(800 * time.Hour)
	ahead := newBrowser(t, h.srv.URL)
	aheadLogin := atLogin(t, ahead)
	h.clock.Advance(-800 * time.Hour)
	login(ahead, aheadLogin, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusBadRequest, "Your sign-in has ended")

	b.restore(old)
	login(b, loginPage, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusBadRequest, "Go back to your app")
}

// TestStepLedgerKeepsProgressUntilVoidOnEveryClock: a flow's progress is
// kept while its cookies could be valid under some setting of the sandbox
// clock, so running the clock ahead and sweeping forgets nothing; it goes
// once real time too has passed the cookies' expiry; and the ledger keeps
// to its bound.
func TestStepLedgerKeepsProgressUntilVoidOnEveryClock(t *testing.T) {
	wall := time.Now()
	var offset time.Duration
	l := newStepLedger(func() time.Time { return wall.Add(offset) }, func() time.Time { return wall }, 4)
	if !l.advance("flow", stepDisclaimer, stepLogin, wall.Add(flowLifetime).Unix()) {
		t.Fatal("first advance refused")
	}
	wall, offset = wall.Add(2*stepsPruneEvery), 800*time.Hour
	l.advance("other", stepDisclaimer, stepLogin, wall.Add(offset+flowLifetime).Unix()) // sweeps
	offset = 0
	if !l.superseded("flow", stepDisclaimer) || l.advance("flow", stepDisclaimer, stepLogin, 0) {
		t.Fatal("the flow's progress was forgotten while its cookies could still be valid")
	}
	wall = wall.Add(flowLifetime)
	l.advance("third", stepDisclaimer, stepLogin, wall.Add(flowLifetime).Unix()) // sweeps
	if l.superseded("flow", stepDisclaimer) {
		t.Error("the flow's progress outlived its cookies on both clocks")
	}
	for i := range 10 {
		l.advance(string(rune('a'+i)), stepDisclaimer, stepLogin, wall.Add(flowLifetime).Unix())
	}
	if n := l.size(); n != 4 {
		t.Errorf("%d flows remembered, bound 4", n)
	}
	if !l.superseded("j", stepDisclaimer) {
		t.Error("the newest flow was evicted")
	}
}
