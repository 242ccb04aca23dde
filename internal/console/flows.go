package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The debugger's own flows. "Try it" starts a flow with a fresh state and,
// for PKCE, a fresh code_verifier (RFC 7636 §4.1) that the debugger needs
// back when the code arrives. Each flow keeps its verifier in a cookie of
// its own, named after its state, so that flows in two tabs never share
// one: the code that comes back with state S is exchanged with S's
// verifier, and a code whose state names no flow of this browser (the
// docs' flow, another client's) is exchanged without one.

const (
	// flowCookiePrefix + the state's digest names a flow's cookie.
	flowCookiePrefix = "sandbox_flow_"
	// flowLifetime is how long a flow's cookie lives: an authorization
	// code lives one hour (README, "Tokens").
	flowLifetime = time.Hour
	// maxOpenFlows bounds the flows one browser keeps open: starting one
	// more forgets the oldest, whose code then exchanges without its
	// verifier and fails (README, "Limits").
	maxOpenFlows = 5
	// flowPurpose labels the MAC of a flow cookie.
	flowPurpose = "debugger flow"
)

// flow is what a flow's cookie holds.
type flow struct {
	// Verifier is the PKCE code_verifier, "" for a flow without PKCE.
	Verifier string `json:"v,omitempty"`
	// Client is the client_id the flow authorized.
	Client string `json:"c"`
	// Started is when, in Unix seconds: the oldest goes first.
	Started int64 `json:"t"`
}

// flowCookieName is the cookie of the flow with this state. The state is
// hashed, so any state a client chose makes a valid cookie name (RFC 6265
// §4.1.1 token).
func flowCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return flowCookiePrefix + base64.RawURLEncoding.EncodeToString(sum[:12])
}

// sealFlow encodes f with a MAC over the state, so that a cookie is good
// for its own flow only.
func (c *Console) sealFlow(state string, f flow) string {
	b, _ := json.Marshal(f)
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + c.mac.Sum(flowPurpose, state, payload)
}

func (c *Console) openFlow(state, value string) (flow, bool) {
	payload, sum, ok := strings.Cut(value, ".")
	if !ok || !c.mac.Verify(sum, flowPurpose, state, payload) {
		return flow{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var f flow
	if err != nil || json.Unmarshal(b, &f) != nil {
		return flow{}, false
	}
	return f, true
}

// flowOf is the flow this browser started with state, if any.
func (c *Console) flowOf(r *http.Request, state string) (flow, bool) {
	if state == "" {
		return flow{}, false
	}
	ck, err := r.Cookie(flowCookieName(state))
	if err != nil {
		return flow{}, false
	}
	return c.openFlow(state, ck.Value)
}

// flowCookie sets (maxAge > 0) or deletes (maxAge < 0) a flow's cookie.
// Its path is the debugger's, where the code comes back and where "Try it"
// starts a flow, so no other page carries it.
func flowCookie(name, value string, maxAge int, secure bool) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/debug", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

// staleFlows are the cookies of this browser's open flows beyond the
// newest maxOpenFlows-1, to make room for one more. A cookie that does not
// open counts as oldest.
func staleFlows(r *http.Request) []string {
	type open struct {
		name    string
		started int64
	}
	var flows []open
	for _, ck := range r.Cookies() {
		if !strings.HasPrefix(ck.Name, flowCookiePrefix) {
			continue
		}
		o := open{name: ck.Name}
		payload, _, _ := strings.Cut(ck.Value, ".")
		var f flow
		if b, err := base64.RawURLEncoding.DecodeString(payload); err == nil && json.Unmarshal(b, &f) == nil {
			o.started = f.Started
		}
		flows = append(flows, o)
	}
	if len(flows) < maxOpenFlows {
		return nil
	}
	slices.SortFunc(flows, func(a, b open) int { return int(a.started - b.started) })
	var names []string
	for _, o := range flows[:len(flows)-maxOpenFlows+1] {
		names = append(names, o.name)
	}
	return names
}

// randomString returns n random bytes as unpadded base64url, which is also a
// valid PKCE verifier alphabet (RFC 7636 §4.1).
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// challengeOf is the S256 code_challenge of verifier (RFC 7636 §4.2).
func challengeOf(verifier string) string { return pkceChallenge(verifier) }
