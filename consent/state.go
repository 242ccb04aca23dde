package consent

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
)

// Steps of the flow, in the docs' order. A flow's sealed state records the
// one the member is at; a post for any other step is refused. stepDone is
// no screen: the step ledger records with it that the flow has finished.
const (
	stepDisclaimer = "disclaimer"
	stepLogin      = "login"
	stepRelation   = "relation"
	stepConsent    = "consent"
	stepDone       = "done"
)

const (
	// cookieName names the browser cookie, which binds every flow of one
	// browser to that browser. It holds only a sealed random id, so one
	// cookie of about 70 bytes serves any number of flows at once.
	cookieName = "sandbox_consent"
	// flowField names the hidden form field that carries a flow's sealed
	// state from each screen to its post: each tab's flow travels in its
	// own page, so two flows of one browser never overwrite each other.
	flowField = "flow"
	// flowLifetime bounds a flow; the authorization server's handle lives
	// as long (docs/DESIGN.md, "consent ↔ oauth").
	flowLifetime = time.Hour
	// maxCookieLen refuses an oversized cookie before any decoding: a
	// browser keeps at most 4096 bytes per cookie (RFC 6265 §6.1).
	maxCookieLen = 4096
	// maxStateLen refuses an oversized sealed state before any decoding.
	// The largest honest one, the longest handle with a representative's
	// names of 200 bytes each all escaped in JSON, seals to about 6.3 KB.
	maxStateLen = 8192
	// maxHandleLen keeps the handle small enough for its state to fit.
	maxHandleLen = 2048
)

// errNoFlow means the request carries no usable flow: no browser cookie or
// no sealed state, or one forged, garbled or expired. The screens answer it
// with a 400 page.
var errNoFlow = errors.New("consent: no flow in progress")

// errOtherBrowser means the posted state belongs to a flow another browser
// started: its form was carried to this one (a cross-site or copied post).
// The screens answer it as a CSRF failure, 403.
var errOtherBrowser = errors.New("consent: flow of another browser")

// state is a flow's progress, sealed into the hidden flowField of each
// screen's form, so any replica sharing Config.Key can continue a flow.
// The only thing kept beside it is the step ledger (steps.go), per
// process, which refuses a state a later step superseded or a finished
// flow's.
type state struct {
	// ID is random per flow; the CSRF tokens are bound to it.
	ID string `json:"id"`
	// Browser is the id in the browser cookie of the browser that started
	// the flow: a state posted with any other browser's cookie is refused.
	Browser string `json:"b"`
	Handle  string `json:"h"`
	Step    string `json:"s"`
	// Username is set once the member logged in.
	Username string `json:"u,omitempty"`
	// Representative is set when the member acts for someone else.
	Representative *Representative `json:"r,omitempty"`
	// Expires is a Unix time: the flow is void afterwards.
	Expires int64 `json:"e"`
}

// Purposes of the keys derived from Config.Key, and of the values sealed
// or MACed with them: a flow's state and a CSRF token never share a key,
// and a state and a browser cookie, sealed with one key, never open as
// each other.
const (
	cookiePurpose  = "consent step cookie"
	browserPurpose = "consent browser cookie"
	csrfPurpose    = "consent csrf"
)

// sealer seals and opens flow states and browser cookies.
type sealer struct {
	box *seal.Sealer
}

// newSealer derives the sealing key from key (Config.Key).
func newSealer(key []byte) (sealer, error) {
	box, err := seal.New(seal.DeriveKey(key, cookiePurpose))
	if err != nil {
		return sealer{}, err
	}
	return sealer{box: box}, nil
}

// seal encodes st as base64url without padding (a cookie-octet, RFC 6265
// §4.1.1).
func (s sealer) seal(st state) (string, error) {
	return s.box.SealJSON(cookiePurpose, st)
}

// open reverses seal and checks the flow has not expired at now. Every
// failure is errNoFlow: the caller never learns, or shows, why.
func (s sealer) open(value string, now time.Time) (state, error) {
	if value == "" || len(value) > maxStateLen {
		return state{}, errNoFlow
	}
	var st state
	if s.box.OpenJSON(cookiePurpose, value, &st) != nil {
		return state{}, errNoFlow
	}
	if st.ID == "" || st.Browser == "" || st.Handle == "" || !now.Before(time.Unix(st.Expires, 0)) {
		return state{}, errNoFlow
	}
	return st, nil
}

// browserCookie is what the browser cookie holds.
type browserCookie struct {
	ID string `json:"b"`
}

// sealBrowser seals a browser id for the browser cookie.
func (s sealer) sealBrowser(id string) (string, error) {
	return s.box.SealJSON(browserPurpose, browserCookie{ID: id})
}

// openBrowser reverses sealBrowser; every failure is errNoFlow.
func (s sealer) openBrowser(value string) (string, error) {
	if value == "" || len(value) > maxCookieLen {
		return "", errNoFlow
	}
	var b browserCookie
	if s.box.OpenJSON(browserPurpose, value, &b) != nil || b.ID == "" {
		return "", errNoFlow
	}
	return b.ID, nil
}

// newFlowID returns 128 random bits, base64url: a flow's or a browser's id.
func newFlowID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// stepCookie builds the browser cookie. It is HttpOnly so no script can
// read it, SameSite=Lax so a cross-site post never carries it, scoped to the
// issuer path, and Secure when the browser reached us over TLS (directly or
// through a proxy that says so). It lasts the browser session: it is never
// deleted, since other tabs' flows may still need it, and each flow's
// state expires by itself.
func stepCookie(r *http.Request, path, value string) *http.Cookie {
	return &http.Cookie{
		Name:     cookieName,
		Value:    value,
		Path:     path,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   overTLS(r),
	}
}

// overTLS reports whether the browser's connection was HTTPS.
func overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
