package oauth

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
)

// revoke serves POST {issuer}/revoke (RFC 7009). The client authenticates as
// at /token; an unknown or already invalid token is still 200 (RFC 7009
// §2.2). Revoking a refresh token revokes its whole grant family, the access
// tokens included (RFC 7009 §2.1); revoking an access token revokes it alone.
func (s *Server) revoke(c echo.Context) error {
	form, client, err := s.clientForm(c.Request())
	if err != nil {
		return writeJSONError(c, err)
	}
	raw := form.Get("token")
	if raw == "" {
		return writeJSONError(c, errInvalidRequest("token is missing"))
	}
	t, kind, ok := s.openAny(raw)
	if !ok {
		return c.NoContent(http.StatusOK)
	}
	if t.ClientID != client.ID {
		// RFC 7009 §2.1: the token must have been issued to the requesting client.
		return writeJSONError(c, &Error{Code: codeUnauthorizedClient, Description: "the token was issued to another client"})
	}
	var rerr error
	if kind == kindRefresh {
		rerr = s.store.revokeFamilyShared(t.Family, s.familyEnd(t.Expires)) // a refresh token's exp is its grant's
	} else {
		rerr = s.store.revokeShared(t.ID, time.Unix(t.Expires, 0))
	}
	if rerr != nil {
		return rerr
	}
	return c.NoContent(http.StatusOK)
}

// openAny opens raw as an access token or a refresh token. token_type_hint
// (RFC 7009 §2.1) is not needed: the AEAD says which one it is.
func (s *Server) openAny(raw string) (token, string, bool) {
	var t token
	if s.seal.OpenJSON(kindAccess, raw, &t) == nil {
		return t, kindAccess, true
	}
	if s.seal.OpenJSON(kindRefresh, raw, &t) == nil {
		return t, kindRefresh, true
	}
	return token{}, "", false
}

// clientForm reads the form of a revocation or introspection request and
// authenticates its client as the token endpoint does (RFC 7009 §2.1,
// RFC 7662 §2.1).
func (s *Server) clientForm(r *http.Request) (url.Values, Client, error) {
	form, err := readForm(r)
	if err != nil {
		return nil, Client{}, err
	}
	cr, perr := clientCredentials(r, form)
	if perr != nil {
		return nil, Client{}, perr
	}
	client, perr := s.authenticate(cr)
	if perr != nil {
		return nil, Client{}, perr
	}
	return form, client, nil
}
