package oauth

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"
)

// twoClocks is real time the tests move by hand, and a sandbox clock that
// runs offset ahead of it, as the control API's clock does.
type twoClocks struct {
	mu     sync.Mutex
	wall   time.Time
	offset time.Duration
	tick   time.Duration // added to wall at every reading
}

func newTwoClocks() *twoClocks { return &twoClocks{wall: time.Now()} }

func (c *twoClocks) Wall() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(c.tick)
	return c.wall
}

func (c *twoClocks) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall.Add(c.offset)
}

// move advances real time by d and sets the sandbox clock's offset.
func (c *twoClocks) move(d, offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
	c.offset = offset
}

// serverOnClocks is a test server whose store and tokens read c.
func serverOnClocks(t *testing.T, c *twoClocks, records int) *Server {
	t.Helper()
	s := newServer(t, func(cfg *Config) { cfg.Now = c.Now })
	s.store = newStore(c.Now, c.Wall, records)
	return s
}

// TestClockSetBackRevivesNothing: a spent code, a rotated refresh token, a
// finished consent handle and a revoked access token stay refused after
// the sandbox clock runs 800 hours ahead, the store sweeps, and the clock is
// set back; and what was minted while the clock ran ahead is refused once
// it is set back.
func TestClockSetBackRevivesNothing(t *testing.T) {
	clocks := newTwoClocks()
	s := serverOnClocks(t, clocks, maxRecords)
	e := router(s)

	handle := startFlow(t, e, authorizeQuery(nil))
	code := approve(t, s, handle)
	first := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}
	tokens(t, postForm(e, IssuerPath+"/token", refresh, docsAuth))
	if w := postForm(e, IssuerPath+"/revoke", url.Values{"token": {first.AccessToken}}, docsAuth); w.Code != 200 {
		t.Fatalf("revoke: %d", w.Code)
	}

	clocks.move(2*pruneEvery, 800*time.Hour)
	aheadHandle := startFlow(t, e, authorizeQuery(nil))
	ahead := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(codeFor(t, s, e, authorizeQuery(nil))), nil)) // the store sweeps
	if n := s.store.size(); n < 5 {
		t.Errorf("after the sweep at +800 h the store holds %d records, want the 3 from before and 2 new", n)
	}
	clocks.move(0, 0) // POST /sandbox/reset

	t.Run("spent code", func(t *testing.T) {
		wantError(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil), 400, codeInvalidGrant)
	})
	t.Run("rotated refresh token", func(t *testing.T) {
		wantError(t, postForm(e, IssuerPath+"/token", refresh, docsAuth), 400, codeInvalidGrant)
	})
	t.Run("finished handle", func(t *testing.T) {
		if _, err := s.Finish(context.Background(), handle, decisionSelf()); err == nil {
			t.Error("a finished handle finished again")
		}
	})
	t.Run("revoked access token", func(t *testing.T) {
		if _, err := s.Lookup(context.Background(), first.AccessToken); err == nil {
			t.Error("Lookup accepted it")
		}
		if r := introspectAs(t, s, first.AccessToken, docsAuth); r["active"] != false {
			t.Errorf("introspection: %v", r)
		}
	})
	t.Run("minted ahead", func(t *testing.T) {
		if _, err := s.Lookup(context.Background(), ahead.AccessToken); err == nil {
			t.Error("Lookup accepted an access token minted 800 h ahead")
		}
		if r := introspectAs(t, s, ahead.RefreshToken, docsAuth); r["active"] != false {
			t.Errorf("introspection of a refresh token minted 800 h ahead: %v", r)
		}
		wantError(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ahead.RefreshToken}}, docsAuth), 400, codeInvalidGrant)
		if _, err := s.Describe(context.Background(), aheadHandle); err == nil {
			t.Error("Describe accepted a handle minted 800 h ahead")
		}
	})
	t.Run("back at +800 h the minted-ahead tokens work again", func(t *testing.T) {
		clocks.move(0, 800*time.Hour)
		if _, err := s.Lookup(context.Background(), ahead.AccessToken); err != nil {
			t.Errorf("Lookup: %v", err)
		}
		wantError(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil), 400, codeInvalidGrant)
	})
}

