package consent

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// atLogin starts a flow and passes the disclaimer.
func atLogin(t *testing.T, b *browser) *page {
	t.Helper()
	p := b.start("h1")
	p = b.submit(p, nil)
	p.mustBe(t, http.StatusOK, "Log In")
	return p
}

// login posts credentials on a login page.
func login(b *browser, p *page, username, password string) *page {
	b.t.Helper()
	return b.submit(p, url.Values{"username": {username}, "password": {password}})
}

func TestWrongPasswordShowsLoginAgain(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := login(b, atLogin(t, b), "BCNCUser03", "nope")

	p.mustBe(t, http.StatusUnprocessableEntity, msgWrongPassword)
	_, v := p.form(t)
	if got := v.Get("username"); got != "BCNCUser03" {
		t.Errorf("username field %q, want it kept", got)
	}
	if got := v.Get("password"); got != "" {
		t.Errorf("password field %q, want it empty", got)
	}
	if !strings.Contains(p.Body, `aria-describedby="form-error"`) || !strings.Contains(p.Body, `id="form-error"`) {
		t.Error("the error is not linked to the fields with aria-describedby")
	}
	if calls := h.flow.calls(); len(calls) != 0 {
		t.Errorf("a wrong password reached Finish: %+v", calls)
	}
	// The step is unchanged: the right password on the re-shown form goes on.
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusOK, "Personal Representative")
}

func TestLoginNeedsBothFields(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	for _, tc := range [][2]string{{"", "BCNCPSWD03"}, {"BCNCUser03", ""}, {strings.Repeat("u", 101), "x"}, {"\xff", "x"}} {
		login(b, p, tc[0], tc[1]).mustBe(t, http.StatusUnprocessableEntity, `role="alert"`)
	}
}

func TestLoginHintPrefillsUsername(t *testing.T) {
	h := newHarness(t, Config{})
	h.flow.add("hint", Request{ClientID: "app-1", LoginHint: "BCNCUser05"})
	b := newBrowser(t, h.srv.URL)
	p := b.submit(b.start("hint"), nil)
	_, v := p.form(t)
	if got := v.Get("username"); got != "BCNCUser05" {
		t.Errorf("username field %q, want the login hint", got)
	}
}

func TestThrottle(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	for i := 1; i < maxFailures; i++ {
		p = login(b, p, "BCNCUser03", "wrong")
		p.mustBe(t, http.StatusUnprocessableEntity, msgWrongPassword)
	}
	p = login(b, p, "BCNCUser03", "wrong")
	p.mustBe(t, http.StatusTooManyRequests, "Try again in 15 minutes")

	// Locked: even the right password is refused, whatever the case of the name.
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusTooManyRequests, "Try again in 15 minutes")
	login(b, p, "bcncuser03", "x").mustBe(t, http.StatusTooManyRequests, "Too many attempts")
	h.clock.Advance(10*time.Minute + time.Second)
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusTooManyRequests, "Try again in 5 minutes")

	// Another account is not affected.
	other := newBrowser(t, h.srv.URL)
	login(other, atLogin(t, other), "BCNCUser04", "BCNCPSWD04").mustBe(t, http.StatusOK, "Personal Representative")

	// The control API's reset ends the cool-down at once.
	h.screens.ResetThrottle()
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusOK, "Personal Representative")
	if calls := h.flow.calls(); len(calls) != 0 {
		t.Errorf("Finish called: %+v", calls)
	}
}

func TestThrottleCoolDownEnds(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	for range maxFailures {
		p = login(b, p, "BCNCUser03", "wrong")
	}
	p.mustBe(t, http.StatusTooManyRequests, "Too many attempts")
	h.clock.Advance(coolDown)
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusOK, "Personal Representative")
}

func TestThrottleWindow(t *testing.T) {
	clock := newFakeClock()
	th := newThrottle(clock.Now)
	// Failures spread wider than the window never lock.
	for range 3 * maxFailures {
		if wait := th.fail("a"); wait != 0 {
			t.Fatalf("locked after failures %v apart", failureWindow/4+time.Second)
		}
		clock.Advance(failureWindow/4 + time.Second)
	}
	// A success forgets earlier failures.
	for range maxFailures - 1 {
		th.fail("b")
	}
	th.succeed("b")
	if wait := th.fail("b"); wait != 0 {
		t.Errorf("locked after a success and one failure: %v", wait)
	}
	// The fifth failure inside the window locks for coolDown.
	for range maxFailures - 2 {
		th.fail("b")
	}
	if wait := th.fail("b"); wait != coolDown {
		t.Errorf("fifth failure: wait %v, want %v", wait, coolDown)
	}
	if wait := th.wait("B"); wait != coolDown {
		t.Errorf("wait %v, want %v (case folded)", wait, coolDown)
	}
}

func TestThrottleBounded(t *testing.T) {
	th := newThrottle(newFakeClock().Now)
	for i := range maxTracked + 50 {
		th.fail(fmt.Sprintf("user%d", i))
	}
	if n := len(th.accounts); n != maxTracked {
		t.Errorf("tracking %d accounts, want %d", n, maxTracked)
	}
}

func TestTooManyAttemptsMessage(t *testing.T) {
	tests := []struct {
		wait time.Duration
		want string
	}{
		{15 * time.Minute, "Try again in 15 minutes."},
		{14*time.Minute + time.Second, "Try again in 15 minutes."},
		{time.Second, "Try again in 1 minute."},
	}
	for _, tt := range tests {
		if got := tooManyAttempts(tt.wait); !strings.HasSuffix(got, tt.want) {
			t.Errorf("tooManyAttempts(%v) = %q, want suffix %q", tt.wait, got, tt.want)
		}
	}
}
