// Package store holds what the sandbox's replicas must agree on: which
// single-use values were spent, which tokens and grants were revoked, the
// login cool-downs, and what the control API set (armed faults with their
// remaining counts, the clock, member edits, workspaces). One Store serves
// every instance of a process; each instance (the root, each workspace)
// keeps its state under its own namespace.
//
// Memory is the contract in one process; Redis shares it between
// processes. A process with no other replica needs neither: its own
// bounded ledgers are the whole truth (package oauth, consent and control
// keep them), and the sandbox wires a Store only under --store redis://.
//
// Reads on the hot path (is this token revoked? does a fault match?) never
// ask the Store: each replica keeps a local copy and hears about every
// change through Subscribe. Operations that must be decided once across
// replicas (a code spent, a fault firing) ask the Store every time.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrUnavailable is what every operation returns, wrapped, when the store
// cannot be reached: the caller answers 503 and accepts nothing it would
// have to refuse had it known.
var ErrUnavailable = errors.New("the shared store is unreachable")

// ErrLimit is what ArmFault returns when limit faults are armed.
var ErrLimit = errors.New("limit reached")

// unavailable wraps the client's error as ErrUnavailable, naming the
// operation.
type unavailable struct {
	op  string
	err error
}

func (e *unavailable) Error() string {
	return fmt.Sprintf("%v (%s: %v); the sandbox answers again once it is back", ErrUnavailable, e.op, e.err)
}
func (e *unavailable) Is(target error) bool { return target == ErrUnavailable }
func (e *unavailable) Unwrap() error        { return e.err }

// Unavailable wraps err as ErrUnavailable for op, so that callers and
// tests can make the error a Store would.
func Unavailable(op string, err error) error { return &unavailable{op: op, err: err} }

// Store is the state replicas share. ns is an instance's namespace
// (Namespace): nothing of one namespace is seen in another.
type Store interface {
	// Spend records the single use of id until until (real time, when no
	// setting of the sandbox clock can make the value valid again) and
	// reports whether this call was its first use. Of any number of
	// concurrent calls for one id, across replicas, exactly one is first.
	Spend(ctx context.Context, ns, id string, until time.Time) (first bool, err error)
	// Spent reports whether id was spent.
	Spent(ctx context.Context, ns, id string) (bool, error)

	// Revoke records id revoked until until (real time), keeping the later
	// of two, and tells every replica (an Event of kind Revoked).
	Revoke(ctx context.Context, ns, id string, until time.Time) error
	// Revocations are the live revocations of ns, id → until.
	Revocations(ctx context.Context, ns string) (map[string]time.Time, error)

	// PutGrant records a member's grant (the family's record, rec) until
	// until, when its last token expires, replacing any record of family.
	PutGrant(ctx context.Context, ns, patient, family string, rec []byte, until time.Time) error
	// Grants are the member's recorded grants that have not expired.
	Grants(ctx context.Context, ns, patient string) ([][]byte, error)
	// DropGrant forgets family's grant.
	DropGrant(ctx context.Context, ns, family string) error

	// LoginFailed counts a wrong password for account at now (the sandbox
	// clock) under p and returns until when the account is now locked
	// (zero while it is not).
	LoginFailed(ctx context.Context, ns, account string, now time.Time, p Throttle) (time.Time, error)
	// LoginLocked returns until when account is locked; zero or past when
	// it is not.
	LoginLocked(ctx context.Context, ns, account string) (time.Time, error)
	// LoginSucceeded forgets account's failures.
	LoginSucceeded(ctx context.Context, ns, account string) error

	// ArmFault arms a fault, spec as the control API shows it, to fire
	// count times in all across replicas; ErrLimit when limit are armed.
	ArmFault(ctx context.Context, ns string, spec []byte, count, limit int) (int, error)
	// Faults are the armed faults, by id.
	Faults(ctx context.Context, ns string) ([]Fault, error)
	// FireFault takes one firing of fault id and returns how often it has
	// now fired; ok is false when it had none left (fired elsewhere, or
	// cleared). A fault fired out is disarmed.
	FireFault(ctx context.Context, ns string, id int) (fired int, ok bool, err error)
	// ClearFaults disarms every fault.
	ClearFaults(ctx context.Context, ns string) error

	// AdvanceClock moves ns's clock offset forward by d, unless that would
	// put it beyond limit, and returns the offset.
	AdvanceClock(ctx context.Context, ns string, d, limit time.Duration) (time.Duration, bool, error)
	// ClockOffset is ns's clock offset.
	ClockOffset(ctx context.Context, ns string) (time.Duration, error)

	// AppendEdit appends a member edit to ns's log, which every replica
	// applies in order, and returns its position (from 0).
	AppendEdit(ctx context.Context, ns string, edit []byte) (int64, error)
	// Edits are ns's edits from position from on.
	Edits(ctx context.Context, ns string, from int64) ([][]byte, error)

	// Reset sets ns's clock back to real time, disarms its faults and
	// forgets its member edits and login failures (POST /sandbox/reset).
	Reset(ctx context.Context, ns string) error

	// PutWorkspace records a workspace's settings; false, changing
	// nothing, when name is recorded already.
	PutWorkspace(ctx context.Context, name string, spec []byte) (bool, error)
	// Workspaces are the recorded workspaces, name → settings.
	Workspaces(ctx context.Context) (map[string][]byte, error)
	// DeleteWorkspace forgets a workspace's settings; false when there
	// were none.
	DeleteWorkspace(ctx context.Context, name string) (bool, error)

	// Floor is when ns's present life began: DeleteWorkspace sets it, and
	// a replica refuses every value minted before it in ns, which belonged
	// to the deleted workspace of that name. Zero when ns was never
	// deleted (or not within floorKeep).
	Floor(ctx context.Context, ns string) (time.Time, error)

	// Epoch is when the store's data began: its first use, or its
	// restart without persistence, which lost every record. A replica
	// refuses as spent and revoked every value minted before it, since it
	// cannot tell which were (fail closed).
	Epoch(ctx context.Context) (time.Time, error)

	// Subscribe calls h with every event of any replica, one at a time
	// and in the order published, and with an Event of kind Resync after
	// every (re)subscription, when h must reload what it keeps: events may
	// have been missed. A Resync h fails keeps the store from counting as
	// Live until a later one succeeds. It returns a function that stops
	// the calls.
	Subscribe(h func(Event) error) (stop func())
	// Live is nil while the replica hears every event; otherwise an error
	// wrapping ErrUnavailable: what the replica keeps may be stale.
	Live() error
	// Close stops the subscription and the client.
	Close() error
}

