package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// sandboxOptions are the settings a test starts a sandbox with. The zero
// value is the defaults noted beside each field; every other field is the
// flag of the same name (README, "Settings").
type sandboxOptions struct {
	// Run serves through Run on 127.0.0.1:0, as main does, for tests of
	// Run itself (banner, shutdown, TLS, the server's limits) and for
	// clients that need a socket (a real browser). Otherwise the handler
	// newApp built is served in process, with no listener, through
	// inProcess.
	Run bool

	Profile       string        // "": bcbsnc
	AutoApprove   string        // a username
	BaseURL       string        // in process only: under Run the banner names it instead of the port
	Clients       bool          // --clients with clientB and publicApp beside the docs' client
	Seed          int64         // 0: 1
	Members       int           // 0: 50, quick to build and enough for every test
	TokenTTL      time.Duration // 0: an hour
	SigningKey    string        // "": testKeyFile(), one key for the package
	LogFormat     string        // "": text
	TLSSelfSigned bool          // Run only
	TLSCert       string        // Run only, with TLSKey
	TLSKey        string

	// Args are further flags, as a command line gives them; Env sets
	// environment twins (SANDBOX_*), which a flag overrides.
	Args []string
	Env  map[string]string

	// Log receives the request log (under Run, all of stderr); nil keeps
	// it in sandbox.logs.
	Log io.Writer

	// Shared, in process only, is a store this sandbox shares with others
	// of the test, as replicas share one Redis (--store).
	Shared store.Store
}

// args are the command-line flags for o.
func (o sandboxOptions) args(tb testing.TB) []string {
	tb.Helper()
	members, key := o.Members, o.SigningKey
	if members == 0 {
		members = 50
	}
	if key == "" {
		key = testKeyFile()
	}
	args := []string{"--members", strconv.Itoa(members), "--signing-key", key}
	for _, f := range [...]struct{ name, value string }{
		{"profile", o.Profile}, {"auto-approve", o.AutoApprove}, {"base-url", o.BaseURL},
		{"log-format", o.LogFormat}, {"tls-cert", o.TLSCert}, {"tls-key", o.TLSKey},
	} {
		if f.value != "" {
			args = append(args, "--"+f.name, f.value)
		}
	}
	if o.Seed != 0 {
		args = append(args, "--seed", strconv.FormatInt(o.Seed, 10))
	}
	if o.TokenTTL != 0 {
		args = append(args, "--token-ttl", o.TokenTTL.String())
	}
	if o.Clients {
		args = append(args, "--clients", clientsFile(tb))
	}
	if o.TLSSelfSigned {
		args = append(args, "--tls-self-signed")
	}
	if !o.Run && !o.setsControlHosts() {
		// In process the requests name the host sandbox.test, which the
		// control API answers on only when allowed.
		args = append(args, "--control-hosts", inProcessHost)
	}
	return append(args, o.Args...)
}

// inProcessHost is the host of an in-process sandbox's URL.
const inProcessHost = "sandbox.test"

// setsControlHosts reports whether the test chose the control API's hosts
// itself, by flag or by its environment twin.
func (o sandboxOptions) setsControlHosts() bool {
	if _, ok := o.Env["SANDBOX_CONTROL_HOSTS"]; ok {
		return true
	}
	for _, a := range o.Args {
		if a == "--control-hosts" || strings.HasPrefix(a, "--control-hosts=") {
			return true
		}
	}
	return false
}

// sandbox is one wired sandbox and a client of it.
type sandbox struct {
	endpoint
	app  *app        // in process only: what newApp built (handler, catalog, clients)
	wire *inProcess  // in process only: the client's transport, which notes the routes reached
	logs *syncBuffer // the request log (under Run, all of stderr), unless Log took it

	// Under Run only.
	cancel context.CancelFunc
	done   chan struct{} // closed once Run has returned runErr
	runErr error
}

