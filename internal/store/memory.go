package store

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// Memory is a Store in one process: replicas that are instances in the
// same process (the tests' two sandboxes) share it as separate processes
// share Redis. Its records go when they are void, as Redis's do by their
// expiry; it has no bound of its own, as Redis has none but its memory.
type Memory struct {
	wall  func() time.Time // real time
	epoch time.Time

	mu         sync.Mutex
	spent      map[nsKey]time.Time
	revoked    map[string]map[string]time.Time
	logins     map[nsKey]login
	faults     map[string]*faultList
	clocks     map[string]time.Duration
	edits      map[string][][]byte
	workspaces map[string][]byte
	floors     map[string]time.Time // deleted workspaces' floors, by namespace
	grants     map[nsKey]grant      // by family
	byPatient  map[nsKey][]string   // families, by patient
	pruned     time.Time

	subMu    sync.Mutex // guards handlers and nextSub
	handlers map[int]func(Event) error
	nextSub  int
}

type nsKey struct{ ns, key string }

type grant struct {
	rec     []byte
	patient string
	until   time.Time
}

type login struct {
	first  time.Time
	count  int
	locked time.Time
}

type faultList struct {
	nextID int
	list   []Fault
}

// NewMemory returns an empty Memory on the real clock.
func NewMemory() *Memory { return newMemory(time.Now) }

func newMemory(wall func() time.Time) *Memory {
	return &Memory{
		wall: wall, epoch: wall(), spent: map[nsKey]time.Time{}, revoked: map[string]map[string]time.Time{},
		logins: map[nsKey]login{}, faults: map[string]*faultList{}, clocks: map[string]time.Duration{},
		edits: map[string][][]byte{}, workspaces: map[string][]byte{}, floors: map[string]time.Time{}, handlers: map[int]func(Event) error{},
		grants: map[nsKey]grant{}, byPatient: map[nsKey][]string{},
	}
}

var _ Store = (*Memory)(nil)

// pruneLocked forgets void records, at most once a minute.
func (m *Memory) pruneLocked(now time.Time) {
	if now.Sub(m.pruned) < time.Minute {
		return
	}
	m.pruned = now
	maps.DeleteFunc(m.spent, func(_ nsKey, until time.Time) bool { return !now.Before(until) })
	for _, r := range m.revoked {
		maps.DeleteFunc(r, func(_ string, until time.Time) bool { return !now.Before(until) })
	}
	maps.DeleteFunc(m.floors, func(_ string, at time.Time) bool { return now.Sub(at) > floorKeep })
}

// Spend implements Store.
func (m *Memory) Spend(_ context.Context, ns, id string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.wall()
	m.pruneLocked(now)
	k := nsKey{ns, id}
	if u, ok := m.spent[k]; ok && now.Before(u) {
		return false, nil
	}
	m.spent[k] = until
	return true, nil
}

// Spent implements Store.
func (m *Memory) Spent(_ context.Context, ns, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.spent[nsKey{ns, id}]
	return ok && m.wall().Before(u), nil
}

// Revoke implements Store.
func (m *Memory) Revoke(_ context.Context, ns, id string, until time.Time) error {
	m.mu.Lock()
	now := m.wall()
	m.pruneLocked(now)
	r := m.revoked[ns]
	if r == nil {
		r = map[string]time.Time{}
		m.revoked[ns] = r
	}
	if until.After(r[id]) {
		r[id] = until
	}
	until = r[id]
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Revoked, ID: id, Until: until.UnixMilli()})
	return nil
}

// Revocations implements Store.
func (m *Memory) Revocations(_ context.Context, ns string) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.wall()
	out := map[string]time.Time{}
	for id, u := range m.revoked[ns] {
		if now.Before(u) {
			out[id] = u
		}
	}
	return out, nil
}

