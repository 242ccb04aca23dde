package consent

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestLockSurvivesAFloodOfMadeUpNames: an account locked by five wrong
// passwords stays locked, the right password refused, after 30,000 failed
// logins with made-up usernames, three times the throttle's table. The
// failures of other names may push counters out, never a lock.
func TestLockSurvivesAFloodOfMadeUpNames(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	for range maxFailures {
		p = login(b, p, "BCNCUser03", "wrong")
	}
	p.mustBe(t, http.StatusTooManyRequests, "Too many attempts")

	for i := range 30_000 {
		h.screens.throttle.fail(fmt.Sprintf("nobody-%d", i))
	}
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusTooManyRequests, "Too many attempts")
	if n := len(h.screens.throttle.accounts); n > maxTracked {
		t.Errorf("%d counters, bound %d", n, maxTracked)
	}
}

// TestLocksPastTheTableStillHold: more accounts locked at once than the
// lock table holds all stay locked for their cool-down (the ones past the
// table in the fixed-size overflow), memory stays within both bounds, and
// the locks end when the cool-down does.
func TestLocksPastTheTableStillHold(t *testing.T) {
	clock := newFakeClock()
	th := newThrottle(clock.Now)
	const locked = maxLocked + 500
	for i := range locked {
		for range maxFailures {
			th.fail(fmt.Sprint("user-", i))
		}
	}
	if len(th.locks) > maxLocked || len(th.accounts) > maxTracked {
		t.Fatalf("%d locks and %d counters, bounds %d and %d", len(th.locks), len(th.accounts), maxLocked, maxTracked)
	}
	clock.Advance(coolDown - time.Second)
	for i := range locked {
		if th.wait(fmt.Sprint("USER-", i)) == 0 {
			t.Fatalf("user-%d is no longer locked", i)
		}
	}
	clock.Advance(time.Second)
	for i := range locked {
		if w := th.wait(fmt.Sprint("user-", i)); w != 0 {
			t.Fatalf("user-%d still locked for %v after the cool-down", i, w)
		}
	}
	if w := th.fail("user-0"); w != 0 {
		t.Errorf("after the cool-down one failure locks again: %v", w)
	}
}
