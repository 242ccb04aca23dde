// Package control is the sandbox's control API under /sandbox/: what a test
// suite outside the process uses to steer the sandbox. It arms faults for
// the next N matching requests, moves the clock, edits members so that
// _lastUpdated sync has something new to find, shows the last requests the
// sandbox received (and what a careful client would have done differently),
// and resets all of that.
//
// Everything it changes lives in this process only: replicas do not share it.
package control

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/labstack/echo/v4"
)

// Prefix is where the control API lives, away from the OAuth and FHIR paths.
const Prefix = "/sandbox"

// Config wires the control API to the parts of the sandbox it steers. A nil
// hook turns its action off (the API then answers 501 for it).
type Config struct {
	Clock *Clock
	// IssuerPath and FHIRPath let the client checks recognise /authorize and
	// the FHIR base URL a request's aud should name.
	IssuerPath, FHIRPath string
	BaseURL              func(*http.Request) string
	// AuthorizeError builds the redirect an injected OAuth error on
	// /authorize sends the browser to, or reports false when the request's
	// client_id and redirect_uri are not registered: then no redirect may
	// be made and the request goes on to the real handler's error page.
	AuthorizeError func(r *http.Request, code, description string) (string, bool)
	// AddClaim adds a new claim of claimType to a member, updated at now,
	// and returns it.
	AddClaim func(patientID, claimType string, now time.Time) (json.RawMessage, error)
	// Touch marks a member's resource as updated at now and returns it.
	Touch func(patientID, resourceType, id string, now time.Time) (json.RawMessage, error)
	// OnReset runs when the sandbox is reset, after the control API's own
	// state is cleared: forget member edits, caches, login cool-downs.
	OnReset []func()
	// Warn hears the client checks: what a request to /authorize got wrong.
	Warn func(ctx context.Context, msg string, args ...any)
	// Errors writes an injected fault's error in the shape of the path it
	// hits, as the router writes a real error there. Nil means a writer for
	// IssuerPath and FHIRPath in the default profile.
	Errors *httperr.Writer
	// Hosts are the host names, besides loopback ones, the control API
	// answers on (the --base-url host and --control-hosts); see guard.go.
	Hosts []string
	// Off turns the control API off: every path under Prefix answers 404.
	Off bool
	// RequestLogSize is how many requests the log keeps; zero means 1000.
	RequestLogSize int

	// Mint issues what /token would answer for an approval, without the
	// consent screens (POST /sandbox/tokens).
	Mint func(r *http.Request, req MintRequest) (json.RawMessage, error)
	// Grants lists a member's live grants, RevokeGrants ends them as the
	// member removing the app would, ExpireRefresh expires their refresh
	// tokens now; each to one app's grants when clientID is not empty, and
	// each returning how many grants it acted on.
	Grants        func(patient, clientID string) (any, error)
	RevokeGrants  func(patient, clientID string) (int, error)
	ExpireRefresh func(patient, clientID string) (int, error)
	// Workspaces, when set, serves /sandbox/workspaces: the root's control
	// API manages the workspaces, a workspace's has no such routes.
	Workspaces Workspaces
	// Delegated is a path prefix whose requests other control APIs steer
	// (the workspaces' under /w/): the middleware neither logs, checks nor
	// faults them. Empty means none.
	Delegated string
	// Shared, when set, is the state shared with the replicas in other
	// processes, under Namespace: the faults, the clock and the member
	// edits live there (shared.go). Nil when the process is the only
	// replica.
	Shared    store.Store
	Namespace string
}

// Control is the control API's state: one mutex each in its parts.
type Control struct {
	cfg      Config
	faults   *faults
	requests *requestLog
	replicas *replicated // nil without Config.Shared
}

// ErrNotFound is what AddClaim and Touch return for an unknown member or
// resource; the API turns it into a 404.
var ErrNotFound = errors.New("not found")

// ErrInvalid is what AddClaim and Touch return for a bad claim type or
// resource type; the API turns it into a 400.
var ErrInvalid = errors.New("invalid")

// New returns the control API.
func New(cfg Config) *Control {
	if cfg.Clock == nil {
		cfg.Clock = &Clock{}
	}
	if cfg.Warn == nil {
		cfg.Warn = func(context.Context, string, ...any) {}
	}
	if cfg.Errors == nil {
		cfg.Errors = httperr.New(httperr.Config{IssuerPath: cfg.IssuerPath, FHIRPath: cfg.FHIRPath})
	}
	if cfg.RequestLogSize <= 0 {
		cfg.RequestLogSize = requestLogSize
	}
	c := &Control{cfg: cfg, faults: &faults{}, requests: newRequestLog(cfg.RequestLogSize)}
	if cfg.Shared != nil {
		c.share(cfg.Shared, cfg.Namespace)
	}
	return c
}

