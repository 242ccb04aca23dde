package consent

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"
)

// This file holds the test harness: a fake Flow that records Finish, a
// settable clock, and a browser (cookie jar, no redirects followed) that
// walks the screens the way a member's browser would, reading each page's
// form and posting it back.

const issuerPath = "/fhirmember/sps/oauth/oauth20"

// testKey is Config.Key for every test Screens unless a test needs another.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// testWords are Config.ResourceWords for every test Screens unless a test
// needs others; main passes the FHIR route table's.
var testWords = map[string]string{
	"Patient":              "your demographics: name, birth date, gender and address",
	"Coverage":             "your coverage: plans, benefit periods and member IDs",
	"ExplanationOfBenefit": "your claims: what was billed, paid and owed for each visit, stay or prescription",
}

// fakeFlow stands in for the authorization server.
type fakeFlow struct {
	mu        sync.Mutex
	requests  map[string]Request
	finished  []finishCall
	finishErr error
}

type finishCall struct {
	Handle   string
	Decision Decision
}

func newFakeFlow() *fakeFlow {
	return &fakeFlow{requests: map[string]Request{
		"h1": {ClientID: "app-1", ClientName: "Test App", Scopes: []string{"openid", "fhirUser", "profile", "patient/*.read", "offline_access"}},
	}}
}

// add registers a handle the fake will describe.
func (f *fakeFlow) add(handle string, r Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[handle] = r
}

// revoke makes a handle undescribable, as an expired one would be.
func (f *fakeFlow) revoke(handle string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.requests, handle)
}

func (f *fakeFlow) Describe(_ context.Context, handle string) (Request, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.requests[handle]
	if !ok {
		return Request{}, errors.New("fake: unknown handle")
	}
	return r, nil
}

func (f *fakeFlow) Finish(_ context.Context, handle string, d Decision) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finishErr != nil {
		return "", f.finishErr
	}
	f.finished = append(f.finished, finishCall{handle, d})
	if !d.Approved {
		return "https://app.example/cb?error=access_denied&state=s-" + handle, nil
	}
	return "https://app.example/cb?code=code-" + handle + "&state=s-" + handle, nil
}

// calls returns a copy of the Finish calls so far.
func (f *fakeFlow) calls() []finishCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]finishCall(nil), f.finished...)
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testAuthenticate accepts the docs' pattern: BCNCUserNN / BCNCPSWDNN.
func testAuthenticate(username, password string) bool {
	n, ok := strings.CutPrefix(username, "BCNCUser")
	return ok && n != "" && password == "BCNCPSWD"+n
}

// harness is one sandbox: a fake Flow, a clock, Screens and a server.
type harness struct {
	flow    *fakeFlow
	clock   *fakeClock
	screens *Screens
	srv     *httptest.Server
}

// newHarness serves Screens on an httptest server, registered on the issuer
// group exactly as main does. cfg's zero fields get the harness's fakes.
func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	h := &harness{flow: newFakeFlow(), clock: newFakeClock()}
	if cfg.Flow == nil {
		cfg.Flow = h.flow
	}
	if cfg.Authenticate == nil {
		cfg.Authenticate = testAuthenticate
	}
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	if cfg.Now == nil {
		cfg.Now = h.clock.Now
	}
	if cfg.ResourceWords == nil {
		cfg.ResourceWords = testWords
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.screens = s
	h.srv = serve(t, s)
	return h
}

// serve registers s on a fresh echo and serves it.
func serve(t testing.TB, s *Screens) *httptest.Server {
	t.Helper()
	e := echo.New()
	e.HideBanner = true
	e.Logger.SetOutput(io.Discard) // the 500 tests log on purpose
	s.Register(e.Group(issuerPath))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// browser is one member's browser: its own cookie jar, redirects not followed.
type browser struct {
	t      testing.TB
	client *http.Client
	base   string
	header http.Header // sent with every request
}

func newBrowser(t testing.TB, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, header: http.Header{}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is one response, its body parsed.
type page struct {
	Status int
	Header http.Header
	Body   string
	doc    *html.Node
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := &page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if p.doc, err = html.Parse(strings.NewReader(p.Body)); err != nil {
			b.t.Fatalf("parsing %s: %v", req.URL, err)
		}
	}
	return p
}

// get requests a path on the browser's server.
func (b *browser) get(path string) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// start opens the screens with a request handle, as the authorization
// server's redirect would.
func (b *browser) start(handle string) *page {
	b.t.Helper()
	return b.get(issuerPath + StartPath + "?request=" + url.QueryEscape(handle))
}

// postForm posts raw form values to a path.
func (b *browser) postForm(path string, v url.Values) *page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(v.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit posts p's form as a browser would: its hidden and filled-in
// fields and checked radios, with set overriding them (set a field to ""
// to send it empty; delete it from the result by not having it on the page).
func (b *browser) submit(p *page, set url.Values) *page {
	b.t.Helper()
	action, v := p.form(b.t)
	for k, vals := range set {
		v[k] = vals
	}
	return b.postForm(action, v)
}

// form returns the action and current values of the page's post form.
func (p *page) form(t testing.TB) (string, url.Values) {
	t.Helper()
	f := find(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "form" })
	if f == nil {
		t.Fatalf("no form on the page (status %d):\n%s", p.Status, p.Body)
	}
	if m := attr(f, "method"); m != "post" {
		t.Fatalf("form method %q, want post", m)
	}
	v := url.Values{}
	for _, in := range findAll(f, isElement("input")) {
		name := attr(in, "name")
		switch attr(in, "type") {
		case "radio", "checkbox":
			if hasAttr(in, "checked") {
				v.Add(name, attr(in, "value"))
			}
		default:
			v.Add(name, attr(in, "value"))
		}
	}
	return attr(f, "action"), v
}

// answers are what a member enters on the four screens.
type answers struct {
	Username, Password string
	Set3               url.Values // step 3's fields: who, relationship, full_name, other_relationship
	Set4               url.Values // step 4's fields: share, decision
}

// selfAgree is the common path: BCNCUser03, Self, share all, I Agree.
func selfAgree() answers {
	return answers{
		Username: "BCNCUser03", Password: "BCNCPSWD03",
		Set3: url.Values{"who": {"self"}},
		Set4: url.Values{"decision": {"agree"}},
	}
}

// walk drives b through every screen with a and returns the last response,
// failing the test if any intermediate screen is not the expected one.
func (b *browser) walk(handle string, a answers) *page {
	b.t.Helper()
	p := b.start(handle)
	p.mustBe(b.t, http.StatusOK, "I Understand")
	p = b.submit(p, nil)
	p.mustBe(b.t, http.StatusOK, "Log In")
	p = b.submit(p, url.Values{"username": {a.Username}, "password": {a.Password}})
	p.mustBe(b.t, http.StatusOK, "Personal Representative")
	p = b.submit(p, a.Set3)
	p.mustBe(b.t, http.StatusOK, "I Agree")
	return b.submit(p, a.Set4)
}

// mustBe fails unless p has the status and its body contains text.
func (p *page) mustBe(t testing.TB, status int, text string) {
	t.Helper()
	if p.Status != status || !strings.Contains(p.Body, text) {
		t.Fatalf("got status %d, want %d with %q; body:\n%s", p.Status, status, text, p.Body)
	}
}

// cookie returns the step cookie as the jar would send it, or nil.
func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.base + issuerPath + StartPath)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}
