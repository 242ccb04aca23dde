// Package consent serves every screen a member sees while authorizing an app:
// the disclaimer, the login, the Self or Personal Representative choice and
// the consent page, in the order the Blue Cross NC docs describe them.
//
// It knows nothing of OAuth. The authorization server validates a request,
// seals it into an opaque handle and sends the browser to StartPath; this
// package walks the member through the screens and hands the member's
// decision back through Flow.
package consent

import (
	"context"
	"errors"

	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// StartPath is where the authorization server sends the browser, relative to
// the issuer, with the sealed request as the "request" query parameter.
const StartPath = "/consent"

// MaxHandleLen is the longest request handle the screens accept: the handle
// rides in each screen's sealed flow state, which the screens refuse above
// 8192 bytes, with room for a representative's longest names. The authorization server refuses, by a redirect to the app, any
// request whose handle would be longer, so no member lands on a screen that
// cannot open.
const MaxHandleLen = maxHandleLen

// Request is an authorization request as the member is asked about it.
type Request struct {
	ClientID   string
	ClientName string
	// Scopes are the scopes the app asked for, as the server normalised them.
	Scopes []string
	// LoginHint pre-fills the username field when the app sent login_hint.
	LoginHint string
}

// Relationships of a personal representative, as the docs list them; the
// list and its wording live in package representative.
const (
	RelParent   = representative.Parent   // Parent or guardian of a minor
	RelPOA      = representative.POA      // Active healthcare power of attorney
	RelGuardian = representative.Guardian // Court ordered guardianship
	RelOther    = representative.Other    // Other (with a free-text relationship)
)

// Representative is a personal representative acting for the member.
type Representative struct {
	// Relationship is one of RelParent, RelPOA, RelGuardian, RelOther.
	Relationship string
	// OtherRelationship is the member's own words when Relationship is RelOther.
	OtherRelationship string
	// FullName is the representative's full name as entered.
	FullName string
}

// Decision is how the flow ended.
type Decision struct {
	// Approved is true for I Agree, false for Deny.
	Approved bool
	// Username is the member who logged in.
	Username string
	// Representative is nil when the member acts for themself.
	Representative *Representative
	// SharePersonal is false when the member chose to share health data
	// without personal information (the docs' "demographic data").
	SharePersonal bool
}

// Flow is what this package needs from the authorization server.
type Flow interface {
	// Describe opens a sealed request handle. An error means the handle is
	// forged, expired or garbled; the screens then show an error page.
	Describe(ctx context.Context, handle string) (Request, error)
	// Finish ends the flow and returns the URL to send the browser to: the
	// client's redirect_uri with a code, or with error=access_denied. An
	// error that wraps ErrRequestEnded means the request was already
	// finished (a second I Agree) or has expired; the screens then say the
	// page is out of date.
	Finish(ctx context.Context, handle string, d Decision) (redirectURL string, err error)
}

// ErrRequestEnded is what Flow.Finish wraps when the request it is asked to
// finish was finished already or has expired.
var ErrRequestEnded = errors.New("consent: the authorization request has ended")

// Authenticator checks a member's username and password.
type Authenticator func(username, password string) bool
