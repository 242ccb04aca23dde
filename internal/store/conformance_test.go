package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/bcbsnc-sandbox/sandbox/internal/store/storetest"
)

// stores are the implementations every conformance test runs against.
func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"memory": func(t *testing.T) store.Store { return store.NewMemory() },
		"redis": func(t *testing.T) store.Store {
			srv := storetest.Redis(t)
			r, err := store.NewRedis(srv.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			waitLive(t, r)
			return r
		},
	}
}

func waitLive(t *testing.T, s store.Store) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Live() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the store is not live after 5s: %v", s.Live())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func forEachStore(t *testing.T, test func(t *testing.T, s store.Store)) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { test(t, open(t)) })
	}
}

var ctx = context.Background()

func TestSpendOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		until := time.Now().Add(time.Hour)
		if first, err := s.Spend(ctx, "a", "code1", until); err != nil || !first {
			t.Fatalf("first spend = %v, %v; want true", first, err)
		}
		if first, err := s.Spend(ctx, "a", "code1", until); err != nil || first {
			t.Fatalf("second spend = %v, %v; want false", first, err)
		}
		if first, _ := s.Spend(ctx, "b", "code1", until); !first {
			t.Error("the same id in another namespace counts as spent")
		}
		if spent, _ := s.Spent(ctx, "a", "code1"); !spent {
			t.Error("Spent is false for a spent id")
		}
		if spent, _ := s.Spent(ctx, "a", "code2"); spent {
			t.Error("Spent is true for an unspent id")
		}
	})
}

// Of many concurrent spends of one id exactly one is first.
func TestSpendConcurrentExactlyOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		var firsts atomic.Int32
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if first, err := s.Spend(ctx, "a", "raced", time.Now().Add(time.Hour)); err == nil && first {
					firsts.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Fatalf("%d of 32 concurrent spends were first, want exactly 1", n)
		}
	})
}

