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
}

// Control is the control API's state: one mutex each in its parts.
type Control struct {
	cfg      Config
	faults   *faults
	requests *requestLog
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
	return &Control{cfg: cfg, faults: &faults{}, requests: newRequestLog(requestLogSize)}
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
	g.POST(Prefix+"/reset", c.reset, c.guard)
}

// index lists the actions, so that GET /sandbox explains itself.
func (c *Control) index(ctx echo.Context) error {
	return ctx.JSON(http.StatusOK, map[string]any{
		"description": "Control API of the Blue Cross NC API sandbox. State changed here is per process.",
		"actions": []map[string]string{
			{"method": "GET", "path": Prefix + "/faults", "does": "list armed faults"},
			{"method": "POST", "path": Prefix + "/faults", "does": "arm a fault for the next N matching requests"},
			{"method": "DELETE", "path": Prefix + "/faults", "does": "disarm every fault"},
			{"method": "GET", "path": Prefix + "/clock", "does": "show the sandbox clock and its offset"},
			{"method": "POST", "path": Prefix + "/clock", "does": `advance the clock: {"advance": "2h"}`},
			{"method": "GET", "path": Prefix + "/requests", "does": "the last requests received (?limit=N)"},
			{"method": "DELETE", "path": Prefix + "/requests", "does": "forget the request log"},
			{"method": "POST", "path": Prefix + "/members/{patient}/claims", "does": `add a claim now: {"type": "carrier"}`},
			{"method": "POST", "path": Prefix + "/members/{patient}/touch", "does": `update a resource now: {"resourceType": "Patient", "id": "…"}`},
			{"method": "POST", "path": Prefix + "/reset", "does": "back to the seed state"},
		},
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
	c.faults.clear()
	c.requests.clear()
	c.cfg.Clock.Reset()
	for _, f := range c.cfg.OnReset {
		f()
	}
	return ctx.JSON(http.StatusOK, map[string]string{"status": "reset"})
}
