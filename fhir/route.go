package fhir

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// route wraps the handler of one FHIR route: CORS headers on every answer
// (browser apps read the API from other origins), the preflight, and the
// method check. A nil h marks a path that serves nothing: 404.
func (a *API) route(method string, h echo.HandlerFunc) echo.HandlerFunc {
	allow := method + ", " + http.MethodOptions
	switch method {
	case http.MethodGet:
		allow = "GET, HEAD, OPTIONS"
	case "":
		allow = "GET, HEAD, POST, OPTIONS"
	}
	return func(c echo.Context) error {
		setCORS(c.Response().Header())
		m := c.Request().Method
		switch {
		case h == nil && m != http.MethodOptions:
			return a.writeError(c, notFound("no FHIR route here; see metadata for what is served"))
		case m == http.MethodOptions:
			// CORS preflight (Fetch standard, "CORS protocol"). The catch-all
			// answers it too: the oauth package's GET-only routes under the
			// base ({fhir}/UserInfo) reach it for OPTIONS, and a browser
			// must pass the preflight to send them its Authorization header.
			hd := c.Response().Header()
			hd.Set(echo.HeaderAllow, allow)
			hd.Set(echo.HeaderAccessControlAllowMethods, allow)
			hd.Set(echo.HeaderAccessControlAllowHeaders, "Authorization, Content-Type, Accept, Prefer")
			hd.Set(echo.HeaderAccessControlMaxAge, "600")
			return c.NoContent(http.StatusNoContent)
		case m == method, m == http.MethodHead && method == http.MethodGet:
			return h(c)
		default:
			c.Response().Header().Set(echo.HeaderAllow, allow)
			return a.writeError(c, &statusError{http.StatusMethodNotAllowed, codeNotSupported, m + " is not allowed here; use " + allowedVerb(method)})
		}
	}
}

func allowedVerb(method string) string {
	if method == http.MethodPost {
		return "POST (GET searches use the type's path)"
	}
	return method
}

// setCORS lets any origin read the API. No cookies are involved (the token
// travels in Authorization), so the wildcard is safe and credentials stay off.
// The names are canonical and assigned directly: Header.Set would check and
// canonicalise them again on every answer.
func setCORS(h http.Header) {
	h["Access-Control-Allow-Origin"] = anyOrigin
	h["Access-Control-Expose-Headers"] = exposedHeaders
}

// Header values every answer carries, shared rather than allocated for each
// answer. That is safe because net/http copies values before writing
// them, nothing here edits one in place, and a slice without spare capacity
// cannot be appended to in place.
var (
	anyOrigin      = []string{"*"}
	exposedHeaders = []string{"WWW-Authenticate, Location, Last-Modified"}
	fhirJSON       = []string{contentTypeFHIR}
)