func TestRevokeKeepsLaterAndPublishes(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		events := make(chan store.Event, 16)
		stop := s.Subscribe(func(e store.Event) error {
			if e.Kind == store.Revoked {
				events <- e
			}
			return nil
		})
		defer stop()
		later := time.Now().Add(2 * time.Hour).Truncate(time.Millisecond)
		if err := s.Revoke(ctx, "a", "tok", later); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, "a", "tok", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, "a", "void", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Revocations(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got["tok"].Equal(later) {
			t.Errorf("revocations = %v, want only tok until %v (the later, and no void one)", got, later)
		}
		if other, _ := s.Revocations(ctx, "b"); len(other) != 0 {
			t.Errorf("namespace b sees %v", other)
		}
		select {
		case e := <-events:
			if e.NS != "a" || e.ID != "tok" || e.Until != later.UnixMilli() {
				t.Errorf("event = %+v, want ns a, id tok, until %d", e, later.UnixMilli())
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no revocation event within 2s")
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	p := store.Throttle{Max: 3, Window: 15 * time.Minute, CoolDown: 10 * time.Minute}
	forEachStore(t, func(t *testing.T, s store.Store) {
		now := time.Now().Truncate(time.Millisecond)
		for i := range 2 {
			if until, err := s.LoginFailed(ctx, "a", "bcncuser03", now, p); err != nil || !until.IsZero() {
				t.Fatalf("failure %d locked until %v (%v); want no lock yet", i+1, until, err)
			}
		}
		if err := s.LoginSucceeded(ctx, "a", "bcncuser03"); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if until, _ := s.LoginFailed(ctx, "a", "bcncuser03", now, p); !until.IsZero() {
				t.Fatalf("failure %d after a success locked: the success did not forget the count", i+1)
			}
		}
		until, err := s.LoginFailed(ctx, "a", "bcncuser03", now, p)
		if err != nil || !until.Equal(now.Add(p.CoolDown)) {
			t.Fatalf("third failure: locked until %v (%v), want %v", until, err, now.Add(p.CoolDown))
		}
		if got, _ := s.LoginLocked(ctx, "a", "bcncuser03"); !got.Equal(until) {
			t.Errorf("LoginLocked = %v, want %v", got, until)
		}
		if got, _ := s.LoginLocked(ctx, "b", "bcncuser03"); !got.IsZero() {
			t.Errorf("namespace b is locked until %v", got)
		}
		// Failures a window apart do not add up.
		for i := range 3 {
			if until, _ := s.LoginFailed(ctx, "a", "other", now.Add(time.Duration(i)*p.Window), p); !until.IsZero() {
				t.Fatalf("failure %d, a window after the last, locked", i+1)
			}
		}
		if err := s.Reset(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.LoginLocked(ctx, "a", "bcncuser03"); !got.IsZero() {
			t.Errorf("after Reset locked until %v", got)
		}
	})
}

func TestFaultsFireTheArmedCountInAll(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		id, err := s.ArmFault(ctx, "a", []byte(`{"path":"/x"}`), 5, 10)
		if err != nil {
			t.Fatal(err)
		}
		var fired atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, ok, err := s.FireFault(ctx, "a", id); err == nil && ok {
					fired.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := fired.Load(); n != 5 {
			t.Fatalf("a fault armed for 5 fired %d times under 20 concurrent takers", n)
		}
		if list, _ := s.Faults(ctx, "a"); len(list) != 0 {
			t.Errorf("a fired-out fault is still armed: %+v", list)
		}
	})
}

func TestFaultsListLimitClear(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		first, _ := s.ArmFault(ctx, "a", []byte(`one`), 2, 2)
		second, _ := s.ArmFault(ctx, "a", []byte(`two`), 1, 2)
		if _, err := s.ArmFault(ctx, "a", []byte(`three`), 1, 2); !errors.Is(err, store.ErrLimit) {
			t.Errorf("a third fault at limit 2: err %v, want ErrLimit", err)
		}
		if fired, ok, _ := s.FireFault(ctx, "a", first); !ok || fired != 1 {
			t.Errorf("FireFault = %d, %v; want 1, true", fired, ok)
		}
		list, err := s.Faults(ctx, "a")
		if err != nil || len(list) != 2 || list[0].ID != first || string(list[0].Spec) != "one" || list[0].Fired != 1 || list[0].Left != 1 || list[1].ID != second {
			t.Fatalf("faults = %+v (%v); want one (fired 1, left 1) then two", list, err)
		}
		if err := s.ClearFaults(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Faults(ctx, "a"); len(list) != 0 {
			t.Errorf("after ClearFaults: %+v", list)
		}
		if _, ok, _ := s.FireFault(ctx, "a", second); ok {
			t.Error("a cleared fault fired")
		}
		if id, _ := s.ArmFault(ctx, "a", []byte(`four`), 1, 2); id <= second {
			t.Errorf("a fault armed after clearing reuses id %d", id)
		}
	})
}

func TestClockAdvanceLimitReset(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		events := make(chan store.Event, 16)
		stop := s.Subscribe(func(e store.Event) error {
			if e.Kind == store.Clock {
				events <- e
			}
			return nil
		})
		defer stop()
		const limit = 100 * 365 * 24 * time.Hour
		d := 99*365*24*time.Hour + time.Nanosecond // past 2^53 ns: the sum must stay exact
		off, ok, err := s.AdvanceClock(ctx, "a", d, limit)
		if err != nil || !ok || off != d {
			t.Fatalf("advance = %v, %v, %v; want %v", off, ok, err, d)
		}
		if off, ok, _ := s.AdvanceClock(ctx, "a", 2*365*24*time.Hour, limit); ok || off != d {
			t.Errorf("an advance past the limit: %v, %v; want refused at %v", off, ok, d)
		}
		if got, _ := s.ClockOffset(ctx, "a"); got != d {
			t.Errorf("offset = %v, want %v", got, d)
		}
		if got, _ := s.ClockOffset(ctx, "b"); got != 0 {
			t.Errorf("namespace b's offset = %v", got)
		}
		select {
		case e := <-events:
			if e.NS != "a" || time.Duration(e.Offset) != d {
				t.Errorf("event %+v, want ns a offset %d", e, d)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no clock event within 2s")
		}
		if err := s.Reset(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ClockOffset(ctx, "a"); got != 0 {
			t.Errorf("offset after Reset = %v", got)
		}
	})
}

func TestEditsLogInOrder(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		for i, e := range []string{"e0", "e1", "e2"} {
			if n, err := s.AppendEdit(ctx, "a", []byte(e)); err != nil || n != int64(i) {
				t.Fatalf("append %s = %d, %v; want position %d", e, n, err, i)
			}
		}
		got, err := s.Edits(ctx, "a", 1)
		if err != nil || len(got) != 2 || string(got[0]) != "e1" || string(got[1]) != "e2" {
			t.Fatalf("edits from 1 = %q, %v", got, err)
		}
		if err := s.Reset(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Edits(ctx, "a", 0); len(got) != 0 {
			t.Errorf("edits after Reset: %q", got)
		}
	})
}

func TestWorkspacesRecord(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		if ok, err := s.PutWorkspace(ctx, "ci-1", []byte(`{"name":"ci-1"}`)); err != nil || !ok {
			t.Fatalf("put = %v, %v", ok, err)
		}
		if ok, _ := s.PutWorkspace(ctx, "ci-1", []byte(`other`)); ok {
			t.Error("a second put of one name succeeded")
		}
		all, _ := s.Workspaces(ctx)
		if len(all) != 1 || string(all["ci-1"]) != `{"name":"ci-1"}` {
			t.Errorf("workspaces = %q", all)
		}
		if ok, _ := s.DeleteWorkspace(ctx, "ci-1"); !ok {
			t.Error("delete found nothing")
		}
		if ok, _ := s.DeleteWorkspace(ctx, "ci-1"); ok {
			t.Error("a second delete found it")
		}
	})
}