// endpoint is where a test's requests go: URL and a client that never
// follows a redirect, so the test sees every Location. Under Run with TLS
// the certificate is the test's to trust, with a transport of its own.
type endpoint struct {
	URL    string // http://sandbox.test in process; the banner's URL under Run
	client *http.Client
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// startSandbox starts a sandbox for the test and stops it when the test ends.
func startSandbox(tb testing.TB, o sandboxOptions) *sandbox {
	tb.Helper()
	sb, err := trySandbox(tb, o)
	if err != nil {
		tb.Fatalf("the sandbox did not start: %v\n%s", err, sb.logs)
	}
	return sb
}

// trySandbox is startSandbox for a test that expects the start to fail: it
// returns newApp's error, or under Run what Run returned before serving.
func trySandbox(tb testing.TB, o sandboxOptions) (*sandbox, error) {
	tb.Helper()
	sb := &sandbox{logs: &syncBuffer{max: 1 << 20}}
	logs := o.Log
	if logs == nil {
		logs = sb.logs
	}
	if o.Run {
		return sb, sb.run(tb, o, logs)
	}
	if o.TLSSelfSigned || o.TLSCert != "" {
		tb.Fatal("TLS needs a listener: set Run")
	}
	cfg, err := parseConfig(o.args(tb), envOf(o.Env), io.Discard)
	if err != nil {
		return sb, err
	}
	cfg.shared = o.Shared
	sb.app, err = newApp(cfg, newLogger(cfg.LogFormat, logs))
	if err != nil {
		return sb, err
	}
	if o.Shared == nil {
		tb.Cleanup(sb.app.close) // a store the test passed is the test's to close
	}
	sb.wire = newInProcess(tb, sb.app)
	sb.endpoint = endpoint{URL: "http://" + inProcessHost, client: &http.Client{Transport: sb.wire, CheckRedirect: noRedirect}}
	return sb, nil
}

var bannerURL = regexp.MustCompile(`listening on (\S+) `)

// run calls Run as main does and waits for the banner to name the URL.
func (sb *sandbox) run(tb testing.TB, o sandboxOptions, stderr io.Writer) error {
	tb.Helper()
	if o.BaseURL != "" {
		tb.Fatal("under Run the banner names --base-url, not the port: serve a base URL in process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	sb.cancel, sb.done = cancel, make(chan struct{})
	var stdout syncBuffer
	args := append([]string{"--addr", "127.0.0.1:0"}, o.args(tb)...)
	go func() {
		sb.runErr = Run(ctx, args, envOf(o.Env), &stdout, stderr)
		close(sb.done)
	}()
	tr := &http.Transport{}
	tb.Cleanup(func() {
		tr.CloseIdleConnections()
		cancel()
		select {
		case <-sb.done:
		case <-time.After(15 * time.Second):
			tb.Error("run did not return within 15s of its context being cancelled")
		}
	})
	deadline := time.After(20 * time.Second)
	for {
		if m := bannerURL.FindStringSubmatch(stdout.String()); m != nil {
			sb.endpoint = endpoint{URL: m[1], client: &http.Client{Transport: tr, CheckRedirect: noRedirect}}
			return nil
		}
		select {
		case <-sb.done:
			if sb.runErr == nil {
				return errors.New("run returned nil before serving")
			}
			return sb.runErr
		case <-deadline:
			return errors.New("no banner within 20s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels Run's context: what SIGTERM does in main.
func (sb *sandbox) stop() { sb.cancel() }

// runResult is what Run returned; the test fails if Run has not returned
// within d.
func (sb *sandbox) runResult(tb testing.TB, d time.Duration) error {
	tb.Helper()
	select {
	case <-sb.done:
		return sb.runErr
	case <-time.After(d):
		tb.Fatalf("run did not return within %v", d)
		return nil
	}
}

// testKeyFile is one RSA key for the whole package: generating one costs
// ~100 ms on these machines (measured).
var testKeyFile = sync.OnceValue(func() string {
	dir, err := os.MkdirTemp("", "sandbox-test-key")
	if err != nil {
		panic(err)
	}
	path := filepath.Join(dir, "key.pem")
	if _, err := loadSigningKey(path); err != nil {
		panic(err)
	}
	return path
})

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

// send makes one request and reads the answer. target, a path and raw
// query, is sent byte for byte: traversal and escapes reach the server as
// written.
func (ep endpoint) send(tb testing.TB, method, target string, h http.Header, body string) (int, http.Header, []byte) {
	tb.Helper()
	u, err := url.Parse(ep.URL)
	if err != nil {
		tb.Fatal(err)
	}
	u.Opaque, u.RawQuery, _ = strings.Cut(target, "?")
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ep.URL+"/", rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.URL = u
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := ep.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// get reads target, with a bearer token unless token is "".
func (ep endpoint) get(tb testing.TB, target, token string) (int, []byte) {
	tb.Helper()
	var h http.Header
	if token != "" {
		h = hdr("Authorization", "Bearer "+token)
	}
	status, _, body := ep.send(tb, http.MethodGet, target, h, "")
	return status, body
}

// controlPost posts a JSON body to the control API.
func (ep endpoint) controlPost(tb testing.TB, path, body string) (int, string) {
	tb.Helper()
	status, _, raw := ep.send(tb, http.MethodPost, path, hdr("Content-Type", "application/json"), body)
	return status, string(raw)
}

// tokenResponse is the token endpoint's answer as README, "Tokens" lists it.
type tokenResponse struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    float64 `json:"expires_in"`
	Scope        string  `json:"scope"`
	RefreshToken string  `json:"refresh_token"`
	Patient      string  `json:"patient"`
	IDToken      string  `json:"id_token"`
	Error        string  `json:"error"`
}

// tokenCall posts form to the token endpoint with an optional Authorization
// header; every answer of the endpoint is JSON (RFC 6749 §5.1, §5.2).
func (ep endpoint) tokenCall(tb testing.TB, form url.Values, auth string) (int, tokenResponse, string) {
	tb.Helper()
	if form.Get("client_secret") == "" {
		form.Del("client_secret")
	}
	h := hdr("Content-Type", formType)
	if auth != "" {
		h.Set("Authorization", auth)
	}
	status, _, raw := ep.send(tb, http.MethodPost, issuerPath+"/token", h, form.Encode())
	var tr tokenResponse
	if err := json.Unmarshal(raw, &tr); err != nil {
		tb.Fatalf("the token endpoint answered %d with no JSON (%v): %s", status, err, raw)
	}
	return status, tr, string(raw)
}

// docsTokenCall is Step 2's curl from the docs, misspelled content type and all.
func (ep endpoint) docsTokenCall(tb testing.TB, code, redirect string) (int, tokenResponse) {
	tb.Helper()
	body := "grant_type=authorization_code&code=" + code + "&redirect_uri=" + redirect +
		"&client_id=" + docsClientID + "&client_secret=" + docsClientSecret
	status, h, raw := ep.send(tb, http.MethodPost, issuerPath+"/token", hdr("Content-Type", "application/x-www-formurlencoded;charset=UTF-8"), body)
	var tr tokenResponse
	if err := json.Unmarshal(raw, &tr); err != nil {
		tb.Fatalf("the token endpoint answered %d with no JSON (%v): %s", status, err, raw)
	}
	if h.Get("Cache-Control") != "no-store" {
		tb.Errorf("token response Cache-Control %q, want no-store", h.Get("Cache-Control"))
	}
	return status, tr
}

// redeem exchanges code and requires success.
func (ep endpoint) redeem(tb testing.TB, cl testClient, code string) tokenResponse {
	tb.Helper()
	status, tr, raw := ep.tokenCall(tb, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cl.redirect},
		"client_id": {cl.id}, "client_secret": {cl.secret},
	}, "")
	if status != http.StatusOK || tr.AccessToken == "" {
		tb.Fatalf("redeem for %s: %d %s", cl.id, status, raw)
	}
	return tr
}

// mintCode runs /authorize on an --auto-approve sandbox as username (its
// login_hint) and returns the code. extra adds or replaces parameters.
func (ep endpoint) mintCode(tb testing.TB, cl testClient, username string, extra url.Values) string {
	tb.Helper()
	q := url.Values{
		"response_type": {"code"}, "client_id": {cl.id}, "redirect_uri": {cl.redirect},
		"scope": {"openid fhirUser profile offline_access patient/*.read"}, "state": {"s-0123456789abcdef"},
		"login_hint": {username},
	}
	for k, v := range extra {
		q[k] = v
	}
	status, h, _ := ep.send(tb, http.MethodGet, issuerPath+"/authorize?"+q.Encode(), nil, "")
	loc, err := url.Parse(h.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		tb.Fatalf("auto-approve for %s gave %d %q", cl.id, status, h.Get("Location"))
	}
	return loc.Query().Get("code")
}

// approvedTokens are tokens for username from an --auto-approve sandbox:
// a minted code and Step 2's token call.
func (ep endpoint) approvedTokens(tb testing.TB, username string) tokenResponse {
	tb.Helper()
	status, tok := ep.docsTokenCall(tb, ep.mintCode(tb, docsApp, username, nil), docsRedir)
	if status != http.StatusOK {
		tb.Fatalf("token: %d %+v", status, tok)
	}
	return tok
}

// newBrowser is a browser with a cookie jar of its own over the client's transport.
func (ep endpoint) newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserVia(t, ep.client.Transport)
}

// consent walks the screens from the docs' authorize URL as m in a new
// browser and returns the redirect back to the app.
func (ep endpoint) consent(t *testing.T, m member) *url.URL {
	t.Helper()
	return walk(t, ep.newBrowser(t), docsAuthorizeURL(ep.URL), m)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads. With max > 0 it keeps only the first max bytes, so
// a long run's log does not weigh on the heap the soak measures.
type syncBuffer struct {
	max int

	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.max > 0 && b.buf.Len()+len(p) > b.max {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// inProcess is an http.RoundTripper that puts each request on the wire
// format and back (http.Request.Write, http.ReadRequest), as a connection
// would, and serves it with the app's handler. It records which route of
// the echo router every request reached, so a battery can prove it covered
// them all.
type inProcess struct {
	e *echo.Echo

	mu     sync.Mutex // guards routes
	routes map[string]bool
}

func newInProcess(tb testing.TB, a *app) *inProcess {
	tb.Helper()
	e, ok := a.handler.(*echo.Echo)
	if !ok {
		tb.Fatalf("the app's handler is a %T, not the echo router", a.handler)
	}
	return &inProcess{e: e, routes: map[string]bool{}}
}

func (p *inProcess) RoundTrip(out *http.Request) (*http.Response, error) {
	var wire bytes.Buffer
	if err := out.Write(&wire); err != nil {
		return nil, err
	}
	in, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return nil, err
	}
	in.RemoteAddr = "192.0.2.7:40000"
	p.note(in)
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = out
	return resp, nil
}

// note records the route the router picks for r, as "METHOD path".
func (p *inProcess) note(r *http.Request) {
	c := p.e.NewContext(r, httptest.NewRecorder())
	p.e.Router().Find(r.Method, echo.GetPath(r), c)
	if c.Path() == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes[r.Method+" "+c.Path()] = true
}

func (p *inProcess) reached(method, path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.routes[method+" "+path]
}
