package consent

import (
	"hash/maphash"
	"sync"
	"time"
)

const (
	// maxFlows bounds the flows whose progress is remembered. A record
	// costs about 40 bytes, so a full ledger holds some 2 MB. At the bound
	// the oldest record goes: that flow's superseded states are accepted
	// again, which gains nothing that reopening the flow's start link (it
	// starts the screens over) does not.
	maxFlows = 50_000
	// stepsPruneEvery bounds how often void records are swept out.
	stepsPruneEvery = time.Minute
	// cookieLeeway is how far past now+flowLifetime a state's expiry may
	// be, for replicas whose real clocks differ a little. Further, the
	// state was made while the sandbox clock ran ahead and has since been
	// set back.
	cookieLeeway = 5 * time.Second
)

// stepOrder is each step's place in the flow; stepDone, after the last
// screen, marks a finished flow.
var stepOrder = map[string]int8{stepDisclaimer: 0, stepLogin: 1, stepRelation: 2, stepConsent: 3, stepDone: 4}

// stepLedger remembers the furthest step each flow has reached, so that a
// state a later step superseded, or a finished flow's, is refused: each
// step runs once.
//
// A record goes only once the flow's states have expired on the real clock
// as well as the sandbox clock, which may run ahead and be set back but
// never reads earlier than real time: no setting of the sandbox clock can
// then bring a superseded state back.
type stepLedger struct {
	now  func() time.Time // the sandbox clock
	wall func() time.Time // real time
	seed maphash.Seed
	max  int

	mu      sync.Mutex // guards the fields below
	reached map[uint64]progress
	order   []uint64 // flows in the order first recorded; evicted ones before head
	head    int
	pruned  time.Time // real time of the last sweep
}

// progress is one flow's furthest step and when its states expire.
type progress struct {
	step  int8
	until int64 // Unix seconds, the states' Expires
}

func newStepLedger(now, wall func() time.Time, max int) *stepLedger {
	return &stepLedger{now: now, wall: wall, seed: maphash.MakeSeed(), max: max, reached: map[uint64]progress{}}
}

// key hashes a flow id. Ids are random 128-bit values and the seed is
// secret: a collision, which could only refuse a step, has odds of about
// 2^-48 with a full ledger.
func (l *stepLedger) key(flowID string) uint64 { return maphash.String(l.seed, flowID) }

// superseded reports whether the flow has moved past step.
func (l *stepLedger) superseded(flowID, step string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.reached[l.key(flowID)]
	return ok && p.step > stepOrder[step]
}

// advance moves the flow from step from to step to, once: it reports false
// when another post of the same step got there first. until is when the
// flow's states expire.
func (l *stepLedger) advance(flowID, from, to string, until int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked()
	k := l.key(flowID)
	p, ok := l.reached[k]
	if ok && p.step > stepOrder[from] {
		return false
	}
	if !ok {
		l.makeRoomLocked()
		l.order = append(l.order, k)
	}
	l.reached[k] = progress{step: stepOrder[to], until: max(p.until, until)}
	return true
}

// makeRoomLocked evicts the oldest records while the ledger is full.
func (l *stepLedger) makeRoomLocked() {
	for len(l.reached) >= l.max && l.head < len(l.order) {
		delete(l.reached, l.order[l.head])
		l.head++
	}
	if l.head > len(l.order)/2 {
		l.order = append(l.order[:0], l.order[l.head:]...)
		l.head = 0
	}
}

// pruneLocked forgets flows whose states have expired on both clocks, at
// most once per stepsPruneEvery of real time.
func (l *stepLedger) pruneLocked() {
	wall := l.wall()
	if wall.Sub(l.pruned) < stepsPruneEvery {
		return
	}
	l.pruned = wall
	now := l.now().Unix()
	kept := l.order[:0]
	for _, k := range l.order[l.head:] {
		p, ok := l.reached[k]
		switch {
		case !ok:
		case p.until <= wall.Unix() && p.until <= now:
			delete(l.reached, k)
		default:
			kept = append(kept, k)
		}
	}
	l.order, l.head = kept, 0
}

// size is the number of flows remembered, for tests.
func (l *stepLedger) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reached)
}
