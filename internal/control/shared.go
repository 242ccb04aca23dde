package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// replicated is the control API's state shared with the other replicas
// (Config.Shared): the armed faults and their remaining counts, the clock
// offset, and the member edits, in the order made. Each replica keeps its
// own copy, which the requests read, and hears of every change; a fault's
// firing is taken in the store, so a fault armed for N fires N times in
// all, whichever replicas the requests reach.
type replicated struct {
	shared store.Store
	ns     string
	stop   func()

	mu      sync.Mutex // guards applied and results; held while edits apply, so they apply in order
	applied int64      // edits of the log applied here
	results map[int64]editResult
}

// edit is one member edit as the log keeps it.
type edit struct {
	Op           string    `json:"op"` // "claim" or "touch"
	Patient      string    `json:"patient"`
	Type         string    `json:"type,omitempty"`
	ResourceType string    `json:"resourceType,omitempty"`
	ID           string    `json:"id,omitempty"`
	Now          time.Time `json:"now"`
}

type editResult struct {
	res json.RawMessage
	err error
}

// keptResults bounds the results of edits kept for the requests that made
// them, by position: a request waits for its own edit's only briefly.
const keptResults = 256

// share wires c to shared: it hears every change, and reloads on every
// (re)subscription.
func (c *Control) share(shared store.Store, ns string) {
	c.replicas = &replicated{shared: shared, ns: ns, results: map[int64]editResult{}}
	c.replicas.stop = shared.Subscribe(c.hear)
	// Loaded now, not at the next Resync: one may be under way that began
	// before this subscribed. A failure leaves the copy as it is until the
	// next Resync.
	_ = c.resync()
}

// Close stops hearing the shared store: the instance is dropped (a
// forgotten workspace's).
func (c *Control) Close() {
	if c.replicas != nil {
		c.replicas.stop()
	}
}

// hear applies one event of the shared store.
func (c *Control) hear(e store.Event) error {
	r := c.replicas
	if e.Kind == store.Resync {
		return c.resync()
	}
	if e.NS != r.ns {
		return nil
	}
	switch e.Kind {
	case store.Faults:
		return c.reloadFaults()
	case store.Clock:
		c.cfg.Clock.set(time.Duration(e.Offset))
	case store.Edits:
		_, err := c.syncEdits(-1)
		return err
	case store.Reset:
		c.resetHere()
		if err := c.reloadFaults(); err != nil {
			return err
		}
		_, err := c.syncEdits(-1)
		return err
	}
	return nil
}

// resync reloads everything: the faults, the clock, and the edits (from
// scratch when the log is shorter than what was applied: it was reset, or
// the store lost it).
func (c *Control) resync() error {
	r := c.replicas
	ctx := context.Background()
	if err := c.reloadFaults(); err != nil {
		return err
	}
	off, err := r.shared.ClockOffset(ctx, r.ns)
	if err != nil {
		return err
	}
	c.cfg.Clock.set(off)
	all, err := r.shared.Edits(ctx, r.ns, 0)
	if err != nil {
		return err
	}
	r.mu.Lock()
	short := int64(len(all)) < r.applied
	r.mu.Unlock()
	if short {
		c.resetHere()
	}
	_, err = c.syncEdits(-1)
	return err
}

// resetHere clears this replica's copy of what a reset clears.
func (c *Control) resetHere() {
	r := c.replicas
	c.cfg.Clock.Reset()
	r.mu.Lock()
	r.applied = 0
	clear(r.results)
	for _, f := range c.cfg.OnReset {
		f()
	}
	r.mu.Unlock()
}

func (c *Control) reloadFaults() error {
	r := c.replicas
	list, err := r.shared.Faults(context.Background(), r.ns)
	if err != nil {
		return err
	}
	faults := make([]*Fault, 0, len(list))
	for _, sf := range list {
		var f Fault
		if json.Unmarshal(sf.Spec, &f) != nil {
			continue
		}
		f.ID, f.Fired = sf.ID, sf.Fired
		faults = append(faults, &f)
	}
	c.faults.replace(faults)
	return nil
}

