package oauth

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// userinfoResponse has the docs' field names (OIDC Core §5.1 spellings) and
// SMART's fhirUser as an absolute URL.
type userinfoResponse struct {
	Subject           string `json:"sub"`
	PreferredUsername string `json:"preferred_username"`
	GivenName         string `json:"given_name,omitempty"`
	FamilyName        string `json:"family_name,omitempty"`
	Name              string `json:"name,omitempty"`
	Email             string `json:"email,omitempty"`
	Created           string `json:"created,omitempty"`
	Patient           string `json:"patient"`
	FHIRUser          string `json:"fhirUser"`
}

// userinfo serves GET /v1/connect/userinfo and {fhir}/UserInfo (OIDC Core
// §5.3). The docs tie it to the profile scope.
func (s *Server) userinfo(c echo.Context) error {
	t, err := s.lookupAccess(bearerToken(c.Request()))
	if perr, ok := err.(*Error); ok {
		return bearerError(c, perr)
	} else if err != nil {
		return err // the shared store is unreachable: the error handler's 503
	}
	if !hasScope(t.Scopes, scopeProfile) {
		return bearerError(c, &Error{Code: codeInsufficientScope, Description: "the token lacks the profile scope", status: http.StatusForbidden})
	}
	acct, _ := s.cfg.Accounts(t.Username)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, userinfoResponse{
		Subject:           t.Username,
		PreferredUsername: t.Username,
		GivenName:         acct.GivenName,
		FamilyName:        acct.FamilyName,
		Name:              strings.TrimSpace(acct.GivenName + " " + acct.FamilyName),
		Email:             acct.Email,
		Created:           acct.Created,
		Patient:           t.Patient,
		FHIRUser:          s.fhirBase(s.cfg.BaseURL(c.Request())) + "/" + t.FHIRUser,
	})
}

// bearerError answers a protected-resource error with WWW-Authenticate
// (RFC 6750 §3) and the RFC 6749-style JSON body.
func bearerError(c echo.Context, e *Error) error {
	c.Response().Header().Set("WWW-Authenticate",
		`Bearer realm="sandbox", error="`+e.Code+`", error_description="`+e.Description+`"`)
	return e.write(c)
}