// PutGrant implements Store.
func (m *Memory) PutGrant(_ context.Context, ns, patient, family string, rec []byte, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := nsKey{ns, family}
	if _, ok := m.grants[k]; !ok {
		pk := nsKey{ns, patient}
		m.byPatient[pk] = append(m.byPatient[pk], family)
	}
	m.grants[k] = grant{rec: slices.Clone(rec), patient: patient, until: until}
	return nil
}

// Grants implements Store.
func (m *Memory) Grants(_ context.Context, ns, patient string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.wall()
	pk := nsKey{ns, patient}
	var out [][]byte
	kept := m.byPatient[pk][:0]
	for _, family := range m.byPatient[pk] {
		g, ok := m.grants[nsKey{ns, family}]
		if !ok || !now.Before(g.until) {
			delete(m.grants, nsKey{ns, family})
			continue
		}
		kept = append(kept, family)
		out = append(out, slices.Clone(g.rec))
	}
	if len(kept) == 0 {
		delete(m.byPatient, pk)
	} else {
		m.byPatient[pk] = kept
	}
	return out, nil
}

// DropGrant implements Store.
func (m *Memory) DropGrant(_ context.Context, ns, family string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.grants, nsKey{ns, family}) // the patient's list drops it when next read
	return nil
}

// LoginFailed implements Store.
func (m *Memory) LoginFailed(_ context.Context, ns, account string, now time.Time, p Throttle) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := nsKey{ns, account}
	l := m.logins[k]
	if l.count == 0 || now.Sub(l.first) >= p.Window {
		l.first, l.count = now, 0
	}
	l.count++
	if l.count >= p.Max {
		l.first, l.count = time.Time{}, 0
		l.locked = now.Add(p.CoolDown)
	}
	m.logins[k] = l
	if l.count == 0 {
		return l.locked, nil
	}
	return time.Time{}, nil
}

// LoginLocked implements Store.
func (m *Memory) LoginLocked(_ context.Context, ns, account string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logins[nsKey{ns, account}].locked, nil
}

// LoginSucceeded implements Store.
func (m *Memory) LoginSucceeded(_ context.Context, ns, account string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := nsKey{ns, account}
	if l, ok := m.logins[k]; ok {
		l.first, l.count = time.Time{}, 0
		m.logins[k] = l
	}
	return nil
}

// ArmFault implements Store.
func (m *Memory) ArmFault(_ context.Context, ns string, spec []byte, count, limit int) (int, error) {
	m.mu.Lock()
	fl := m.faults[ns]
	if fl == nil {
		fl = &faultList{}
		m.faults[ns] = fl
	}
	if len(fl.list) >= limit {
		m.mu.Unlock()
		return 0, ErrLimit
	}
	fl.nextID++
	id := fl.nextID
	fl.list = append(fl.list, Fault{ID: id, Spec: slices.Clone(spec), Left: max(count, 1)})
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Faults})
	return id, nil
}

// Faults implements Store.
func (m *Memory) Faults(_ context.Context, ns string) ([]Fault, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fl := m.faults[ns]
	if fl == nil {
		return nil, nil
	}
	return slices.Clone(fl.list), nil
}

// FireFault implements Store.
func (m *Memory) FireFault(_ context.Context, ns string, id int) (int, bool, error) {
	m.mu.Lock()
	fl := m.faults[ns]
	if fl == nil {
		m.mu.Unlock()
		return 0, false, nil
	}
	i := slices.IndexFunc(fl.list, func(f Fault) bool { return f.ID == id })
	if i < 0 {
		m.mu.Unlock()
		return 0, false, nil
	}
	f := &fl.list[i]
	f.Fired++
	f.Left--
	fired, gone := f.Fired, f.Left <= 0
	if gone {
		fl.list = slices.Delete(fl.list, i, i+1)
	}
	m.mu.Unlock()
	if gone {
		m.publish(Event{NS: ns, Kind: Faults})
	}
	return fired, true, nil
}

// ClearFaults implements Store.
func (m *Memory) ClearFaults(_ context.Context, ns string) error {
	m.mu.Lock()
	if fl := m.faults[ns]; fl != nil {
		fl.list = nil
	}
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Faults})
	return nil
}

