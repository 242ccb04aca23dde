package control

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// Clock is the sandbox's time: the real clock plus an offset that the
// control API moves forward, so tests can see codes and tokens expire
// without waiting. The zero value is the real clock.
//
// The offset is never negative: Now never reads earlier than real time,
// however the clock is advanced or reset. The authorization server relies
// on that: it forgets a spent code or a revocation only once what it guards
// has expired on the real clock too, so that no later setting of this clock
// can revive it.
//
// The offset is an atomic rather than a mutex-guarded field: Now runs on
// every token check, and only the control API ever changes it.
type Clock struct {
	offset atomic.Int64 // nanoseconds ahead of real time
}

// Now is the sandbox's current time.
func (c *Clock) Now() time.Time { return time.Now().Add(c.Offset()) }

// maxOffset is as far ahead as the clock may run. The offset is an int64 of
// nanoseconds (about 292 years); unbounded, repeated advances would wrap it
// negative and send the clock back centuries, reviving spent codes.
const maxOffset = 100 * 365 * 24 * time.Hour

// Advance moves the clock forward by d, a positive duration. It reports
// false, leaving the clock where it was, when that would put the clock more
// than maxOffset ahead of real time.
func (c *Clock) Advance(d time.Duration) bool {
	for {
		old := c.offset.Load()
		if d <= 0 || time.Duration(old) > maxOffset-d {
			return false
		}
		if c.offset.CompareAndSwap(old, old+int64(d)) {
			return true
		}
	}
}

// set puts the clock offset where the replicas' shared store has it.
func (c *Clock) set(d time.Duration) { c.offset.Store(int64(max(d, 0))) }

// Offset is how far the clock is ahead of real time.
func (c *Clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Reset puts the clock back to real time. Codes, tokens and consent
// cookies made while it ran ahead now carry an issue time in the future,
// and are refused.
func (c *Clock) Reset() { c.offset.Store(0) }

type clockView struct {
	Now    string `json:"now"`
	Offset string `json:"offset"`
}

func (c *Control) clockView() clockView {
	return clockView{Now: c.cfg.Clock.Now().UTC().Format(time.RFC3339Nano), Offset: c.cfg.Clock.Offset().String()}
}

func (c *Control) getClock(ctx echo.Context) error {
	return ctx.JSON(http.StatusOK, c.clockView())
}

// advanceClock takes {"advance": "90m"}. The clock only moves forward, and
// only a reset sets it back, to real time and never earlier.
func (c *Control) advanceClock(ctx echo.Context) error {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := decodeBody(ctx, &req); err != nil {
		return problem(ctx, http.StatusBadRequest, "body must be {\"advance\": \"<duration>\"}: "+err.Error())
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d <= 0 || d > 10*365*24*time.Hour {
		return problem(ctx, http.StatusBadRequest, "advance must be a positive Go duration such as \"90m\" or \"25h\", at most ten years")
	}
	if r := c.replicas; r != nil {
		off, ok, err := r.shared.AdvanceClock(ctx.Request().Context(), r.ns, d, maxOffset)
		if err != nil {
			return unavailable(ctx, err)
		}
		c.cfg.Clock.set(off)
		if !ok {
			return problem(ctx, http.StatusBadRequest, "the clock may run at most 100 years ahead of real time; POST /sandbox/reset sets it back")
		}
		return ctx.JSON(http.StatusOK, c.clockView())
	}
	if !c.cfg.Clock.Advance(d) {
		return problem(ctx, http.StatusBadRequest, "the clock may run at most 100 years ahead of real time; POST /sandbox/reset sets it back")
	}
	return ctx.JSON(http.StatusOK, c.clockView())
}
