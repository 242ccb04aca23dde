package consent

import (
	"strings"
	"sync"
	"time"
)

const (
	// maxFailures wrong passwords for one account within failureWindow lock
	// the account for coolDown.
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	coolDown      = 15 * time.Minute
	// maxTracked bounds the memory a flood of made-up usernames can take.
	maxTracked = 10000
)

// throttle counts wrong passwords per account, in this process only.
type throttle struct {
	now func() time.Time

	mu       sync.Mutex // guards accounts
	accounts map[string]*attempts
}

// attempts is one account's recent failures.
type attempts struct {
	first       time.Time // first failure of the current window
	count       int
	lockedUntil time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, accounts: make(map[string]*attempts)}
}

// accountKey folds case so "bcncuser03" and "BCNCUser03" share one counter.
func accountKey(username string) string { return strings.ToLower(username) }

// wait returns how long the account stays locked; 0 when it may try.
func (t *throttle) wait(username string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	a, ok := t.accounts[accountKey(username)]
	if !ok || !now.Before(a.lockedUntil) {
		return 0
	}
	return a.lockedUntil.Sub(now)
}

// fail records a wrong password and returns how long the account is now
// locked (0 when it is not yet).
func (t *throttle) fail(username string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := accountKey(username)
	a, ok := t.accounts[key]
	if !ok || now.Sub(a.first) >= failureWindow || (!a.lockedUntil.IsZero() && !now.Before(a.lockedUntil)) {
		t.makeRoom(now)
		a = &attempts{first: now}
		t.accounts[key] = a
	}
	a.count++
	if a.count >= maxFailures {
		a.lockedUntil = now.Add(coolDown)
		return coolDown
	}
	return 0
}

// makeRoom drops stale entries when the table is full, and if every entry is
// live, an arbitrary one: memory stays bounded at the cost of forgetting.
// The caller holds mu.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.accounts) < maxTracked {
		return
	}
	for k, a := range t.accounts {
		if now.Sub(a.first) >= failureWindow && !now.Before(a.lockedUntil) {
			delete(t.accounts, k)
		}
	}
	for k := range t.accounts {
		if len(t.accounts) < maxTracked {
			return
		}
		delete(t.accounts, k)
	}
}

// succeed forgets an account's failures after a correct password.
func (t *throttle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, accountKey(username))
}

// reset forgets every account's failures.
func (t *throttle) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.accounts)
}
