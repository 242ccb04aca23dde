package oauth

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	sharedstore "github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// replicas is what the store needs of the state replicas share
// (Config.Shared): the shared store decides every single use, and the
// replica keeps its own copy of the revocations, which every check of a
// token reads without a round trip, hearing of each new one from the
// store.
type replicas struct {
	shared sharedstore.Store
	ns     string
	// loaded is whether the revocations and the epoch were read since the
	// last (re)subscription: until they are, this replica's copy may lack
	// one, and what reads it answers 503.
	loaded atomic.Bool
	stop   func()
}

// share wires st to shared under ns: it hears every revocation, and
// reloads on every (re)subscription.
func (st *store) share(shared sharedstore.Store, ns string) {
	st.replicas = &replicas{shared: shared, ns: ns}
	st.replicas.stop = shared.Subscribe(st.hear)
	// Loaded now, not at the next Resync: one may be under way that began
	// before this subscribed. A failure leaves loaded false: 503 until the
	// next Resync.
	_ = st.resync()
}

// hear applies one event of the shared store.
func (st *store) hear(e sharedstore.Event) error {
	switch {
	case e.Kind == sharedstore.Resync:
		return st.resync()
	case e.Kind == sharedstore.Revoked && e.NS == st.replicas.ns:
		st.mu.Lock()
		st.revokeLocked(e.ID, time.UnixMilli(e.Until))
		st.mu.Unlock()
	}
	return nil
}

// resync reads the shared store's epoch, the namespace's floor and its
// revocations. Values minted before the epoch are refused: the store began,
// or lost its data, then, and cannot tell which of them were spent or
// revoked (fail closed). Values minted before the floor belong to a
// workspace of the same name deleted since.
func (st *store) resync() error {
	r := st.replicas
	r.loaded.Store(false)
	ctx := context.Background()
	epoch, err := r.shared.Epoch(ctx)
	if err != nil {
		return err
	}
	floor, err := r.shared.Floor(ctx, r.ns)
	if err != nil {
		return err
	}
	revs, err := r.shared.Revocations(ctx, r.ns)
	if err != nil {
		return err
	}
	st.setFloor(epoch)
	st.setFloor(floor) // a workspace deleted and made again: its earlier life's values
	st.mu.Lock()
	for id, until := range revs {
		st.revokeLocked(id, until)
	}
	st.mu.Unlock()
	r.loaded.Store(true)
	return nil
}

// live is nil when this replica's copy of the revocations is current.
func (st *store) live() error {
	r := st.replicas
	if r == nil {
		return nil
	}
	if err := r.shared.Live(); err != nil {
		return err
	}
	if !r.loaded.Load() {
		return sharedstore.Unavailable("revocations", fmt.Errorf("not yet reloaded"))
	}
	return nil
}

// spendShared is spend, decided by the shared store when there is one, so
// that of any replicas racing to spend one value exactly one succeeds.
func (st *store) spendShared(id string, minted int64, until time.Time) (spendResult, error) {
	r := st.replicas
	if r == nil {
		return st.spend(id, minted, until), nil
	}
	if err := st.live(); err != nil {
		return spendForgotten, err
	}
	st.mu.Lock()
	forgotten := minted < st.spent.floor
	st.mu.Unlock()
	if forgotten {
		return spendForgotten, nil
	}
	// The record may go once the value has expired on both clocks: the
	// sandbox clock never reads earlier than real time, so at until in
	// real time.
	first, err := r.shared.Spend(context.Background(), r.ns, id, until)
	switch {
	case err != nil:
		return spendForgotten, err
	case !first:
		return spendAgain, nil
	}
	return spendFirst, nil
}

// isSpentShared is isSpent, asking the shared store when there is one.
func (st *store) isSpentShared(id string, minted int64) (bool, error) {
	r := st.replicas
	if r == nil {
		return st.isSpent(id, minted), nil
	}
	if err := st.live(); err != nil {
		return true, err
	}
	st.mu.Lock()
	forgotten := minted < st.spent.floor
	st.mu.Unlock()
	if forgotten {
		return true, nil
	}
	spent, err := r.shared.Spent(context.Background(), r.ns, id)
	if err != nil {
		return true, err
	}
	return spent, nil
}

// isRevokedShared is isRevoked, from this replica's copy, which must be
// current.
func (st *store) isRevokedShared(minted int64, ids ...string) (bool, error) {
	if err := st.live(); err != nil {
		return true, err
	}
	return st.isRevoked(minted, ids...), nil
}

// refreshEndedShared is refreshEnded, from this replica's copy, which must
// be current.
func (st *store) refreshEndedShared(family string) (bool, error) {
	if err := st.live(); err != nil {
		return true, err
	}
	return st.refreshEnded(family), nil
}

// revokeShared records the revocation in the shared store, which tells
// every replica, and here at once.
func (st *store) revokeShared(id string, until time.Time) error {
	if r := st.replicas; r != nil {
		if err := r.shared.Revoke(context.Background(), r.ns, id, until); err != nil {
			return err
		}
	}
	st.revoke(id, until)
	return nil
}

