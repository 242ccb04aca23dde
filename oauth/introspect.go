package oauth

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// introspection is the RFC 7662 §2.2 answer with SMART's patient and fhirUser.
type introspection struct {
	Active    bool   `json:"active"`
	ClientID  string `json:"client_id,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Expires   int64  `json:"exp,omitempty"`
	IssuedAt  int64  `json:"iat,omitempty"`
	Subject   string `json:"sub,omitempty"`
	Issuer    string `json:"iss,omitempty"`
	Patient   string `json:"patient,omitempty"`
	FHIRUser  string `json:"fhirUser,omitempty"`
	TokenType string `json:"token_type,omitempty"`
}

// introspect serves POST {issuer}/introspect (RFC 7662). The caller
// authenticates as a registered client (§2.1). A confidential client may
// introspect any token, as a resource server would; a public client, which
// cannot prove who it is, only its own. Anything not alive is {"active": false}.
func (s *Server) introspect(c echo.Context) error {
	form, client, err := s.clientForm(c.Request())
	if err != nil {
		return writeJSONError(c, err)
	}
	if form.Get("token") == "" {
		return writeJSONError(c, errInvalidRequest("token is missing"))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	t, kind, ok := s.openAny(form.Get("token"))
	now := s.cfg.Now()
	alive := ok && now.Before(time.Unix(t.Expires, 0)) && !issuedLater(t.IssuedAt, now) &&
		(!client.public() || t.ClientID == client.ID)
	if alive {
		revoked, err := s.store.isRevokedShared(t.Minted, t.ID, t.Family)
		if err != nil {
			return err
		}
		alive = !revoked
	}
	if kind == kindRefresh && alive {
		// A rotated refresh token is spent even though it has not expired.
		spent, err := s.store.isSpentShared(t.ID, t.Minted)
		if err != nil {
			return err
		}
		ended, err := s.store.refreshEndedShared(t.Family)
		if err != nil {
			return err
		}
		alive = !spent && !ended
	}
	if !alive {
		return c.JSON(http.StatusOK, introspection{Active: false})
	}
	base := s.cfg.BaseURL(c.Request())
	resp := introspection{
		Active:   true,
		ClientID: t.ClientID,
		Scope:    strings.Join(t.Scopes, " "),
		Expires:  t.Expires,
		IssuedAt: t.IssuedAt,
		Subject:  t.Username,
		Issuer:   s.issuer(base),
		Patient:  t.Patient,
		FHIRUser: s.fhirBase(base) + "/" + t.FHIRUser,
	}
	if kind == kindAccess {
		resp.TokenType = "Bearer"
	} else {
		resp.TokenType = "refresh_token"
	}
	return c.JSON(http.StatusOK, resp)
}