// TestFloorOfADeletedWorkspace: deleting a workspace sets its namespace's
// floor to the moment of deletion, which a later delete moves on; other
// namespaces keep none.
func TestFloorOfADeletedWorkspace(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		ns := store.Namespace("ci-floor")
		if f, err := s.Floor(ctx, ns); err != nil || !f.IsZero() {
			t.Fatalf("floor before any delete = %v, %v; want zero", f, err)
		}
		before := time.Now().Truncate(time.Millisecond)
		s.DeleteWorkspace(ctx, "ci-floor")
		first, err := s.Floor(ctx, ns)
		if err != nil || first.Before(before) || first.After(time.Now()) {
			t.Fatalf("floor after a delete = %v, %v; want between %v and now", first, err, before)
		}
		time.Sleep(3 * time.Millisecond)
		s.DeleteWorkspace(ctx, "ci-floor")
		if second, _ := s.Floor(ctx, ns); !second.After(first) {
			t.Errorf("a second delete left the floor at %v (first %v)", second, first)
		}
		if f, _ := s.Floor(ctx, store.Namespace("ci-other")); !f.IsZero() {
			t.Errorf("another namespace's floor = %v; want zero", f)
		}
	})
}

func TestEpochStable(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		a, err := s.Epoch(ctx)
		if err != nil || a.IsZero() || a.After(time.Now()) {
			t.Fatalf("epoch = %v, %v", a, err)
		}
		if b, _ := s.Epoch(ctx); !b.Equal(a) {
			t.Errorf("epoch moved from %v to %v", a, b)
		}
	})
}

// A Redis that stops makes every operation and Live fail with
// ErrUnavailable; once it is back (empty, as after a restart without
// persistence) the subscription comes back with a Resync and the epoch is
// later than the records lost.
func TestRedisOutageAndRecovery(t *testing.T) {
	srv := storetest.Redis(t)
	r, err := store.NewRedis(srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	waitLive(t, r)
	resyncs := make(chan struct{}, 8)
	r.Subscribe(func(e store.Event) error {
		if e.Kind == store.Resync {
			resyncs <- struct{}{}
		}
		return nil
	})
	before, _ := r.Epoch(ctx)
	srv.Stop()
	if _, err := r.Spend(ctx, "a", "x", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Spend with Redis down: %v, want ErrUnavailable", err)
	}
	if err := r.Revoke(ctx, "a", "x", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Revoke with Redis down: %v, want ErrUnavailable", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for r.Live() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Live still nil 3s after Redis stopped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(r.Live(), store.ErrUnavailable) {
		t.Errorf("Live = %v, want ErrUnavailable", r.Live())
	}
	time.Sleep(10 * time.Millisecond)
	srv.Start()
	waitLive(t, r)
	select {
	case <-resyncs:
	case <-time.After(time.Second):
		t.Error("no Resync after the subscription came back")
	}
	after, err := r.Epoch(ctx)
	if err != nil || !after.After(before) {
		t.Errorf("epoch after the restart = %v (%v), want later than %v", after, err, before)
	}
	if first, err := r.Spend(ctx, "a", "y", time.Now().Add(time.Hour)); err != nil || !first {
		t.Errorf("Spend after recovery = %v, %v", first, err)
	}
}

func TestGrantsByMember(t *testing.T) {
	forEachStore(t, func(t *testing.T, s store.Store) {
		hour := time.Now().Add(time.Hour)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.PutGrant(ctx, "a", "p1", "f1", []byte("one"), hour))
		must(s.PutGrant(ctx, "a", "p1", "f2", []byte("two"), hour.Add(time.Hour)))
		must(s.PutGrant(ctx, "a", "p2", "f3", []byte("three"), hour))
		must(s.PutGrant(ctx, "b", "p1", "f4", []byte("other namespace"), hour))
		must(s.PutGrant(ctx, "a", "p1", "f1", []byte("one, updated"), hour))
		got, err := s.Grants(ctx, "a", "p1")
		must(err)
		texts := make([]string, len(got))
		for i, g := range got {
			texts[i] = string(g)
		}
		slices.Sort(texts)
		if !slices.Equal(texts, []string{"one, updated", "two"}) {
			t.Fatalf("p1's grants = %q, want the updated f1 and f2", texts)
		}
		must(s.DropGrant(ctx, "a", "f1"))
		if got, _ := s.Grants(ctx, "a", "p1"); len(got) != 1 || string(got[0]) != "two" {
			t.Errorf("after dropping f1: %q", got)
		}
		if got, _ := s.Grants(ctx, "a", "nobody"); len(got) != 0 {
			t.Errorf("a member without grants has %q", got)
		}
	})
}
