package oauth

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// authRequest is a validated /authorize request. It is sealed into the
// handle the consent screens carry, so it holds everything Finish needs.
type authRequest struct {
	ID           string   `json:"jti"`
	ClientID     string   `json:"cid"`
	RedirectURI  string   `json:"ru"`
	RedirectSent bool     `json:"rs,omitempty"` // RFC 6749 §4.1.3: then /token must repeat it
	Scopes       []string `json:"sc"`
	State        string   `json:"st,omitempty"`
	Nonce        string   `json:"n,omitempty"`
	Challenge    string   `json:"cc,omitempty"`
	Method       string   `json:"cm,omitempty"`
	LoginHint    string   `json:"lh,omitempty"`
	Issuer       string   `json:"iss"`
	Expires      int64    `json:"exp"`
	Minted       int64    `json:"m,omitempty"` // real Unix ms, as token.Minted
}

// The longest state, nonce and login_hint /authorize accepts (README,
// "Limits"). The validated request is sealed into the handle the consent
// screens carry in their URL and sealed flow state, which they keep within
// a bound of their own (README, "Limits"); these limits together fit with
// room for a long scope and redirect URI. Longer is refused by redirect
// (RFC 6749 §4.1.2.1), so the app hears of it.
var authorizeValueLimits = [...]struct {
	param string
	max   int
}{
	{"state", 512},
	{"nonce", 128},
	{"login_hint", 128},
}

// authorizeParams are the parameters RFC 6749 §3.1 forbids repeating.
func authorizeParams() []string {
	return []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
		"code_challenge", "code_challenge_method", "aud", "login_hint"}
}

// authorize serves GET and POST {issuer}/authorize (RFC 6749 §4.1.1, SMART
// App Launch 2 §2.1.9 "authorize-post"). Errors about the client or its
// redirect_uri are an HTML page; every other error is a redirect.
func (s *Server) authorize(c echo.Context) error {
	r := c.Request()
	if err := r.ParseForm(); err != nil {
		return s.errorPage(c, "The authorization request could not be read.")
	}
	base := s.cfg.BaseURL(r)
	client, redirect, msg := s.checkClientRedirect(r.Form, base)
	if msg != "" {
		return s.errorPage(c, msg)
	}
	issuer := s.issuer(base)
	state := r.Form.Get("state")
	req, perr := s.checkAuthorize(r.Form, client, base)
	if perr != nil {
		return c.Redirect(http.StatusFound, errorRedirect(redirect, state, issuer, perr))
	}
	req.ID = rand.Text()
	req.RedirectURI = redirect
	req.RedirectSent = r.Form.Get("redirect_uri") != ""
	req.Issuer = issuer
	req.Expires = s.cfg.Now().Add(requestTTL).Unix()
	req.Minted = s.mintedNow()
	handle, err := s.seal.SealJSON(kindRequest, req)
	if err != nil {
		return err
	}
	if len(handle) > consent.MaxHandleLen {
		// Values within their own limits that still do not fit together
		// (a long scope or redirect URI, characters JSON escapes). Checked
		// with auto-approve too, so that CI sees what a member would.
		return c.Redirect(http.StatusFound, errorRedirect(redirect, state, issuer, errInvalidRequest(
			"the authorization request is too long to carry through the consent screens: shorten state, nonce, login_hint, scope or redirect_uri")))
	}
	if s.cfg.AutoApprove != "" {
		to, err := s.autoApprove(req)
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusFound, to)
	}
	return c.Redirect(http.StatusFound, issuer+consent.StartPath+"?"+url.Values{"request": {handle}}.Encode())
}

// checkClientRedirect finds the client and the redirect URI to answer on, or
// says why there is none. RFC 6749 §4.1.2.1: with an unknown client or an
// unregistered redirect_uri the server must not redirect.
func (s *Server) checkClientRedirect(form url.Values, base string) (Client, string, string) {
	if len(form["client_id"]) > 1 || len(form["redirect_uri"]) > 1 {
		return Client{}, "", "The request repeats client_id or redirect_uri."
	}
	id := form.Get("client_id")
	if id == "" {
		return Client{}, "", "The request does not name the app (client_id is missing)."
	}
	client, ok := s.clients[id]
	if !ok {
		return Client{}, "", "The app " + id + " is not registered with this sandbox."
	}
	redirect, ok := matchRedirect(client, form.Get("redirect_uri"), base)
	if !ok {
		if form.Get("redirect_uri") == "" {
			return Client{}, "", "The app has several redirect URIs registered, so the request must name one (redirect_uri)."
		}
		return Client{}, "", "The redirect URI " + form.Get("redirect_uri") + " is not registered for the app " + id + "."
	}
	return client, redirect, ""
}

// checkAuthorize applies every rule that is reported by redirect, in the
// order a developer fixes them.
func (s *Server) checkAuthorize(form url.Values, client Client, base string) (authRequest, *Error) {
	strict := s.cfg.Profile == profile.Strict
	for _, p := range authorizeParams() {
		if len(form[p]) > 1 {
			return authRequest{}, errInvalidRequest(p + " is repeated (RFC 6749 §3.1)")
		}
	}
	for _, l := range authorizeValueLimits {
		if n := len(form.Get(l.param)); n > l.max {
			return authRequest{}, errInvalidRequest(fmt.Sprintf("%s is too long: %d bytes, at most %d are accepted", l.param, n, l.max))
		}
	}
	rt := form.Get("response_type")
	switch {
	case rt == "":
		return authRequest{}, errInvalidRequest("response_type is missing")
	case rt != "code":
		// RFC 6749 §4.1.2.1: only the authorization code grant is served.
		return authRequest{}, &Error{Code: codeUnsupportedResponseType, Description: "response_type must be code"}
	case !client.allows(grantCode):
		return authRequest{}, &Error{Code: codeUnauthorizedClient, Description: "the client may not use the authorization code grant"}
	case strict && form.Get("state") == "":
		// SMART App Launch 2 §2.1.9: state is required.
		return authRequest{}, errInvalidRequest("state is required")
	}
	method, perr := checkChallenge(form.Get("code_challenge"), form.Get("code_challenge_method"), client.public(), strict)
	if perr != nil {
		return authRequest{}, perr
	}
	// SMART App Launch 2 §2.1.9: aud names the FHIR server the token is for.
	// The docs never send it, so profile bcbsnc lets a wrong one pass.
	if aud := form.Get("aud"); aud != "" && strict && strings.TrimSuffix(aud, "/") != s.fhirBase(base) {
		return authRequest{}, errInvalidRequest("aud must be the FHIR base URL " + s.fhirBase(base))
	}
	scopes := s.scopes.parse(form.Get("scope"))
	if len(scopes) == 0 {
		return authRequest{}, errInvalidScope("no scope this server grants was requested (try patient/*.read openid fhirUser)")
	}
	return authRequest{
		ClientID:  client.ID,
		Scopes:    scopes,
		State:     form.Get("state"),
		Nonce:     form.Get("nonce"),
		Challenge: form.Get("code_challenge"),
		Method:    method,
		LoginHint: form.Get("login_hint"),
	}, nil
}

// autoApprove ends the flow at once (README, "Settings" --auto-approve): as the
// login_hint's account when it names one, else the configured user; Self,
// sharing everything.
func (s *Server) autoApprove(req authRequest) (string, error) {
	user := s.cfg.AutoApprove
	if _, ok := s.cfg.Accounts(req.LoginHint); ok && req.LoginHint != "" {
		user = req.LoginHint
	}
	return s.finish(req, consent.Decision{Approved: true, Username: user, SharePersonal: true})
}
