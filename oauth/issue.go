package oauth

import (
	"crypto/rand"
	"strings"
	"time"
)

// familyEnd is how long a family's revocation must be remembered when its
// grant expires at grantExpires: past the last refresh token it could have
// and the last access token issued from it. It is read from the grant, not
// from the clock, so it holds however the clock was moved since the grant
// began.
func (s *Server) familyEnd(grantExpires int64) time.Time {
	return time.Unix(grantExpires, 0).Add(s.cfg.TokenTTL)
}

// issue mints the access token for scopes and, when the grant allows, a
// rotated refresh token (with the grant's full scope and absolute expiry,
// RFC 6749 §6) and an id_token. g is the grant: a code or a refresh token.
func (s *Server) issue(base string, client Client, g token, scopes []string, nonce string) (tokenResponse, error) {
	now := s.cfg.Now()
	at := g.grantOnly()
	at.ID = rand.Text()
	at.Scopes = scopes
	at.IssuedAt = now.Unix()
	at.Expires = now.Add(s.cfg.TokenTTL).Unix()
	at.Minted = s.mintedNow()
	access, err := s.seal.SealJSON(kindAccess, at)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.cfg.TokenTTL / time.Second),
		Scope:       strings.Join(scopes, " "),
		Patient:     g.Patient,
	}
	if s.refreshes(client, g.Scopes) {
		rt := g.grantOnly()
		rt.ID = rand.Text()
		rt.IssuedAt = now.Unix()
		rt.Expires = g.Expires
		rt.Minted = at.Minted
		if resp.RefreshToken, err = s.seal.SealJSON(kindRefresh, rt); err != nil {
			return tokenResponse{}, err
		}
	}
	if hasScope(scopes, scopeOpenID) {
		if resp.IDToken, err = s.signer.sign(s.idTokenClaims(base, at, nonce)); err != nil {
			return tokenResponse{}, err
		}
	}
	return resp, nil
}

// grantOnly is t without what binds a code to its request.
func (t token) grantOnly() token {
	t.RedirectURI, t.RedirectSent, t.Challenge, t.Method, t.Nonce = "", false, "", "", ""
	return t
}
