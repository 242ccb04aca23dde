package control

import (
	"net/http"
	"net/url"
	"strings"
)

// minStateLength is the shortest state the checks accept quietly. SMART App
// Launch 2 §2.0.6 asks for an unguessable state "with at least 122 bits of
// entropy", about 21 random base64 characters; 16 catches the obviously
// guessable ones such as the docs' own "test".
const minStateLength = 16

// clientChecks lists what a careful client does that this request did not.
// They are advice, not errors: the request is answered as the profile says.
// The list is non-nil (possibly empty) for every /authorize request, so the
// debugger can tell "checked, all fine" from "not an authorize request".
// For /authorize it also returns the request's state, which the log indexes
// for the debugger.
func (c *Control) clientChecks(r *http.Request) (checks []string, state string) {
	// The substring test keeps the common request from parsing its query.
	if strings.Contains(r.URL.RawQuery, "access_token") && r.URL.Query().Has("access_token") {
		checks = append(checks, "access token sent in the query string; send it in the Authorization header (RFC 6750 §2.3, §5.3)")
	}
	if !c.isAuthorize(r.URL.Path) {
		return checks, ""
	}
	q := authorizeParams(r)
	state = q.Get("state")
	switch {
	case state == "":
		checks = append(checks, "no state: the app cannot tell its own redirect from a forged one (RFC 6749 §10.12)")
	case len(state) < minStateLength:
		checks = append(checks, "state is short and guessable; use at least 122 bits of randomness (SMART App Launch 2 §2.0.6)")
	}
	switch method := q.Get("code_challenge_method"); {
	case q.Get("code_challenge") == "":
		checks = append(checks, "no PKCE: send code_challenge with code_challenge_method=S256 (RFC 7636, SMART App Launch 2)")
	case method == "" || method == "plain":
		checks = append(checks, "PKCE plain: use S256, the only method SMART App Launch 2 allows (RFC 7636 §4.2)")
	}
	if c.cfg.BaseURL != nil {
		want := c.cfg.BaseURL(r) + c.cfg.FHIRPath
		switch aud := q.Get("aud"); {
		case aud == "":
			checks = append(checks, "no aud: SMART App Launch 2 asks for aud = the FHIR base URL "+want)
		case strings.TrimRight(aud, "/") != want:
			checks = append(checks, "aud "+truncate(aud, 200)+" is not this server's FHIR base URL "+want)
		}
	}
	if checks == nil {
		checks = []string{}
	}
	return checks, state
}

// authorizeParams reads /authorize's parameters from the query or, for a
// POST, a copy of the form, without consuming the body the handler needs.
func authorizeParams(r *http.Request) url.Values {
	if r.Method != http.MethodPost {
		return r.URL.Query()
	}
	if err := r.ParseForm(); err != nil {
		return r.URL.Query()
	}
	return r.Form
}
