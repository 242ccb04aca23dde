package consent

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

const (
	// maxFailures wrong passwords for one account within failureWindow lock
	// the account for coolDown.
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	coolDown      = 15 * time.Minute
	// maxTracked bounds the failure counters a flood of made-up usernames
	// can make. At the bound the stale counters go (at most once per
	// sweepEvery), then one arbitrary counter per new name: pushing out a
	// given account's counter takes some maxTracked failures for other
	// names, and wins at most maxFailures-1 more guesses.
	maxTracked = 10000
	sweepEvery = time.Minute
	// maxLocked bounds the exact lock table. Locks are kept apart from the
	// counters, so failures for other names can never push one out.
	maxLocked = 10000
	// overflowSlots are the fixed-size locks for names locked while the
	// lock table is full of live locks: a name locks its slot, by a hash
	// with a per-process seed. A name sharing a slot with a locked one is
	// locked too: past maxLocked live locks the throttle errs towards
	// refusing, never towards letting a locked account in.
	overflowSlots = 4096
)

// throttle counts wrong passwords per account, in this process, or for
// every replica in the store they share (shared).
type throttle struct {
	shared *sharedThrottle // nil: in this process
	now    func() time.Time
	seed   maphash.Seed
	// maxTracked and maxLocked bound the counters and the lock table
	// (the constants of the same names unless Config.Limits sets them).
	maxTracked, maxLocked int

	mu       sync.Mutex // guards every field below
	accounts map[string]*attempts
	swept    time.Time            // when makeRoom last swept stale counters
	unlocked time.Time            // when lock last swept ended locks
	locks    map[string]time.Time // locked account → locked until
	overflow []int64              // locked until, Unix ns, by overflowSlot; 0 when unused
}

// attempts is one account's failures in its current window.
type attempts struct {
	first time.Time // first failure of the current window
	count int
}

func newThrottle(now func() time.Time) *throttle {
	return newThrottleSized(now, maxTracked, maxLocked, overflowSlots)
}

// newThrottleSized is a throttle of other bounds than the constants' (Config.Limits).
func newThrottleSized(now func() time.Time, tracked, locked, slots int) *throttle {
	return &throttle{now: now, seed: maphash.MakeSeed(), maxTracked: tracked, maxLocked: locked,
		accounts: make(map[string]*attempts), locks: make(map[string]time.Time), overflow: make([]int64, max(slots, 1))}
}

// accountKey folds case so "bcncuser03" and "BCNCUser03" share one counter.
func accountKey(username string) string { return strings.ToLower(username) }

func (t *throttle) overflowSlot(key string) *int64 {
	return &t.overflow[maphash.String(t.seed, key)%uint64(len(t.overflow))]
}

// wait returns how long the account stays locked; 0 when it may try.
func (t *throttle) wait(username string) time.Duration {
	if t.shared != nil {
		return t.shared.wait(accountKey(username), t.now())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := accountKey(username)
	until := t.locks[key]
	if slot := *t.overflowSlot(key); slot != 0 && time.Unix(0, slot).After(until) {
		until = time.Unix(0, slot)
	}
	if !now.Before(until) {
		return 0
	}
	return until.Sub(now)
}

// fail records a wrong password and returns how long the account is now
// locked (0 when it is not yet). The caller checked wait first.
func (t *throttle) fail(username string) time.Duration {
	if t.shared != nil {
		return t.shared.fail(accountKey(username), t.now())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := accountKey(username)
	a, ok := t.accounts[key]
	if !ok || now.Sub(a.first) >= failureWindow {
		if !ok {
			t.makeRoom(now)
		}
		a = &attempts{first: now}
		t.accounts[key] = a
	}
	a.count++
	if a.count < maxFailures {
		return 0
	}
	delete(t.accounts, key) // the lock holds it now; failures after it start afresh
	t.lock(key, now.Add(coolDown), now)
	return coolDown
}

// lock locks key until then, in the lock table or, when that is full of
// live locks, in its overflow slot. Ended locks are swept out of a full
// table at most once per sweepEvery. The caller holds mu.
func (t *throttle) lock(key string, until, now time.Time) {
	if _, ok := t.locks[key]; !ok && len(t.locks) >= t.maxLocked && (now.Sub(t.unlocked) >= sweepEvery || now.Before(t.unlocked)) {
		t.unlocked = now
		for k, u := range t.locks {
			if !now.Before(u) {
				delete(t.locks, k)
			}
		}
	}
	if _, ok := t.locks[key]; ok || len(t.locks) < t.maxLocked {
		t.locks[key] = until
		return
	}
	slot := t.overflowSlot(key)
	*slot = max(*slot, until.UnixNano())
}

// makeRoom drops counters when the table is full: the stale ones, swept at
// most once per sweepEvery so that a flood of names does not pay for a
// full sweep with every failure, then an arbitrary one. Only counters go:
// locks live apart. The caller holds mu.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.accounts) < t.maxTracked {
		return
	}
	if now.Sub(t.swept) >= sweepEvery || now.Before(t.swept) {
		t.swept = now
		for k, a := range t.accounts {
			if now.Sub(a.first) >= failureWindow {
				delete(t.accounts, k)
			}
		}
	}
	for k := range t.accounts {
		if len(t.accounts) < t.maxTracked {
			return
		}
		delete(t.accounts, k)
	}
}

// succeed forgets an account's failures after a correct password.
func (t *throttle) succeed(username string) {
	if t.shared != nil {
		t.shared.succeed(accountKey(username))
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, accountKey(username))
}

// reset forgets every account's failures and ends every lock.
func (t *throttle) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.accounts)
	clear(t.locks)
	clear(t.overflow)
}

// sharedThrottle keeps the counters and locks in the store the replicas
// share, so that a member's wrong passwords count the same whichever
// replica they reach. The store's records expire by themselves (the
// counters after failureWindow, the locks after coolDown), so it needs
// none of the bounds above.
type sharedThrottle struct {
	store store.Store
	ns    string
}

// storeDownWait is how long an account counts as locked while the store
// cannot say whether it is: the throttle fails closed, asking the member
// to try again in a moment rather than letting a guess through unlimited.
const storeDownWait = 5 * time.Second

// share keeps t's state in shared under ns from now on.
func (t *throttle) share(shared store.Store, ns string) {
	t.shared = &sharedThrottle{store: shared, ns: ns}
}

var rule = store.Throttle{Max: maxFailures, Window: failureWindow, CoolDown: coolDown}

func (s *sharedThrottle) wait(key string, now time.Time) time.Duration {
	until, err := s.store.LoginLocked(context.Background(), s.ns, key)
	if err != nil {
		return storeDownWait
	}
	if !now.Before(until) {
		return 0
	}
	return until.Sub(now)
}

func (s *sharedThrottle) fail(key string, now time.Time) time.Duration {
	until, err := s.store.LoginFailed(context.Background(), s.ns, key, now, rule)
	switch {
	case err != nil:
		return storeDownWait
	case until.IsZero():
		return 0
	}
	return max(until.Sub(now), time.Millisecond)
}

func (s *sharedThrottle) succeed(key string) {
	// A failure to forget leaves the count to expire: never more lenient.
	_ = s.store.LoginSucceeded(context.Background(), s.ns, key)
}