// TestStoreKeepsRecordsUntilVoidOnEveryClock: a record goes only once its
// value has expired on the real clock as well as the sandbox clock, and a
// revocation of something already void on both is not kept at all.
func TestStoreKeepsRecordsUntilVoidOnEveryClock(t *testing.T) {
	clocks := newTwoClocks()
	st := newStore(clocks.Now, clocks.Wall, 10)
	start := clocks.Wall()
	if st.spend("code", start.UnixMilli(), start.Add(codeTTL)) != spendFirst {
		t.Fatal("first spend refused")
	}
	st.revoke("family", start.Add(refreshTTL))

	clocks.move(2*pruneEvery, 800*time.Hour)
	st.spend("ahead", clocks.Wall().UnixMilli(), clocks.Now().Add(codeTTL)) // sweeps
	if got := st.size(); got != 3 {
		t.Fatalf("with the sandbox clock past every expiry but real time not, %d records, want 3", got)
	}
	clocks.move(0, 0)
	if st.spend("code", start.UnixMilli(), start.Add(codeTTL)) != spendAgain || !st.isRevoked(start.UnixMilli(), "family") {
		t.Fatal("a record was lost")
	}

	clocks.move(codeTTL, 0) // real time passes the code's expiry: void on both clocks
	st.spend("later", clocks.Wall().UnixMilli(), clocks.Now().Add(codeTTL))
	if st.isSpent("code", start.UnixMilli()) {
		t.Error("the spent code's record outlived its expiry on both clocks")
	}
	if !st.isRevoked(start.UnixMilli(), "family") || !st.isSpent("ahead", 0) {
		t.Error("records still needed were swept")
	}
	before := st.size()
	st.revoke("expired", clocks.Wall().Add(-time.Second))
	if st.size() != before {
		t.Error("a revocation of a token void on both clocks was kept")
	}
}

// TestStoreAtItsBoundRefusesTheOldest: each ledger holds at most its bound;
// past it the oldest records go, and every value minted before the newest
// one evicted is refused (spent, or revoked) rather than admitted again.
func TestStoreAtItsBoundRefusesTheOldest(t *testing.T) {
	const bound, n = 4, 10
	clocks := newTwoClocks()
	clocks.tick = time.Millisecond
	st := newStore(clocks.Now, clocks.Wall, bound)
	minted := make([]int64, n)
	for i := range n {
		minted[i] = clocks.Wall().UnixMilli()
		if st.spend(fmt.Sprint("spent", i), minted[i], clocks.Now().Add(refreshTTL)) != spendFirst {
			t.Fatalf("value %d refused on its first use", i)
		}
		st.revoke(fmt.Sprint("revoked", i), clocks.Now().Add(refreshTTL))
	}
	if len(st.spent.byID) != bound || len(st.revoked.byID) != bound {
		t.Fatalf("ledgers hold %d and %d records, want %d each", len(st.spent.byID), len(st.revoked.byID), bound)
	}
	for i := range n {
		evicted := i < n-bound
		want := spendAgain
		if evicted {
			want = spendForgotten
		}
		if got := st.spend(fmt.Sprint("spent", i), minted[i], clocks.Now().Add(refreshTTL)); got != want {
			t.Errorf("value %d used again: %v, want %v", i, got, want)
		}
		if !st.isRevoked(minted[i], fmt.Sprint("revoked", i)) {
			t.Errorf("revocation %d lost", i)
		}
	}
	fresh := clocks.Wall().UnixMilli()
	if st.spend("fresh", fresh, clocks.Now().Add(codeTTL)) != spendFirst || st.isRevoked(fresh, "fresh") {
		t.Error("a value minted after the floor was refused")
	}
}

// TestRotationFloodCannotReviveARefreshToken: a client rotating a refresh
// token past the store's bound pushes the first rotation's record out, yet
// the rotated token stays refused; the newest token and new flows work.
func TestRotationFloodCannotReviveARefreshToken(t *testing.T) {
	clocks := newTwoClocks()
	clocks.tick = time.Millisecond
	s := serverOnClocks(t, clocks, 8)
	e := router(s)
	first := docsTokens(t, s, e)
	rt := first.RefreshToken
	for range 20 {
		rt = tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, docsAuth)).RefreshToken
	}
	if n := len(s.store.spent.byID); n > 8 {
		t.Fatalf("%d spent records, bound 8", n)
	}
	wantError(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}, docsAuth), 400, codeInvalidGrant)
	tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, docsAuth))
	docsTokens(t, s, e)
}
