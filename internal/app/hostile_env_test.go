package app

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testClient is a registered client as a test drives it.
type testClient struct{ id, secret, redirect string }

var (
	docsApp   = testClient{docsClientID, docsClientSecret, docsRedir}
	clientB   = testClient{"client-b", "secret-b-0123456789", "https://b.example/cb"}
	publicApp = testClient{"public-c", "", "http://127.0.0.1/cb"}
)

// clientsFile registers clientB and publicApp beside the docs' client
// (README, "Settings" --clients).
func clientsFile(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "clients.json")
	body := `[
 {"client_id": "client-b", "client_secret": "secret-b-0123456789", "redirect_uris": ["https://b.example/cb"], "client_name": "App B"},
 {"client_id": "public-c", "redirect_uris": ["http://127.0.0.1/cb"], "client_name": "Public C"}
]`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// hostileEnv is one wired sandbox with a second and a public client, an
// in-process client over it, and live grants minted on an --auto-approve
// replica that shares its signing key and clients.
type hostileEnv struct {
	app      *app
	wire     *inProcess
	http     *http.Client
	auto     http.Handler
	tokA     tokenResponse // docs' client, BCNCUser03
	tokB     tokenResponse // client B, BCNCUser04
	patientA string
	patientB string
}

func newHostileEnv(tb testing.TB) *hostileEnv {
	tb.Helper()
	clients := clientsFile(tb)
	a := newTestApp(tb, nil, "--clients", clients)
	auto := newTestApp(tb, nil, "--clients", clients, "--auto-approve", "BCNCUser03")
	env := &hostileEnv{app: a, auto: auto.handler}
	env.wire = newInProcess(tb, a)
	env.http = env.wire.client()
	env.tokA = env.redeem(tb, docsApp, env.mintCode(tb, docsApp, "BCNCUser03", nil))
	env.tokB = env.redeem(tb, clientB, env.mintCode(tb, clientB, "BCNCUser04", nil))
	env.patientA, env.patientB = env.tokA.Patient, env.tokB.Patient
	if env.patientA == "" || env.patientB == "" || env.patientA == env.patientB {
		tb.Fatalf("patients %q and %q: want two different members", env.patientA, env.patientB)
	}
	return env
}

// mintCode runs /authorize on the auto-approve replica as username (its
// login_hint) and returns the code. extra adds parameters (PKCE).
func (env *hostileEnv) mintCode(tb testing.TB, cl testClient, username string, extra url.Values) string {
	tb.Helper()
	q := url.Values{
		"response_type": {"code"}, "client_id": {cl.id}, "redirect_uri": {cl.redirect},
		"scope": {"openid fhirUser profile offline_access patient/*.read"}, "state": {"s-0123456789abcdef"},
		"login_hint": {username},
	}
	for k, v := range extra {
		q[k] = v
	}
	rec := serve(env.auto, newRequest(http.MethodGet, issuerPath+"/authorize?"+q.Encode(), "", nil))
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		tb.Fatalf("auto-approve for %s gave %d %q", cl.id, rec.Code, rec.Header().Get("Location"))
	}
	return loc.Query().Get("code")
}

// redeem exchanges code at the main app and requires success.
func (env *hostileEnv) redeem(tb testing.TB, cl testClient, code string) tokenResponse {
	tb.Helper()
	status, tr, raw := env.tokenCall(tb, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cl.redirect},
		"client_id": {cl.id}, "client_secret": {cl.secret},
	}, "")
	if status != http.StatusOK || tr.AccessToken == "" {
		tb.Fatalf("redeem for %s: %d %s", cl.id, status, raw)
	}
	return tr
}

// tokenCall posts form to the token endpoint with an optional Authorization header.
func (env *hostileEnv) tokenCall(tb testing.TB, form url.Values, auth string) (int, tokenResponse, string) {
	tb.Helper()
	if form.Get("client_secret") == "" {
		form.Del("client_secret")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://sandbox.test"+issuerPath+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := env.http.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var tr tokenResponse
	json.Unmarshal(raw, &tr)
	return resp.StatusCode, tr, string(raw)
}

// basicAuth is client_secret_basic: id and secret form-urlencoded, then
// base64 (RFC 6749 §2.3.1).
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
