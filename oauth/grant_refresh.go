package oauth

import (
	"net/url"
	"time"
)

// refresh is the refresh token grant (RFC 6749 §6) with rotation: each
// refresh token works once, and a reused one revokes its whole family
// (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
func (s *Server) refresh(base string, cr credentials, form url.Values) (tokenResponse, error) {
	raw := form.Get("refresh_token")
	if raw == "" {
		return tokenResponse{}, errInvalidRequest("refresh_token is missing")
	}
	var rt token
	sealedOK := s.seal.OpenJSON(kindRefresh, raw, &rt) == nil
	if cr.ID == "" && sealedOK {
		// A public client may omit client_id: the token names its client,
		// and authenticate still refuses a confidential one without a secret.
		cr.ID = rt.ClientID
	}
	client, perr := s.authenticate(cr)
	if perr != nil {
		return tokenResponse{}, perr
	}
	if !client.allows(grantRefresh) {
		return tokenResponse{}, &Error{Code: codeUnauthorizedClient, Description: "the client may not use the refresh token grant"}
	}
	now := s.cfg.Now()
	revoked, err := s.store.isRevokedShared(rt.Minted, rt.ID, rt.Family)
	if err != nil && sealedOK {
		return tokenResponse{}, err
	}
	ended, err := s.store.refreshEndedShared(rt.Family)
	if err != nil && sealedOK {
		return tokenResponse{}, err
	}
	switch {
	case !sealedOK:
		return tokenResponse{}, errInvalidGrant("the refresh token is not valid")
	case rt.ClientID != client.ID:
		// RFC 6749 §6: the refresh token must have been issued to this client.
		return tokenResponse{}, errInvalidGrant("the refresh token was issued to another client")
	case !now.Before(time.Unix(rt.Expires, 0)):
		return tokenResponse{}, errInvalidGrant("the refresh token has expired")
	case issuedLater(rt.IssuedAt, now):
		return tokenResponse{}, errInvalidGrant("the refresh token was issued while the sandbox clock ran ahead of where it now is")
	case revoked:
		return tokenResponse{}, errInvalidGrant("the refresh token was revoked")
	case ended:
		return tokenResponse{}, errInvalidGrant("the refresh token has expired (ended by the sandbox control API); authorize again")
	}
	scopes := rt.Scopes
	if form.Has("scope") {
		// RFC 6749 §6: the new scope must not include any scope not originally granted.
		asked := s.scopes.parse(form.Get("scope"))
		if len(asked) == 0 {
			return tokenResponse{}, errInvalidScope("no grantable scope was requested")
		}
		for _, sc := range asked {
			if !covers(rt.Scopes, sc) {
				return tokenResponse{}, errInvalidScope("scope " + sc + " was not granted")
			}
		}
		scopes = asked
	}
	spent, err := s.store.spendShared(rt.ID, rt.Minted, time.Unix(rt.Expires, 0))
	if err != nil {
		return tokenResponse{}, err
	}
	switch spent {
	case spendAgain:
		if err := s.store.revokeFamilyShared(rt.Family, s.familyEnd(rt.Expires)); err != nil {
			return tokenResponse{}, err
		}
		return tokenResponse{}, errInvalidGrant("the refresh token was already used; its grant is revoked")
	case spendForgotten:
		return tokenResponse{}, errInvalidGrant("the refresh token is too old for the sandbox to tell whether it was used; authorize again")
	}
	return s.issue(base, client, rt, scopes, "")
}
