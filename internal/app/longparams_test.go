package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The longest state, nonce and login_hint /authorize carries through the
// consent screens (README, "Limits"). Longer is refused by a redirect to the
// app with invalid_request (RFC 6749 §4.1.2.1), never a consent page that
// cannot open.
var authorizeValueLimits = []struct {
	param string
	max   int
}{
	{"state", 512},
	{"nonce", 128},
	{"login_hint", 128},
}

// longValue is n URL-safe characters that no JSON encoder escapes.
func longValue(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[i%len(alphabet)])
	}
	return b.String()
}

// pkceVerifier is RFC 7636 Appendix B's verifier; profile strict needs S256.
const pkceVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// longAuthorizeURL is the docs' request with S256 PKCE and the given extra
// parameters (state defaults to "test").
func longAuthorizeURL(base string, extra map[string]string) string {
	sum := sha256.Sum256([]byte(pkceVerifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {"openid profile patient/*.read"}, "state": {"test"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q.Set(k, v)
	}
	return base + issuerPath + "/authorize?" + q.Encode()
}

// TestLongAuthorizeValues: at and just under each limit the member walks
// the screens and the app gets its code (and its state and nonce back
// intact); just over and well over, /authorize sends the browser straight
// back to the app with invalid_request naming the parameter and its limit.
// Both profiles.
func TestLongAuthorizeValues(t *testing.T) {
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) {
			srv := startSandbox(t, sandboxOptions{Run: true, Profile: profile})
			for _, l := range authorizeValueLimits {
				for _, n := range []int{l.max - 1, l.max, l.max + 1, 1300, 10 * l.max} {
					t.Run(l.param+"/"+strconv.Itoa(n), func(t *testing.T) {
						value := longValue(n)
						wantState := "test"
						if l.param == "state" {
							wantState = value
						}
						authorize := longAuthorizeURL(srv.URL, map[string]string{l.param: value})
						if n > l.max {
							wantRefused(t, authorize, wantState, l.param, strconv.Itoa(l.max))
							return
						}
						back := walk(t, srv.newBrowser(t), authorize, member{username: "BCNCUser03", password: "BCNCPSWD03"})
						code := codeFrom(t, back, wantState)
						if l.param == "nonce" {
							tok := exchangeWithVerifier(t, srv.URL, code)
							if got, _ := jwtClaims(t, tok.IDToken)["nonce"].(string); got != value {
								t.Errorf("id_token nonce is %d characters, want the %d sent", len(got), n)
							}
						}
					})
				}
			}
		})
	}
}

// TestLongAuthorizeValuesTogether: all three at their limits at once still
// fit beside the scopes a SMART app usually asks for, in both profiles
// (README, "Limits" promises each limit, not a share of one).
func TestLongAuthorizeValuesTogether(t *testing.T) {
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) {
			srv := startSandbox(t, sandboxOptions{Run: true, Profile: profile})
			extra := map[string]string{"scope": "openid fhirUser profile offline_access launch/patient patient/*.read"}
			for _, l := range authorizeValueLimits {
				extra[l.param] = longValue(l.max)
			}
			back := walk(t, srv.newBrowser(t), longAuthorizeURL(srv.URL, extra), member{username: "BCNCUser03", password: "BCNCPSWD03"})
			code := codeFrom(t, back, extra["state"])
			if got := jwtClaims(t, exchangeWithVerifier(t, srv.URL, code).IDToken)["nonce"]; got != extra["nonce"] {
				t.Error("the id_token does not carry the nonce sent")
			}
		})
	}
}

// TestOverlongRequestIsRefusedNotStranded: values within each limit that
// still do not fit together (here characters the sealed request must
// escape) are refused by the same redirect, never a consent page that
// cannot open.
func TestOverlongRequestIsRefusedNotStranded(t *testing.T) {
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) {
			srv := startSandbox(t, sandboxOptions{Run: true, Profile: profile})
			state := strings.Repeat("<&>", 512/3)
			wantRefused(t, longAuthorizeURL(srv.URL, map[string]string{"state": state}), state, "too long", "")
		})
	}
}

// wantRefused checks that authorize answers a redirect to the docs' client
// with invalid_request, state echoed, and a description that says each of says.
func wantRefused(t *testing.T, authorize, wantState string, says ...string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize answered %d %q, want a redirect to the app", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != docsRedir {
		// The reproduction: the browser was sent to the consent screens,
		// which cannot open a request this long ("Start from your app").
		p := newBrowserVia(t, http.DefaultTransport).get(loc.String())
		t.Fatalf("redirected to %s (which answers %d), want %s with invalid_request", got, p.Status, docsRedir)
	}
	q := loc.Query()
	if q.Get("error") != "invalid_request" || q.Get("state") != wantState || q.Get("iss") == "" {
		t.Errorf("error %q, state of %d characters (want %d), iss %q", q.Get("error"), len(q.Get("state")), len(wantState), q.Get("iss"))
	}
	for _, s := range says {
		if !strings.Contains(q.Get("error_description"), s) {
			t.Errorf("error_description %q does not say %q", q.Get("error_description"), s)
		}
	}
}

// exchangeWithVerifier is the docs' client's code exchange with the PKCE
// verifier of longAuthorizeURL.
func exchangeWithVerifier(t *testing.T, base, code string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}, "code_verifier": {pkceVerifier}}
	resp, err := http.PostForm(base+issuerPath+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.IDToken == "" {
		t.Fatalf("token: %d %+v %v", resp.StatusCode, tr, err)
	}
	return tr
}

// TestLongAuthorizeValuesUnderAutoApprove: --auto-approve skips the screens
// but keeps the limits, so a CI run meets the answer a member would.
func TestLongAuthorizeValuesUnderAutoApprove(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true, AutoApprove: "BCNCUser03"})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(longAuthorizeURL(srv.URL, map[string]string{"state": longValue(512)}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	codeFrom(t, loc, longValue(512))
	wantRefused(t, longAuthorizeURL(srv.URL, map[string]string{"state": longValue(513)}), longValue(513), "state", "512")
}
