package oauth

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/labstack/echo/v4"
)

// Grant types (RFC 6749 §4.1.3, §6).
const (
	grantCode    = "authorization_code"
	grantRefresh = "refresh_token"
)

// token is the sealed payload of a code, an access token or a refresh token.
// Family is the id of the code the grant started from: revoking it revokes
// every token issued since (RFC 6749 §4.1.2, §10.4).
type token struct {
	ID              string                  `json:"jti"`
	Family          string                  `json:"fam"`
	ClientID        string                  `json:"cid"`
	Username        string                  `json:"sub"`
	Patient         string                  `json:"pat"`
	FHIRUser        string                  `json:"fu"`
	Scopes          []string                `json:"sc"`
	Representative  *consent.Representative `json:"rep,omitempty"`
	RelatedPersonID string                  `json:"rp,omitempty"`
	AuthTime        int64                   `json:"at"`
	IssuedAt        int64                   `json:"iat"`
	Expires         int64                   `json:"exp"`
	// Minted is the real time it was sealed, in Unix ms: the sandbox clock
	// of IssuedAt may run ahead. The store's floor compares it.
	Minted int64 `json:"m,omitempty"`

	// A code's binding to its request (RFC 6749 §4.1.3, RFC 7636 §4.6).
	RedirectURI  string `json:"ru,omitempty"`
	RedirectSent bool   `json:"rs,omitempty"`
	Challenge    string `json:"cc,omitempty"`
	Method       string `json:"cm,omitempty"`
	Nonce        string `json:"n,omitempty"`
}

// tokenResponse is RFC 6749 §5.1 with SMART's patient (SMART App Launch 2 §2.1.11).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Patient      string `json:"patient,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// tokenEndpoint serves POST {issuer}/token.
func (s *Server) tokenEndpoint(c echo.Context) error {
	resp, err := s.grant(c.Request())
	if err != nil {
		return writeJSONError(c, err)
	}
	h := c.Response().Header()
	// RFC 6749 §5.1: token responses must not be cached.
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, resp)
}

// grant reads the request and dispatches on grant_type (RFC 6749 §5.2
// unsupported_grant_type).
func (s *Server) grant(r *http.Request) (tokenResponse, error) {
	form, err := readForm(r)
	if err != nil {
		return tokenResponse{}, err
	}
	for _, p := range []string{"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "scope"} {
		if len(form[p]) > 1 {
			return tokenResponse{}, errInvalidRequest(p + " is repeated (RFC 6749 §3.2)")
		}
	}
	cr, perr := clientCredentials(r, form)
	if perr != nil {
		return tokenResponse{}, perr
	}
	base := s.cfg.BaseURL(r)
	switch gt := form.Get("grant_type"); gt {
	case grantCode:
		return s.redeemCode(base, cr, form)
	case grantRefresh:
		return s.refresh(base, cr, form)
	case "":
		return tokenResponse{}, errInvalidRequest("grant_type is missing")
	default:
		return tokenResponse{}, &Error{Code: codeUnsupportedGrantType, Description: "grant_type must be authorization_code or refresh_token"}
	}
}

// readForm reads a form-encoded body whatever its Content-Type says: the
// docs' curl sends "application/x-www-formurlencoded" (sic), which
// http.Request.ParseForm would ignore. The body is bounded.
func readForm(r *http.Request) (url.Values, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxTokenBodySize+1))
	if err != nil {
		return nil, errInvalidRequest("the body could not be read")
	}
	if len(body) > maxTokenBodySize {
		return nil, errInvalidRequest("the body is too large")
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, errInvalidRequest("the body is not application/x-www-form-urlencoded")
	}
	return form, nil
}
