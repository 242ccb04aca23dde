package oauth

import (
	"net/http"
	"net/url"

	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/labstack/echo/v4"
)

// Error is a protocol error with its wire form: the RFC 6749 §5.2 (token),
// §4.1.2.1 (authorize), RFC 6750 §3.1 (bearer) or RFC 7009/7662 code, a
// description for the developer, and the HTTP status a JSON answer takes.
type Error struct {
	Code        string
	Description string
	status      int
}

// Error returns the code and description, as in "invalid_grant: the code has expired".
func (e *Error) Error() string { return e.Code + ": " + e.Description }

// Status is the HTTP status of the error's JSON answer.
func (e *Error) Status() int {
	if e.status == 0 {
		return http.StatusBadRequest
	}
	return e.status
}

// Error codes of RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1.
const (
	codeInvalidRequest          = "invalid_request"
	codeInvalidClient           = "invalid_client"
	codeInvalidGrant            = "invalid_grant"
	codeUnauthorizedClient      = "unauthorized_client"
	codeUnsupportedGrantType    = "unsupported_grant_type"
	codeUnsupportedResponseType = "unsupported_response_type"
	codeInvalidScope            = "invalid_scope"
	codeAccessDenied            = "access_denied"
	codeInvalidToken            = "invalid_token"
	codeInsufficientScope       = "insufficient_scope"
	codeServerError             = "server_error"
)

func errInvalidRequest(desc string) *Error {
	return &Error{Code: codeInvalidRequest, Description: desc}
}
func errInvalidGrant(desc string) *Error { return &Error{Code: codeInvalidGrant, Description: desc} }
func errInvalidScope(desc string) *Error { return &Error{Code: codeInvalidScope, Description: desc} }

// errInvalidClient is 401 (RFC 6749 §5.2).
func errInvalidClient(desc string) *Error {
	return &Error{Code: codeInvalidClient, Description: desc, status: http.StatusUnauthorized}
}

// errInvalidToken is a bearer token failure, 401 (RFC 6750 §3.1).
func errInvalidToken(desc string) *Error {
	return &Error{Code: codeInvalidToken, Description: desc, status: http.StatusUnauthorized}
}

// writeJSONError answers err as RFC 6749 §5.2 JSON if it is an *Error, and
// passes any other error up unchanged for echo to log as a 500.
func writeJSONError(c echo.Context, err error) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	if e.Code == codeInvalidClient {
		// RFC 6749 §5.2: a 401 carries WWW-Authenticate with the scheme the client may use.
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
	}
	return e.write(c)
}

// write answers e in OAuth's JSON shape (RFC 6749 §5.2, RFC 6750 §3), not
// cached, written by the sandbox's one error writer.
func (e *Error) write(c echo.Context) error {
	return httperr.Write(c.Response(), httperr.OAuth,
		httperr.Error{Status: e.Status(), OAuthCode: e.Code, Message: e.Description})
}

// withParams adds params to the query of uri, keeping its own query as RFC
// 6749 §3.1.2 requires. uri is a registered redirect URI, so it parses.
func withParams(uri string, params url.Values) string {
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// errorRedirect is the URL that tells the client about err (RFC 6749
// §4.1.2.1), with state when the client sent one and iss (RFC 9207 §2).
func errorRedirect(redirectURI, state, issuer string, err *Error) string {
	p := url.Values{"error": {err.Code}, "iss": {issuer}}
	if err.Description != "" {
		p.Set("error_description", err.Description)
	}
	if state != "" {
		p.Set("state", state)
	}
	return withParams(redirectURI, p)
}
