package fhir

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// handler is a FHIR interaction on a type, run once the token checked out.
type handler func(c echo.Context, t *resourceType, g Grant) error

// authorized wraps h with the bearer-token and scope checks, in the order
// RFC 6750 §3.1 implies: no or bad token 401, token without scope 403.
func (a *API) authorized(t *resourceType, i interaction, h handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, sent := bearerToken(c.Request())
		if !sent {
			// RFC 6750 §3.1: a request without credentials gets no error code.
			return a.unauthorized(c, `Bearer realm="fhir"`, "a bearer token is required")
		}
		if token == "" {
			return a.invalidToken(c)
		}
		g, err := a.cfg.Authorize(c.Request().Context(), token)
		if errors.Is(err, store.ErrUnavailable) {
			// Whether the token was revoked cannot be told: not a 401,
			// which would send the app to sign in again, but a 503.
			c.Response().Header().Set("Retry-After", "1")
			return a.writeError(c, &statusError{http.StatusServiceUnavailable, codeTransient, err.Error()})
		}
		if err != nil {
			return a.invalidToken(c)
		}
		if !allows(g.Scopes, t.Name, i) && !readsOwnRecord(g, t, i) {
			// RFC 6750 §3.1: insufficient_scope is a 403.
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="fhir", error="insufficient_scope"`)
			return a.writeError(c, forbidden("the token's scopes do not allow "+interactionName(i)+" of "+t.Name))
		}
		if g.Patient == "" {
			return a.writeError(c, forbidden("the token has no patient context"))
		}
		return h(c, t, g)
	}
}

// invalidToken answers a malformed, unknown, expired or revoked token
// (RFC 6750 §3.1 invalid_token); which of them is not told.
func (a *API) invalidToken(c echo.Context) error {
	const why = "the access token is malformed, expired or revoked"
	return a.unauthorized(c, `Bearer realm="fhir", error="invalid_token", error_description="`+why+`"`, why)
}

func (a *API) unauthorized(c echo.Context, challenge, detail string) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return a.writeError(c, &statusError{http.StatusUnauthorized, codeSecurity, detail})
}

func interactionName(i interaction) string {
	if i == interactionSearch {
		return "search"
	}
	return "read"
}

// bearerToken extracts the token of an Authorization: Bearer header. sent
// is false when no Authorization header came; token is "" when one came
// without a Bearer credential (RFC 6750 §2.1: the scheme is
// case-insensitive, RFC 7235 §2.1). Whether the token is a well-formed
// b64token is not checked here: one that is not can never open, and gets
// the same invalid_token answer as any other token that does not.
func bearerToken(r *http.Request) (token string, sent bool) {
	var h string
	if v := r.Header["Authorization"]; len(v) > 0 { // the canonical name: no Header.Get on every request
		h = v[0]
	}
	if h == "" {
		return "", false
	}
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimLeft(rest, " "), true
}

// readsOwnRecord lets a representative read their own RelatedPerson with
// the fhirUser scope alone: it grants "information about the current
// logged-in user" (SMART App Launch 2, "Scopes for requesting identity
// data"), and README, "Tokens" makes RelatedPerson/{id} readable with the token.
// The docs spell the scope "FHIRUser", so case is ignored. The read itself
// still 404s any id but the holder's.
func readsOwnRecord(g Grant, t *resourceType, i interaction) bool {
	if t.Name != "RelatedPerson" || i != interactionRead || g.RelatedPerson == nil {
		return false
	}
	for _, s := range g.Scopes {
		if strings.EqualFold(s, "fhirUser") {
			return true
		}
	}
	return false
}

// allows reports whether any of scopes lets its holder do i on typ.
func allows(scopes []string, typ string, i interaction) bool {
	for _, s := range scopes {
		if scopeAllows(s, typ, i) {
			return true
		}
	}
	return false
}

// scopeAllows reads one SMART clinical scope (SMART App Launch 2, "Scopes
// and Launch Context"): context
// "patient/" or "user/" (the member is the user), then a type or "*", then
// v1 permissions "read" or "*" (read and write), or v2 permissions: letters
// of "cruds" in that order, where r allows read and s allows search.
// Finer-grained scopes (a "?" search query) are not honoured: they would
// narrow the grant, and an unchecked narrowing must not widen it.
func scopeAllows(scope, typ string, i interaction) bool {
	rest, ok := strings.CutPrefix(scope, "patient/")
	if !ok {
		if rest, ok = strings.CutPrefix(scope, "user/"); !ok {
			return false
		}
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 {
		return false
	}
	if t := rest[:dot]; t != "*" && t != typ {
		return false
	}
	perm := rest[dot+1:]
	switch perm {
	case "read", "*":
		return true // SMART v1: read covers read and search
	}
	if !validV2Permissions(perm) {
		return false
	}
	want := byte('r')
	if i == interactionSearch {
		want = 's'
	}
	return strings.IndexByte(perm, want) >= 0
}

// scopeType is the resource type a patient/ or user/ scope names ("*" for
// all), or "" for any other scope.
func scopeType(scope string) string {
	rest, ok := strings.CutPrefix(scope, "patient/")
	if !ok {
		if rest, ok = strings.CutPrefix(scope, "user/"); !ok {
			return ""
		}
	}
	typ, _, _ := strings.Cut(rest, ".")
	return typ
}

// validV2Permissions reports whether p is a non-empty run of "cruds" letters
// in that order without repeats (SMART App Launch 2, "Clinical Scope Syntax").
func validV2Permissions(p string) bool {
	const order = "cruds"
	if p == "" {
		return false
	}
	at := 0
	for i := 0; i < len(p); i++ {
		k := strings.IndexByte(order[at:], p[i])
		if k < 0 {
			return false
		}
		at += k + 1
	}
	return true
}