// Event is one change, published to every replica.
type Event struct {
	NS   string `json:"ns"`
	Kind Kind   `json:"kind"`
	// ID and Until are a Revoked event's id and until (Unix ms).
	ID    string `json:"id,omitempty"`
	Until int64  `json:"until,omitempty"`
	// Offset is a Clock event's offset, nanoseconds.
	Offset int64 `json:"offset,omitempty"`
}

// Kind says what an Event changed.
type Kind string

// The kinds of Event.
const (
	Revoked    Kind = "revoked"    // ID revoked until Until
	Faults     Kind = "faults"     // the armed faults changed: reload them
	Clock      Kind = "clock"      // the clock offset is now Offset
	Edits      Kind = "edits"      // an edit was appended: apply the new ones
	Reset      Kind = "reset"      // the instance was reset (Store.Reset)
	Workspaces Kind = "workspaces" // a workspace was recorded or deleted
	Resync     Kind = "resync"     // (re)subscribed: reload everything (NS is empty)
)

// Fault is one armed fault as the store keeps it.
type Fault struct {
	ID    int
	Spec  []byte
	Fired int
	Left  int
}

// Throttle is the login cool-down rule: Max wrong passwords within Window
// lock the account for CoolDown.
type Throttle struct {
	Max      int
	Window   time.Duration
	CoolDown time.Duration
}

// Namespace is the namespace of a workspace, or of the root for "".
// Workspace names start with a letter or digit, so "-" is no workspace's.
// floorKeep is how long a deleted workspace's floor is kept: longer than
// anything the sandbox mints stays valid (refresh tokens live 30 days), so
// no value of the earlier life outlives it.
const floorKeep = 31 * 24 * time.Hour

func Namespace(workspace string) string {
	if workspace == "" {
		return "-"
	}
	return workspace
}