// AdvanceClock implements Store.
func (m *Memory) AdvanceClock(_ context.Context, ns string, d, limit time.Duration) (time.Duration, bool, error) {
	m.mu.Lock()
	off := m.clocks[ns]
	if d <= 0 || off > limit-d {
		m.mu.Unlock()
		return off, false, nil
	}
	off += d
	m.clocks[ns] = off
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Clock, Offset: int64(off)})
	return off, true, nil
}

// ClockOffset implements Store.
func (m *Memory) ClockOffset(_ context.Context, ns string) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clocks[ns], nil
}

// AppendEdit implements Store.
func (m *Memory) AppendEdit(_ context.Context, ns string, edit []byte) (int64, error) {
	m.mu.Lock()
	m.edits[ns] = append(m.edits[ns], slices.Clone(edit))
	n := int64(len(m.edits[ns]) - 1)
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Edits})
	return n, nil
}

// Edits implements Store.
func (m *Memory) Edits(_ context.Context, ns string, from int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	list := m.edits[ns]
	if from < 0 || from >= int64(len(list)) {
		return nil, nil
	}
	return slices.Clone(list[from:]), nil
}

// Reset implements Store.
func (m *Memory) Reset(_ context.Context, ns string) error {
	m.mu.Lock()
	delete(m.clocks, ns)
	delete(m.faults, ns)
	delete(m.edits, ns)
	maps.DeleteFunc(m.logins, func(k nsKey, _ login) bool { return k.ns == ns })
	m.mu.Unlock()
	m.publish(Event{NS: ns, Kind: Reset})
	return nil
}

// PutWorkspace implements Store.
func (m *Memory) PutWorkspace(_ context.Context, name string, spec []byte) (bool, error) {
	m.mu.Lock()
	if _, ok := m.workspaces[name]; ok {
		m.mu.Unlock()
		return false, nil
	}
	m.workspaces[name] = slices.Clone(spec)
	m.mu.Unlock()
	m.publish(Event{NS: name, Kind: Workspaces})
	return true, nil
}

// Workspaces implements Store.
func (m *Memory) Workspaces(context.Context) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.workspaces), nil
}

// DeleteWorkspace implements Store.
func (m *Memory) DeleteWorkspace(_ context.Context, name string) (bool, error) {
	m.mu.Lock()
	_, ok := m.workspaces[name]
	delete(m.workspaces, name)
	now := m.wall()
	m.pruneLocked(now)
	m.floors[Namespace(name)] = now
	m.mu.Unlock()
	// Told even when it was not recorded: a workspace made by its first
	// use is on the replicas all the same.
	m.publish(Event{NS: name, Kind: Workspaces})
	return ok, nil
}

// Floor implements Store.
func (m *Memory) Floor(_ context.Context, ns string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.floors[ns], nil
}

// Epoch implements Store: when the Memory was made.
func (m *Memory) Epoch(context.Context) (time.Time, error) { return m.epoch, nil }

// Subscribe implements Store. The handlers run on the publisher's
// goroutine, before the publishing call returns.
func (m *Memory) Subscribe(h func(Event) error) func() {
	m.subMu.Lock()
	defer m.subMu.Unlock()
	m.nextSub++
	id := m.nextSub
	m.handlers[id] = h
	return func() {
		m.subMu.Lock()
		defer m.subMu.Unlock()
		delete(m.handlers, id)
	}
}

func (m *Memory) publish(e Event) {
	m.subMu.Lock()
	hs := slices.Collect(maps.Values(m.handlers))
	m.subMu.Unlock()
	for _, h := range hs {
		_ = h(e) // only a Resync's error counts, and a Memory has none
	}
}

// Live implements Store: a Memory is always heard.
func (m *Memory) Live() error { return nil }

// Close implements Store.
func (m *Memory) Close() error { return nil }
