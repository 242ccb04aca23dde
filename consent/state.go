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

// Steps of the flow, in the docs' order. The step cookie records the one the
// member is at; a post for any other step is refused.
const (
	stepDisclaimer = "disclaimer"
	stepLogin      = "login"
	stepRelation   = "relation"
	stepConsent    = "consent"
)

const (
	// cookieName names the sealed step cookie.
	cookieName = "sandbox_consent"
	// flowLifetime bounds a flow; the authorization server's handle lives
	// as long (docs/DESIGN.md, "consent ↔ oauth").
	flowLifetime = time.Hour
	// maxCookieLen refuses oversized cookies before any decoding: a browser
	// keeps at most 4096 bytes per cookie (RFC 6265 §6.1).
	maxCookieLen = 4096
	// maxHandleLen keeps the handle small enough for the cookie to fit.
	maxHandleLen = 2048
)

// errNoFlow means the request carries no usable step cookie: none, forged,
// garbled or expired. The screens answer it with a 400 page.
var errNoFlow = errors.New("consent: no flow in progress")

// state is what the step cookie holds, so any replica sharing Config.Key
// can continue a flow. The only thing kept beside it is the step ledger
// (steps.go), per process, which refuses a cookie a later step superseded.
type state struct {
	// ID is random per flow; the CSRF tokens are bound to it.
	ID     string `json:"id"`
	Handle string `json:"h"`
	Step   string `json:"s"`
	// Username is set once the member logged in.
	Username string `json:"u,omitempty"`
	// Representative is set when the member acts for someone else.
	Representative *Representative `json:"r,omitempty"`
	// Expires is a Unix time: the flow is void afterwards.
	Expires int64 `json:"e"`
}

// Purposes of the keys derived from Config.Key, and of the values sealed
// or MACed with them: a step cookie and a CSRF token never share a key.
const (
	cookiePurpose = "consent step cookie"
	csrfPurpose   = "consent csrf"
)

// sealer seals and opens step cookies.
type sealer struct {
	box *seal.Sealer
}

// newSealer derives the cookie key from key (Config.Key).
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
	if value == "" || len(value) > maxCookieLen {
		return state{}, errNoFlow
	}
	var st state
	if s.box.OpenJSON(cookiePurpose, value, &st) != nil {
		return state{}, errNoFlow
	}
	if st.ID == "" || st.Handle == "" || !now.Before(time.Unix(st.Expires, 0)) {
		return state{}, errNoFlow
	}
	return st, nil
}

// newFlowID returns 128 random bits, base64url.
func newFlowID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// stepCookie builds the step cookie. It is HttpOnly so no script can read it,
// SameSite=Lax so a cross-site post never carries it, scoped to the issuer
// path, and Secure when the browser reached us over TLS (directly or through
// a proxy that says so).
func stepCookie(r *http.Request, path, value string) *http.Cookie {
	c := &http.Cookie{
		Name:     cookieName,
		Value:    value,
		Path:     path,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   overTLS(r),
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// overTLS reports whether the browser's connection was HTTPS.
func overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
