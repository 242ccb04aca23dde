package control

import "github.com/labstack/echo/v4"

// RegisterFinder serves GET /sandbox/members, the member finder, behind the
// same guard as every other control route (or off with the rest). The
// finder is read-only; its handler lives with it.
func (c *Control) RegisterFinder(g *echo.Group, find echo.HandlerFunc) {
	if c.cfg.Off {
		return // Register's catch-all already answers 404
	}
	g.GET(Prefix+"/members", find, c.guard)
}

// Problem writes the control API's error body, {"detail": ...}, for a
// handler registered beside the control routes.
func Problem(ctx echo.Context, status int, detail string) error { return problem(ctx, status, detail) }
