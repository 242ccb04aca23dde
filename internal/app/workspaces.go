package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/internal/control"
	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// A workspace is a whole sandbox under {base}/w/{name}/: its own issuer,
// FHIR base, discovery, JWKS, consent screens, debugger and control API,
// and its own clock, faults, member edits, request log, spent codes,
// rotations, revocations, grants and login cool-downs. Its codes, tokens
// and cookies are sealed with keys derived for its name, so no other
// workspace (nor the root) opens them. It reads the members the root has
// built, laying its own edits over them, and shares the root's cache of
// rendered pages, whose keys hold the base URL.
//
// A workspace is made on first use of its path, or by POST
// /sandbox/workspaces with its own profile, auto-approve user and token
// lifetime. At most Config.Workspaces exist at once: past that, a new one
// is refused with 409 (after idle ones are forgotten), never made by
// dropping one in use. One unused for the idle time is forgotten with
// everything in it; if its name is used again, it starts afresh, and what
// its earlier life minted is refused (oauth.Config.NotBefore), so nothing
// spent or revoked there comes back.

// workspacePrefix is where workspaces live below the base URL.
const workspacePrefix = "/w/"

// maxWorkspaceName is the longest workspace name: a CI job's name and run
// number fit, and a path stays short.
const maxWorkspaceName = 40

// maxForgottenNames bounds the names remembered with when they were
// forgotten (forgottenNames).
const maxForgottenNames = 10_000

// sweepIdleEvery bounds how often a request looks for idle workspaces.
const sweepIdleEvery = time.Minute

// workspaceNameProblem says what is wrong with name, or "" when it is a
// workspace name: 1 to 40 of a-z, 0-9, - and _, starting with a letter or
// digit. One spelling per name, safe in a path, a key label and a cookie path.
func workspaceNameProblem(name string) string {
	const rule = "a workspace name is 1 to 40 characters of a-z, 0-9, - and _, starting with a letter or digit"
	if name == "" || len(name) > maxWorkspaceName {
		return rule
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			return rule
		}
	}
	return ""
}

// workspaces is the set of workspaces of one sandbox.
type workspaces struct {
	sh   *shared
	max  int
	idle time.Duration // on the real clock: idleness is not a workspace clock's
	// errs answers serve's own refusals in the shape of the path
	// inside the workspace, in the root's profile.
	errs *httperr.Writer

	mu        sync.RWMutex // guards byName and forgotten
	byName    map[string]*workspace
	forgotten forgottenNames
	swept     atomic.Int64 // real Unix ns of the last look for idle workspaces
	// shared, under --store redis, records the workspaces made by POST
	// /sandbox/workspaces with their settings, so that every replica makes
	// them alike on their first use there, and tells every replica of a
	// deletion. Nil when this process is the only replica.
	shared store.Store
}

// workspace is one live workspace.
type workspace struct {
	in       instance
	created  time.Time
	lastUsed atomic.Int64 // real Unix ns
	handler  http.Handler
	close    func() // stops it hearing the shared store
}

func newWorkspaces(sh *shared, max int, idle time.Duration) *workspaces {
	ws := &workspaces{
		sh: sh, max: max, idle: idle, shared: sh.store,
		errs:      httperr.New(httperr.Config{Profile: sh.cfg.Profile, IssuerPath: oauth.IssuerPath, FHIRPath: fhir.BasePath}),
		byName:    map[string]*workspace{},
		forgotten: forgottenNames{at: map[string]time.Time{}},
	}
	if ws.shared != nil {
		ws.shared.Subscribe(ws.hear)
	}
	return ws
}

// hear forgets a workspace another replica deleted.
func (ws *workspaces) hear(e store.Event) error {
	if e.Kind != store.Workspaces {
		return nil
	}
	specs, err := ws.shared.Workspaces(context.Background())
	if err != nil {
		return nil // what is kept here stays until the next event
	}
	if _, ok := specs[e.NS]; ok {
		return nil // made: each replica makes it on first use
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if _, ok := ws.byName[e.NS]; ok {
		ws.forgetLocked(e.NS, time.Now())
	}
	return nil
}

// recorded is the settings another replica made name with, if any.
func (ws *workspaces) recorded(name string) (control.WorkspaceSpec, bool, error) {
	if ws.shared == nil {
		return control.WorkspaceSpec{}, false, nil
	}
	specs, err := ws.shared.Workspaces(context.Background())
	if err != nil {
		return control.WorkspaceSpec{}, false, err
	}
	raw, ok := specs[name]
	if !ok {
		return control.WorkspaceSpec{}, false, nil
	}
	var spec control.WorkspaceSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return control.WorkspaceSpec{}, false, nil
	}
	spec.Name = name
	return spec, true, nil
}