// replace sets the list to what the shared store holds.
func (fs *faults) replace(list []*Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = list
	fs.publishLocked()
}

// takeShared is take for replicas: the first matching fault that still has
// a firing left in the shared store fires.
func (c *Control) takeShared(method, path string) (Fault, bool, error) {
	r := c.replicas
	if !c.faults.mayMatch(method, path) {
		return Fault{}, false, nil
	}
	c.faults.mu.Lock()
	var candidates []Fault
	for _, f := range c.faults.list {
		if f.matches(method, path) {
			candidates = append(candidates, *f)
		}
	}
	c.faults.mu.Unlock()
	for _, f := range candidates {
		fired, ok, err := r.shared.FireFault(context.Background(), r.ns, f.ID)
		if err != nil {
			return Fault{}, false, err
		}
		// Fired out, here or on another replica: drop it here without
		// waiting to hear so from the store.
		c.faults.noteFired(f.ID, fired, !ok || fired >= f.Count)
		if ok {
			f.Fired = fired
			return f, true, nil
		}
	}
	return Fault{}, false, nil
}

// noteFired records that fault id has fired fired times, dropping it when
// it is gone.
func (fs *faults) noteFired(id, fired int, gone bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	i := slices.IndexFunc(fs.list, func(f *Fault) bool { return f.ID == id })
	if i < 0 {
		return
	}
	if gone {
		fs.list = slices.Delete(fs.list, i, i+1)
		fs.publishLocked()
		return
	}
	fs.list[i].Fired = max(fs.list[i].Fired, fired)
}

// appendEdit records e in the shared log and applies the log here up to
// it, returning e's result.
func (c *Control) appendEdit(e edit) (json.RawMessage, error) {
	r := c.replicas
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	pos, err := r.shared.AppendEdit(context.Background(), r.ns, raw)
	if err != nil {
		return nil, err
	}
	res, err := c.syncEdits(pos)
	if errors.Is(err, errEditGone) {
		return nil, fmt.Errorf("%w: the sandbox was reset while the edit was made; make it again", ErrConflict)
	}
	return res, err
}

var errEditGone = errors.New("edit result gone")

// syncEdits applies the edits of the log not yet applied here, in order,
// and returns the result of the one at position want (none when want < 0).
func (c *Control) syncEdits(want int64) (json.RawMessage, error) {
	r := c.replicas
	r.mu.Lock()
	defer r.mu.Unlock()
	list, err := r.shared.Edits(context.Background(), r.ns, r.applied)
	if err != nil {
		return nil, err
	}
	for _, raw := range list {
		var e edit
		res := editResult{err: fmt.Errorf("%w: the edit log holds an entry this sandbox cannot read", ErrInvalid)}
		if json.Unmarshal(raw, &e) == nil {
			res = c.applyEdit(e)
		}
		r.results[r.applied] = res
		delete(r.results, r.applied-keptResults)
		r.applied++
	}
	if want < 0 {
		return nil, nil
	}
	res, ok := r.results[want]
	if !ok {
		return nil, errEditGone
	}
	return res.res, res.err
}

// applyEdit makes one edit here, as the hooks do.
func (c *Control) applyEdit(e edit) editResult {
	var res editResult
	switch {
	case e.Op == "claim" && c.cfg.AddClaim != nil:
		res.res, res.err = c.cfg.AddClaim(e.Patient, e.Type, e.Now)
	case e.Op == "touch" && c.cfg.Touch != nil:
		res.res, res.err = c.cfg.Touch(e.Patient, e.ResourceType, e.ID, e.Now)
	default:
		res.err = fmt.Errorf("%w: unknown edit %q", ErrInvalid, e.Op)
	}
	return res
}

// unavailable answers an operation the shared store could not serve.
func unavailable(ctx echo.Context, err error) error {
	ctx.Response().Header().Set("Retry-After", "1")
	return problem(ctx, http.StatusServiceUnavailable, err.Error())
}
