package oauth

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Lookup returns the grant of a valid access token, for the FHIR API. Any
// error means the token is missing, forged, expired or revoked: a 401.
func (s *Server) Lookup(ctx context.Context, bearer string) (Grant, error) {
	t, err := s.lookupAccess(bearer)
	if err != nil {
		return Grant{}, err
	}
	return t.grant(), nil
}

// grant is the public view of an access token, a copy the caller may keep.
func (t *token) grant() Grant {
	g := Grant{
		ClientID:        t.ClientID,
		Username:        t.Username,
		Patient:         t.Patient,
		FHIRUser:        t.FHIRUser,
		Scopes:          append([]string(nil), t.Scopes...),
		RelatedPersonID: t.RelatedPersonID,
		ExpiresAt:       time.Unix(t.Expires, 0),
	}
	if t.Representative != nil {
		r := *t.Representative
		g.Representative = &r
	}
	return g
}

// bearerToken is the token of an "Authorization: Bearer" header (RFC 6750
// §2.1; the scheme is case-insensitive, RFC 9110 §11.1), or "".
func bearerToken(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// lookupAccess opens an access token and checks it is alive and not
// revoked. The token is shared with other lookups: read it, never modify it.
// Its error is an *Error, or wraps store.ErrUnavailable when this replica
// cannot tell whether the token was revoked.
func (s *Server) lookupAccess(raw string) (*token, error) {
	t, ok := s.opened.get(raw)
	if !ok {
		t = new(token)
		if raw == "" || s.seal.OpenJSON(kindAccess, raw, t) != nil {
			return nil, errInvalidToken("the access token is not valid")
		}
		s.opened.put(raw, t)
	}
	now := s.cfg.Now()
	if !now.Before(time.Unix(t.Expires, 0)) {
		return nil, errInvalidToken("the access token has expired")
	}
	if issuedLater(t.IssuedAt, now) {
		return nil, errInvalidToken("the access token was issued while the sandbox clock ran ahead of where it now is")
	}
	revoked, err := s.store.isRevokedShared(t.Minted, t.ID, t.Family)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, errInvalidToken("the access token was revoked")
	}
	return t, nil
}