// serve answers every path under workspacePrefix (the root's route for
// them) with its workspace's router, the prefix stripped, so that each
// package routes, shapes its errors and matches faults as at the root, and
// names the prefix through its base URL. The root's router has logged the
// request by its full path; the root's control API leaves it to the
// workspace's (control.Config.Delegated).
func (ws *workspaces) serve(c echo.Context) error {
	r := c.Request()
	rest, _ := strings.CutPrefix(r.URL.Path, workspacePrefix)
	name, sub, _ := strings.Cut(rest, "/")
	inner := r.Clone(r.Context())
	inner.URL.Path, inner.URL.RawPath = "/"+sub, ""
	if msg := workspaceNameProblem(name); msg != "" {
		return ws.refuse(c, inner, http.StatusNotFound, "no workspace "+quoteName(name)+": "+msg)
	}
	if raw := r.URL.RawPath; raw != "" {
		// The name itself spelled with escapes would be a second spelling
		// of it; the rest keeps its own (an id with %2F).
		rawSub, ok := strings.CutPrefix(raw, workspacePrefix+name)
		if !ok || rawSub != "" && rawSub[0] != '/' {
			return ws.refuse(c, inner, http.StatusNotFound, "spell the workspace name in the path without escapes: "+workspacePrefix+name)
		}
		if rawSub == "" {
			rawSub = "/"
		}
		inner.URL.RawPath = rawSub
	}
	w, err := ws.use(name)
	switch {
	case errors.Is(err, store.ErrUnavailable):
		c.Response().Header().Set("Retry-After", "1")
		return ws.refuse(c, inner, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, control.ErrLimit):
		return ws.refuse(c, inner, http.StatusConflict, strings.TrimPrefix(err.Error(), control.ErrLimit.Error()+": "))
	case err != nil:
		return err
	}
	w.handler.ServeHTTP(c.Response(), inner)
	return nil
}

// refuse answers a workspace path no workspace can serve, in the shape of
// the path inside the workspace.
func (ws *workspaces) refuse(c echo.Context, inner *http.Request, status int, msg string) error {
	return ws.errs.Write(c.Response(), inner, httperr.Error{Status: status, Message: msg})
}

// quoteName quotes a name from a path for a message, cut short.
func quoteName(s string) string { return fmt.Sprintf("%q", truncate(s, 60)) }

// use returns the workspace name, made on first use, and marks it used.
func (ws *workspaces) use(name string) (*workspace, error) {
	now := time.Now()
	if last := ws.swept.Load(); now.UnixNano()-last >= int64(sweepIdleEvery) && ws.swept.CompareAndSwap(last, now.UnixNano()) {
		ws.mu.Lock()
		ws.forgetIdleLocked(now)
		ws.mu.Unlock()
	}
	ws.mu.RLock()
	w := ws.byName[name]
	ws.mu.RUnlock()
	if w == nil {
		// Made on another replica with settings of its own: alike here.
		spec, _, err := ws.recorded(name)
		if err != nil {
			return nil, err
		}
		spec.Name = name
		if w, err = ws.create(spec, false); err != nil {
			return nil, err
		}
	}
	w.lastUsed.Store(now.UnixNano())
	return w, nil
}