// revokeFamilyShared is revokeFamily, told to every replica.
func (st *store) revokeFamilyShared(family string, until time.Time) error {
	if r := st.replicas; r != nil {
		if err := r.shared.Revoke(context.Background(), r.ns, family, until); err != nil {
			return err
		}
		if err := r.shared.DropGrant(context.Background(), r.ns, family); err != nil {
			return err
		}
	}
	st.revokeFamily(family, until)
	return nil
}

// tell records in the shared store revocations this replica made on its
// own (a grant ended or pushed out of the book), so every replica refuses
// them too.
func (st *store) tell(revs []revocation) error {
	r := st.replicas
	if r == nil {
		return nil
	}
	for _, rv := range revs {
		if err := r.shared.Revoke(context.Background(), r.ns, rv.id, rv.until); err != nil {
			return err
		}
	}
	return nil
}

// revocation is one revocation to tell the other replicas.
type revocation struct {
	id    string
	until time.Time
}

// Close stops hearing the shared store: the server is dropped (a
// forgotten workspace's).
func (s *Server) Close() {
	if r := s.store.replicas; r != nil {
		r.stop()
	}
}

// sharedGrant is a grantRecord as the shared store keeps it.
type sharedGrant struct {
	Family         string   `json:"family"`
	Patient        string   `json:"patient"`
	ClientID       string   `json:"client_id"`
	Username       string   `json:"username"`
	Scopes         []string `json:"scopes"`
	Representative string   `json:"representative,omitempty"`
	Granted        int64    `json:"granted"`
	Until          int64    `json:"until"`
	RefreshUntil   int64    `json:"refresh_until,omitempty"`
	RefreshEnded   bool     `json:"refresh_ended,omitempty"`
}

func toShared(g *grantRecord) sharedGrant {
	return sharedGrant{Family: g.family, Patient: g.patient, ClientID: g.clientID, Username: g.username, Scopes: g.scopes,
		Representative: g.representative, Granted: g.granted, Until: g.until, RefreshUntil: g.refreshUntil, RefreshEnded: g.refreshEnded}
}

func (g sharedGrant) record() grantRecord {
	return grantRecord{family: g.Family, patient: g.Patient, clientID: g.ClientID, username: g.Username, scopes: g.Scopes,
		representative: g.Representative, granted: g.Granted, until: g.Until, refreshUntil: g.RefreshUntil, refreshEnded: g.RefreshEnded}
}

// recordGrant records a new grant: in this replica's book, or for every
// replica in the shared store, which keeps it until its last token
// expires on both clocks (real time, as the sandbox clock never reads
// earlier).
func (st *store) recordGrant(g *grantRecord) error {
	r := st.replicas
	if r == nil {
		st.addGrant(g)
		return nil
	}
	return st.putGrant(g)
}

func (st *store) putGrant(g *grantRecord) error {
	r := st.replicas
	raw, err := json.Marshal(toShared(g))
	if err != nil {
		return err
	}
	return r.shared.PutGrant(context.Background(), r.ns, g.patient, g.family, raw, time.Unix(g.until, 0))
}

// grantsOf is liveGrants, from the shared store when there is one.
func (st *store) grantsOf(f grantFilter, now time.Time) ([]grantRecord, error) {
	r := st.replicas
	if r == nil {
		return st.liveGrants(f, now), nil
	}
	list, err := r.shared.Grants(context.Background(), r.ns, f.patient)
	if err != nil {
		return nil, err
	}
	var out []grantRecord
	for _, raw := range list {
		var sg sharedGrant
		if json.Unmarshal(raw, &sg) != nil {
			continue
		}
		g := sg.record()
		if f.picks(&g) && now.Unix() < g.until {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b grantRecord) int {
		return cmp.Or(cmp.Compare(a.granted, b.granted), cmp.Compare(a.family, b.family))
	})
	return out, nil
}

// endGrantsShared is endGrants for every replica: each grant's family is
// revoked in the shared store, then its record dropped.
func (st *store) endGrantsShared(f grantFilter) (int, error) {
	if st.replicas == nil {
		return len(st.endGrants(f)), nil
	}
	live, err := st.grantsOf(f, time.Unix(0, 0))
	if err != nil {
		return 0, err
	}
	for _, g := range live {
		if err := st.revokeFamilyShared(g.family, time.Unix(g.until, 0)); err != nil {
			return 0, err
		}
	}
	return len(live), nil
}

// endRefreshShared is endRefresh for every replica.
func (st *store) endRefreshShared(f grantFilter, now time.Time, ttl time.Duration) (int, error) {
	if st.replicas == nil {
		return len(st.endRefresh(f, now, ttl)), nil
	}
	live, err := st.grantsOf(f, time.Unix(0, 0))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, g := range live {
		if g.refreshUntil == 0 || g.refreshEnded || now.Unix() >= g.refreshUntil {
			continue
		}
		if err := st.revokeShared(refreshEndedID(g.family), time.Unix(g.refreshUntil, 0)); err != nil {
			return n, err
		}
		g.refreshEnded = true
		g.until = min(g.until, now.Add(ttl).Unix())
		if err := st.putGrant(&g); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