// Register adds the control routes to the root group, each behind the guard.
func (c *Control) Register(g *echo.Group) {
	if c.cfg.Off {
		g.Any(Prefix, c.off)
		g.Any(Prefix+"/*", c.off)
		return
	}
	g.GET(Prefix, c.index, c.guard)
	g.GET(Prefix+"/faults", c.listFaults, c.guard)
	g.POST(Prefix+"/faults", c.armFault, c.guard)
	g.DELETE(Prefix+"/faults", c.clearFaults, c.guard)
	g.GET(Prefix+"/clock", c.getClock, c.guard)
	g.POST(Prefix+"/clock", c.advanceClock, c.guard)
	g.GET(Prefix+"/requests", c.listRequests, c.guard)
	g.DELETE(Prefix+"/requests", c.clearRequests, c.guard)
	g.POST(Prefix+"/members/:patient/claims", c.addClaim, c.guard)
	g.POST(Prefix+"/members/:patient/touch", c.touch, c.guard)
	g.GET(Prefix+"/members/:patient/grants", c.listGrants, c.guard)
	g.POST(Prefix+"/members/:patient/grants/revoke", c.revokeGrants, c.guard)
	g.POST(Prefix+"/members/:patient/grants/expire", c.expireGrants, c.guard)
	g.POST(Prefix+"/tokens", c.mint, c.guard)
	g.POST(Prefix+"/reset", c.reset, c.guard)
	if c.cfg.Workspaces != nil {
		g.GET(Prefix+"/workspaces", c.listWorkspaces, c.guard)
		g.POST(Prefix+"/workspaces", c.createWorkspace, c.guard)
		g.GET(Prefix+"/workspaces/:name", c.getWorkspace, c.guard)
		g.DELETE(Prefix+"/workspaces/:name", c.deleteWorkspace, c.guard)
	}
}

// index lists the actions, so that GET /sandbox explains itself.
func (c *Control) index(ctx echo.Context) error {
	actions := []map[string]string{
		{"method": "GET", "path": Prefix + "/faults", "does": "list armed faults"},
		{"method": "POST", "path": Prefix + "/faults", "does": "arm a fault for the next N matching requests"},
		{"method": "DELETE", "path": Prefix + "/faults", "does": "disarm every fault"},
		{"method": "GET", "path": Prefix + "/clock", "does": "show the sandbox clock and its offset"},
		{"method": "POST", "path": Prefix + "/clock", "does": `advance the clock: {"advance": "2h"}`},
		{"method": "GET", "path": Prefix + "/requests", "does": "the last requests received (?limit=N)"},
		{"method": "DELETE", "path": Prefix + "/requests", "does": "forget the request log"},
		{"method": "POST", "path": Prefix + "/members/{patient}/claims", "does": `add a claim now: {"type": "carrier"}`},
		{"method": "POST", "path": Prefix + "/members/{patient}/touch", "does": `update a resource now: {"resourceType": "Patient", "id": "…"}`},
		{"method": "GET", "path": Prefix + "/members/{patient}/grants", "does": "the member's live grants (?client_id=…)"},
		{"method": "POST", "path": Prefix + "/members/{patient}/grants/revoke", "does": `end the member's grants, as removing the app does (optional {"client_id": "…"})`},
		{"method": "POST", "path": Prefix + "/members/{patient}/grants/expire", "does": `expire the grants' refresh tokens now (optional {"client_id": "…"})`},
		{"method": "POST", "path": Prefix + "/tokens", "does": `what /token answers, without the screens: {"username": "…", "client_id": "…", "scope": "…"}`},
		{"method": "POST", "path": Prefix + "/reset", "does": "back to the seed state"},
	}
	if c.cfg.Workspaces != nil {
		actions = append(actions,
			map[string]string{"method": "GET", "path": Prefix + "/workspaces", "does": "list the workspaces"},
			map[string]string{"method": "POST", "path": Prefix + "/workspaces", "does": `create one: {"name": "…", "profile": "strict", "auto_approve": "…", "token_ttl": "5m"}`},
			map[string]string{"method": "GET", "path": Prefix + "/workspaces/{name}", "does": "describe one"},
			map[string]string{"method": "DELETE", "path": Prefix + "/workspaces/{name}", "does": "forget one and everything in it"},
		)
	}
	return ctx.JSON(http.StatusOK, map[string]any{
		"description": "Control API of the Blue Cross NC API sandbox. State changed here is per process (and per workspace), or shared by every replica under --store redis:// (but for the request log).",
		"actions":     actions,
	})
}

// problem is the control API's error body, {"detail": ...}.
func problem(ctx echo.Context, status int, detail string) error {
	return httperr.Write(ctx.Response(), httperr.Detail, httperr.Error{Status: status, Message: detail})
}

// maxBody bounds a control API body: the largest, a fault with the longest
// path, is under 1 kB.
const maxBody = 4 << 10

// decodeBody reads a small JSON body strictly: unknown fields are errors, so
// a typo in a test's request fails loudly instead of arming the wrong fault.
func decodeBody(ctx echo.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(ctx.Response(), ctx.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("one JSON object expected")
	}
	return nil
}

func (c *Control) reset(ctx echo.Context) error {
	if r := c.replicas; r != nil {
		if err := r.shared.Reset(ctx.Request().Context(), r.ns); err != nil {
			return unavailable(ctx, err)
		}
		c.faults.clear()
		c.requests.clear() // the request log is each replica's own
		c.resetHere()
		return ctx.JSON(http.StatusOK, map[string]string{"status": "reset"})
	}
	c.faults.clear()
	c.requests.clear()
	c.cfg.Clock.Reset()
	for _, f := range c.cfg.OnReset {
		f()
	}
	return ctx.JSON(http.StatusOK, map[string]string{"status": "reset"})
}