// create makes the workspace spec describes. explicit (the control call)
// refuses a name already in use; a first use takes the one there is.
func (ws *workspaces) create(spec control.WorkspaceSpec, explicit bool) (*workspace, error) {
	if msg := workspaceNameProblem(spec.Name); msg != "" {
		return nil, fmt.Errorf("%w: name %s: %s", control.ErrInvalid, quoteName(spec.Name), msg)
	}
	in, err := ws.settings(spec)
	if err != nil {
		return nil, err
	}
	if explicit && ws.shared != nil {
		raw, err := json.Marshal(spec)
		if err != nil {
			return nil, err
		}
		made, err := ws.shared.PutWorkspace(context.Background(), spec.Name, raw)
		if err != nil {
			return nil, err
		}
		if !made {
			return nil, fmt.Errorf("%w: workspace %q exists (made by a call on this or another replica); DELETE /sandbox/workspaces/%s first to make it again with other settings",
				control.ErrConflict, spec.Name, spec.Name)
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if w, ok := ws.byName[spec.Name]; ok {
		if explicit {
			return nil, fmt.Errorf("%w: workspace %q exists (made by its first use or an earlier call); DELETE /sandbox/workspaces/%s first to make it again with other settings",
				control.ErrConflict, spec.Name, spec.Name)
		}
		return w, nil
	}
	now := time.Now()
	if len(ws.byName) >= ws.max {
		ws.forgetIdleLocked(now)
	}
	if len(ws.byName) >= ws.max {
		return nil, fmt.Errorf("%w: the sandbox keeps at most %d workspaces (--workspaces) and every one was used in the last %s: DELETE /sandbox/workspaces/{name} one, or wait until one has been idle that long",
			control.ErrLimit, ws.max, ws.idle)
	}
	in.catalog = ws.sh.catalog.Overlay(workspaceEditedMembers, workspaceEdits)
	if ws.shared == nil {
		// Alone, a forgotten workspace's records went with it. Replicas
		// keep them in the shared store, and one replica forgetting an
		// idle workspace must not refuse what the others still serve.
		in.notBefore = ws.forgotten.since(spec.Name)
	}
	wired, err := ws.sh.wire(in)
	if err != nil {
		return nil, err
	}
	w := &workspace{in: in, created: now, handler: wired.echo, close: wired.close}
	w.lastUsed.Store(now.UnixNano())
	ws.byName[spec.Name] = w
	return w, nil
}

// settings are spec's settings over the sandbox's own.
func (ws *workspaces) settings(spec control.WorkspaceSpec) (instance, error) {
	cfg := ws.sh.cfg
	in := instance{name: spec.Name, profile: cfg.Profile, autoApprove: cfg.AutoApprove, tokenTTL: cfg.TokenTTL}
	if spec.Profile != nil {
		p, err := profile.Parse(*spec.Profile)
		if err != nil {
			return in, fmt.Errorf("%w: profile: %v", control.ErrInvalid, err)
		}
		in.profile = p
	}
	if spec.AutoApprove != nil {
		in.autoApprove = *spec.AutoApprove
		if _, ok := ws.sh.catalog.Identity(in.autoApprove); in.autoApprove != "" && !ok {
			return in, fmt.Errorf("%w: auto_approve: no account %s", control.ErrInvalid, quoteName(in.autoApprove))
		}
	}
	if spec.TokenTTL != nil {
		d, err := time.ParseDuration(*spec.TokenTTL)
		if err != nil || d < time.Second || d > maxWorkspaceTokenTTL {
			return in, fmt.Errorf("%w: token_ttl must be a Go duration from 1s to %s, such as \"5m\"", control.ErrInvalid, maxWorkspaceTokenTTL)
		}
		in.tokenTTL = d
	}
	return in, nil
}

// maxWorkspaceTokenTTL is the longest access-token lifetime a workspace
// may ask for: the refresh tokens' 30 days.
const maxWorkspaceTokenTTL = 30 * 24 * time.Hour

// forgetIdleLocked forgets every workspace unused for the idle time. ws.mu
// must be held.
func (ws *workspaces) forgetIdleLocked(now time.Time) {
	for name, w := range ws.byName {
		if now.Sub(time.Unix(0, w.lastUsed.Load())) >= ws.idle {
			ws.forgetLocked(name, now)
		}
	}
}

// forgetLocked drops a workspace and notes when. ws.mu must be held.
func (ws *workspaces) forgetLocked(name string, now time.Time) {
	if w := ws.byName[name]; w != nil && w.close != nil {
		w.close()
	}
	delete(ws.byName, name)
	ws.forgotten.add(name, now)
}

// info describes w for r's base URL.
func (ws *workspaces) info(r *http.Request, w *workspace) control.WorkspaceInfo {
	base := ws.sh.base(r) + w.in.prefix()
	last := time.Unix(0, w.lastUsed.Load()).UTC()
	return control.WorkspaceInfo{
		Name:           w.in.name,
		Profile:        w.in.profile.String(),
		AutoApprove:    w.in.autoApprove,
		TokenTTL:       w.in.tokenTTL.String(),
		BaseURL:        base,
		Issuer:         base + oauth.IssuerPath,
		FHIRBase:       base + fhir.BasePath,
		Created:        w.created.UTC(),
		LastUsed:       last,
		ForgottenAfter: last.Add(ws.idle),
	}
}

// List implements control.Workspaces. Under --store redis it makes here
// first the workspaces other replicas were asked to make.
func (ws *workspaces) List(r *http.Request) []control.WorkspaceInfo {
	if ws.shared != nil {
		if specs, err := ws.shared.Workspaces(r.Context()); err == nil {
			for name := range specs {
				_, _ = ws.use(name)
			}
		}
	}
	ws.mu.Lock()
	ws.forgetIdleLocked(time.Now())
	list := make([]*workspace, 0, len(ws.byName))
	for _, w := range ws.byName {
		list = append(list, w)
	}
	ws.mu.Unlock()
	slices.SortFunc(list, func(a, b *workspace) int { return strings.Compare(a.in.name, b.in.name) })
	out := make([]control.WorkspaceInfo, len(list))
	for i, w := range list {
		out[i] = ws.info(r, w)
	}
	return out
}

// Get implements control.Workspaces. Asking about a workspace does not
// count as using it.
func (ws *workspaces) Get(r *http.Request, name string) (control.WorkspaceInfo, bool) {
	ws.mu.RLock()
	w, ok := ws.byName[name]
	ws.mu.RUnlock()
	if !ok {
		// Under --store redis another replica may have made it: it is
		// made here alike (and so counts as used).
		if _, recorded, err := ws.recorded(name); err != nil || !recorded {
			return control.WorkspaceInfo{}, false
		}
		var err error
		if w, err = ws.use(name); err != nil {
			return control.WorkspaceInfo{}, false
		}
	}
	return ws.info(r, w), true
}

// Create implements control.Workspaces.
func (ws *workspaces) Create(r *http.Request, spec control.WorkspaceSpec) (control.WorkspaceInfo, error) {
	w, err := ws.create(spec, true)
	if err != nil {
		return control.WorkspaceInfo{}, err
	}
	return ws.info(r, w), nil
}

// Delete implements control.Workspaces. Under --store redis every replica
// forgets it, and its clock, faults, edits and login cool-downs go.
func (ws *workspaces) Delete(name string) (bool, error) {
	// Whether it is here is read first: telling the other replicas below
	// also tells this one, which forgets it on hearing.
	ws.mu.RLock()
	_, here := ws.byName[name]
	ws.mu.RUnlock()
	recorded := false
	if ws.shared != nil {
		var err error
		if recorded, err = ws.shared.DeleteWorkspace(context.Background(), name); err != nil {
			return false, err
		}
		if err := ws.shared.Reset(context.Background(), store.Namespace(name)); err != nil {
			return false, err
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if _, ok := ws.byName[name]; ok {
		ws.forgetLocked(name, time.Now())
	}
	return here || recorded, nil
}

// len is how many workspaces there are.
func (ws *workspaces) len() int {
	ws.mu.RLock()
	defer ws.mu.RUnlock()
	return len(ws.byName)
}

// forgottenNames remembers when each workspace name was last forgotten, so
// that a workspace made again under it refuses what the earlier one minted.
// It keeps at most maxForgottenNames; a name it drops raises older, which
// then holds for every name it does not know, since any may be that one:
// failing closed, a new workspace may refuse tokens another replica minted
// before that time.
type forgottenNames struct {
	at    map[string]time.Time
	order []forgotten // oldest first
	older time.Time
}

type forgotten struct {
	name string
	at   time.Time
}

func (f *forgottenNames) add(name string, at time.Time) {
	f.at[name] = at
	f.order = append(f.order, forgotten{name, at})
	if len(f.order) > 2*maxForgottenNames {
		// A name forgotten again left its older entry behind: keep only
		// the current ones.
		f.order = slices.DeleteFunc(f.order, func(e forgotten) bool { return !f.at[e.name].Equal(e.at) })
	}
	for len(f.at) > maxForgottenNames && len(f.order) > 0 {
		old := f.order[0]
		f.order = f.order[1:]
		if t, ok := f.at[old.name]; ok && t.Equal(old.at) {
			delete(f.at, old.name)
			f.older = maxTime(f.older, old.at)
		}
	}
}

// since is when name was last forgotten, as far as the set can tell.
func (f *forgottenNames) since(name string) time.Time {
	if t, ok := f.at[name]; ok {
		return t
	}
	return f.older
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
