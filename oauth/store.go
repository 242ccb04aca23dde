package oauth

import (
	"hash/maphash"
	"sync"
	"time"
)

const (
	// pruneEvery bounds how often the store sweeps out void records.
	pruneEvery = time.Minute
	// maxRecords bounds each of the store's two ledgers, spent values and
	// revocations. A record costs about 44 bytes (measured), so both
	// ledgers full hold some 9 MB.
	maxRecords = 100_000
	// issuedAtLeeway is how far ahead of the clock a value's iat may be,
	// for replicas whose real clocks differ a little (RFC 7519 §4.1.6
	// allows such leeway). Anything further ahead was minted while the
	// sandbox clock ran ahead and has since been set back.
	issuedAtLeeway = 5 * time.Second
)

// store remembers what self-contained values cannot say about themselves:
// which single-use values were spent and which tokens or grant families were
// revoked.
//
// Two clocks decide when a record may go. The sandbox clock (Config.Now)
// runs ahead of real time when the control API advances it and is set back
// on reset, but never reads earlier than real time. A record is forgotten
// only once the value it speaks of has expired on both clocks: then no
// setting of the sandbox clock can make that value valid again, so neither
// advancing, resetting nor advancing again revives a spent code or a revoked
// token. Values minted while the clock ran ahead are refused once it is set
// back (issuedLater), so they cannot outlive their lifetime either.
//
// Each ledger holds at most maxRecords. At the bound the oldest record goes,
// and its ledger's floor rises to when it was recorded: from then on every
// value minted (in real time) before the floor counts as spent, or revoked.
// The store fails closed, refusing its oldest values early rather than
// accepting one twice.
type store struct {
	now  func() time.Time // the sandbox clock
	wall func() time.Time // real time; the sandbox clock never reads earlier
	seed maphash.Seed
	max  int // records per ledger

	mu      sync.Mutex // guards spent, revoked, grants and pruned
	spent   ledger     // used codes, refresh tokens and consent handles
	revoked ledger     // revoked access tokens and grant families, and ended refresh tokens (refreshEndedID)
	grants  grantBook  // the live grants, for the members' apps page and the control API
	pruned  time.Time  // real time of the last sweep

	// replicas is the state shared with other replicas; nil when this
	// process is the only one (shared.go).
	replicas *replicas
}

// ledger is one kind of record, in the order recorded.
type ledger struct {
	byID  map[uint64]record
	order []uint64 // ids in the order recorded; evicted ones before head
	head  int
	floor int64 // real Unix ms: values minted before it count as recorded
}

// record is what the store keeps of one id.
type record struct {
	until int64 // Unix seconds: the value is void from then on
	added int64 // real Unix ms when recorded
}

func newStore(now, wall func() time.Time, max int) *store {
	return &store{
		now: now, wall: wall, seed: maphash.MakeSeed(), max: max,
		spent:   ledger{byID: map[uint64]record{}},
		revoked: ledger{byID: map[uint64]record{}},
		grants:  newGrantBook(maxGrants),
	}
}

// setFloor makes every value minted (real time) before t count as spent and
// revoked, as if the store had been full since then (Config.NotBefore).
func (s *store) setFloor(t time.Time) {
	if t.IsZero() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	floor := t.UnixMilli()
	s.spent.floor = max(s.spent.floor, floor)
	s.revoked.floor = max(s.revoked.floor, floor)
}

// key hashes an id to 64 bits, a third of a string key's memory. Ids are
// random 128-bit values and the seed is secret and per process, so a
// collision (which could only refuse a value, never admit one) has odds of
// about 2^-47 with a full ledger.
func (s *store) key(id string) uint64 { return maphash.String(s.seed, id) }

// spendResult is what spend found.
type spendResult int

const (
	spendFirst     spendResult = iota // the value's first use: now recorded
	spendAgain                        // the value was already used
	spendForgotten                    // minted before the floor: the store cannot tell, so refuses it
)

