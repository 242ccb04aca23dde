package oauth

import (
	"net/url"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// redeemCode is the authorization code grant (RFC 6749 §4.1.3).
func (s *Server) redeemCode(base string, cr credentials, form url.Values) (tokenResponse, error) {
	client, perr := s.authenticate(cr)
	if perr != nil {
		return tokenResponse{}, perr
	}
	if !client.allows(grantCode) {
		return tokenResponse{}, &Error{Code: codeUnauthorizedClient, Description: "the client may not use the authorization code grant"}
	}
	raw := form.Get("code")
	if raw == "" {
		return tokenResponse{}, errInvalidRequest("code is missing")
	}
	var code token
	if s.seal.OpenJSON(kindCode, raw, &code) != nil {
		return tokenResponse{}, errInvalidGrant("the code is not valid")
	}
	now := s.cfg.Now()
	switch {
	case !now.Before(time.Unix(code.Expires, 0)):
		return tokenResponse{}, errInvalidGrant("the code has expired")
	case issuedLater(code.IssuedAt, now):
		return tokenResponse{}, errInvalidGrant("the code was issued while the sandbox clock ran ahead of where it now is")
	case code.ClientID != client.ID:
		// RFC 6749 §4.1.3: the code must have been issued to this client.
		return tokenResponse{}, errInvalidGrant("the code was issued to another client")
	case (code.RedirectSent || form.Has("redirect_uri")) && form.Get("redirect_uri") != code.RedirectURI:
		// RFC 6749 §4.1.3: redirect_uri must be identical to the authorization request's.
		return tokenResponse{}, errInvalidGrant("redirect_uri does not match the authorization request")
	case client.public() && code.Challenge == "":
		return tokenResponse{}, errInvalidGrant("a public client's code must be bound to PKCE")
	}
	if perr := verifyPKCE(code.Method, code.Challenge, form.Get("code_verifier"), s.cfg.Profile == profile.Strict); perr != nil {
		return tokenResponse{}, perr
	}
	spent, err := s.store.spendShared(code.ID, code.Minted, time.Unix(code.Expires, 0))
	if err != nil {
		return tokenResponse{}, err
	}
	switch spent {
	case spendAgain:
		// RFC 6749 §4.1.2: a code used twice revokes what it issued. Its
		// grant ends at most refreshTTL after the code's own expiry.
		if err := s.store.revokeFamilyShared(code.Family, s.familyEnd(code.Expires+int64(refreshTTL/time.Second))); err != nil {
			return tokenResponse{}, err
		}
		return tokenResponse{}, errInvalidGrant("the code was already used; the tokens issued from it are revoked")
	case spendForgotten:
		return tokenResponse{}, errInvalidGrant("the code is too old for the sandbox to tell whether it was used; authorize again")
	}
	g := code
	g.Expires = now.Add(refreshTTL).Unix()
	return s.begin(base, client, g, code.Nonce)
}
