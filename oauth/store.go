package oauth

import (
	"sync"
	"time"
)

// pruneEvery bounds how often the store sweeps out expired records.
const pruneEvery = time.Minute

// store remembers what self-contained tokens cannot say about themselves:
// which single-use values were spent and which tokens or grant families were
// revoked. Each record is kept until the value it speaks of has expired, so
// memory follows the live tokens, not the server's uptime.
type store struct {
	now func() time.Time

	mu      sync.Mutex           // guards spent, revoked and pruned
	spent   map[string]time.Time // ids of used codes, refresh tokens and consent handles → when they expire
	revoked map[string]time.Time // revoked token ids and grant families → when no token of theirs can be alive
	pruned  time.Time
}

func newStore(now func() time.Time) *store {
	return &store{now: now, spent: map[string]time.Time{}, revoked: map[string]time.Time{}}
}

// spend records the single use of id, which expires at until, and reports
// whether this was its first use.
func (s *store) spend(id string, until time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if _, ok := s.spent[id]; ok {
		return false
	}
	s.spent[id] = until
	return true
}

// revoke records that id (a token id or a grant family) is revoked until no
// token bearing it can still be valid.
func (s *store) revoke(id string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if until.After(s.revoked[id]) {
		s.revoked[id] = until
	}
}

// isRevoked reports whether any of ids was revoked.
func (s *store) isRevoked(ids ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if _, ok := s.revoked[id]; ok {
			return true
		}
	}
	return false
}

// pruneLocked forgets records whose values have expired, at most once per
// pruneEvery. s.mu must be held.
func (s *store) pruneLocked() {
	now := s.now()
	if now.Sub(s.pruned) < pruneEvery {
		return
	}
	s.pruned = now
	for id, until := range s.spent {
		if !now.Before(until) {
			delete(s.spent, id)
		}
	}
	for id, until := range s.revoked {
		if !now.Before(until) {
			delete(s.revoked, id)
		}
	}
}

// size is the number of records held, for tests of pruning.
func (s *store) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.spent) + len(s.revoked)
}

// isSpent reports whether id was used.
func (s *store) isSpent(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.spent[id]
	return ok
}