// spend records the single use of id, a value minted at minted (real Unix
// ms) that expires at until.
func (s *store) spend(id string, minted int64, until time.Time) spendResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	k := s.key(id)
	switch _, ok := s.spent.byID[k]; {
	case ok:
		return spendAgain
	case minted < s.spent.floor:
		return spendForgotten
	}
	s.spent.add(k, record{until: until.Unix(), added: s.wall().UnixMilli()}, s.max)
	return spendFirst
}

// isSpent reports whether id, minted at minted, was used or may have been.
func (s *store) isSpent(id string, minted int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.spent.byID[s.key(id)]
	return ok || minted < s.spent.floor
}

// revoke records that id (a token id or a grant family) is revoked until no
// token bearing it can be valid.
func (s *store) revoke(id string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	s.revokeLocked(id, until)
}

// revokeLocked is revoke with s.mu held.
func (s *store) revokeLocked(id string, until time.Time) {
	if s.voidLocked(until.Unix()) {
		return // nothing bearing id can be valid again: nothing to remember
	}
	k := s.key(id)
	if r, ok := s.revoked.byID[k]; ok {
		r.until = max(r.until, until.Unix())
		s.revoked.byID[k] = r
		return
	}
	s.revoked.add(k, record{until: until.Unix(), added: s.wall().UnixMilli()}, s.max)
}

// isRevoked reports whether a value minted at minted and bearing any of ids
// was revoked, or may have been.
func (s *store) isRevoked(minted int64, ids ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if minted < s.revoked.floor {
		return true
	}
	for _, id := range ids {
		if _, ok := s.revoked.byID[s.key(id)]; ok {
			return true
		}
	}
	return false
}

// voidLocked reports whether a value expiring at until (Unix seconds) has
// expired on both clocks, so that no setting of the sandbox clock can make
// it valid again.
func (s *store) voidLocked(until int64) bool {
	return until <= s.wall().Unix() && until <= s.now().Unix()
}

// pruneLocked forgets records whose values are void, at most once per
// pruneEvery of real time. s.mu must be held.
func (s *store) pruneLocked() {
	wall := s.wall()
	if wall.Sub(s.pruned) < pruneEvery {
		return
	}
	s.pruned = wall
	s.spent.sweep(s.voidLocked)
	s.revoked.sweep(s.voidLocked)
	s.grants.sweep(s.voidLocked)
}

// add records k, first making room by evicting the oldest records: each
// raises the floor past the time it was recorded, which is no earlier than
// its value was minted.
func (l *ledger) add(k uint64, r record, limit int) {
	for len(l.byID) >= limit && l.head < len(l.order) {
		old := l.order[l.head]
		l.head++
		if e, ok := l.byID[old]; ok {
			l.floor = max(l.floor, e.added+1)
			delete(l.byID, old)
		}
	}
	if l.head > len(l.order)/2 {
		l.order = append(l.order[:0], l.order[l.head:]...)
		l.head = 0
	}
	l.byID[k] = r
	l.order = append(l.order, k)
}

// sweep forgets every record whose value is void, keeping the order of the rest.
func (l *ledger) sweep(void func(until int64) bool) {
	kept := l.order[:0]
	for _, k := range l.order[l.head:] {
		r, ok := l.byID[k]
		switch {
		case !ok:
		case void(r.until):
			delete(l.byID, k)
		default:
			kept = append(kept, k)
		}
	}
	l.order, l.head = kept, 0
}

// size is the number of records held, for tests of pruning.
func (s *store) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.spent.byID) + len(s.revoked.byID)
}

// mintedNow is the real time to seal into a value as its Minted.
func (s *Server) mintedNow() int64 { return s.store.wall().UnixMilli() }

// issuedLater reports whether a value issued at iat (Unix seconds, sandbox
// clock) was issued later than now, beyond the leeway: it was minted while
// the sandbox clock ran ahead, and the clock has since been set back.
func issuedLater(iat int64, now time.Time) bool {
	return time.Unix(iat, 0).After(now.Add(issuedAtLeeway))
}
