package oauth

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// cors lets browser apps (public clients) call discovery, JWKS, token,
// revoke, introspect and userinfo from any origin (Fetch Standard §3.2 "CORS
// protocol"). Nothing here uses cookies, so credentials are never allowed and
// "*" is safe. A preflight (OPTIONS with Access-Control-Request-Method) is
// answered here with 204.
//
// echo's own middleware.CORS is not used: its package pulls in
// golang.org/x/time, which the module does not require.
func cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		if c.Request().Header.Get("Origin") == "" {
			return next(c)
		}
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "WWW-Authenticate")
		if c.Request().Method == http.MethodOptions && c.Request().Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
			h.Set("Access-Control-Max-Age", "3600")
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}
