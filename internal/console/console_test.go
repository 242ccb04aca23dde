package console

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

type exchangeCall struct {
	method, path string
	header       http.Header
	form         url.Values
}

// testFHIRTypes stand in for the FHIR route table, which main passes in.
var testFHIRTypes = []FHIRType{
	{Name: "Patient", Params: []FHIRParam{{Name: "_id", Member: true}, {Name: "_lastUpdated", Example: "gt2020-02-13T08:00:00-05:00"}}},
	{Name: "ExplanationOfBenefit", Params: []FHIRParam{{Name: "patient", Member: true}, {Name: "type", Example: "carrier,pde"}, {Name: "identifier", Example: "http://example.com/id#x|a+b c"}}},
	{Name: "Practitioner"},
}

var testClients = []Client{
	{ID: "JVjR77J3j4BaRVqoDtLx", Name: "docs app", Secret: "SR3SrK6U1WpGOdjWS2LY", RedirectURIs: []string{"https://oidcdebugger.com/debug", "{base}/debug"}},
	{ID: "public-debug", Name: "Public app", Public: true, RedirectURIs: []string{"{base}/debug"}},
	{ID: "elsewhere", Name: "Other app", Secret: "s", RedirectURIs: []string{"https://app.example/cb"}},
}

// newTestConsole serves a console whose calls to the sandbox answer() decides.
func newTestConsole(t *testing.T, answer func(method, path string, form url.Values) (int, []byte)) (*echo.Echo, *[]exchangeCall) {
	t.Helper()
	var calls []exchangeCall
	c, err := New(Config{
		BaseURL:       func(*http.Request) string { return "http://sandbox.test" },
		IssuerPath:    "/fhirmember/sps/oauth/oauth20",
		FHIRPath:      "/fhir/sb/R4/patientaccess",
		Profile:       profile.BCBSNC,
		Accounts:      []Account{{Username: "BCNCUser03", Password: "BCNCPSWD03", PatientID: "-20140000008325", Description: "Jane <b>Doe</b>"}},
		Clients:       testClients,
		DebugClientID: "JVjR77J3j4BaRVqoDtLx",
		Call: func(ctx context.Context, r *http.Request, method, path string, h http.Header, form url.Values) (int, []byte, error) {
			calls = append(calls, exchangeCall{method: method, path: path, header: h, form: form})
			status, body := answer(method, path, form)
			return status, body, nil
		},
		ClientChecks: func(state string) []string {
			if state == "test" {
				return []string{"state is short"}
			}
			return nil
		},
		Key:       []byte("0123456789abcdef0123456789abcdef"),
		FHIRTypes: testFHIRTypes,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	c.Register(e.Group(""))
	return e, &calls
}

func do(e *echo.Echo, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func TestHomePage(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	w := do(e, httptest.NewRequest("GET", "/", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "BCNCUser03") || !strings.Contains(body, "BCNCPSWD03") {
		t.Fatalf("home page: %d\n%s", w.Code, body)
	}
	if strings.Contains(body, "<b>Doe</b>") {
		t.Error("an account description was not escaped")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options"} {
		if w.Header().Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	// Viewing the home page opens no flow: a second tab on it cannot
	// disturb a flow started in the first.
	if cks := w.Result().Cookies(); len(cks) != 0 {
		t.Errorf("the home page set cookies: %v", cks)
	}
	if strings.Contains(body, "SR3SrK6U1WpGOdjWS2LY") {
		t.Error("the home page shows a client secret")
	}
	for _, want := range []string{`href="/debug/start"`, `value="public-debug"`, `name="scope"`, `value="off"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	if strings.Contains(body, `value="elsewhere"`) {
		t.Error("Try it offers a client whose redirect URIs do not include the debugger")
	}
}

// startFlow presses Try it with query and returns the authorize query and
// the flow cookie it set.
func startFlow(t *testing.T, e *echo.Echo, query string, cookies ...*http.Cookie) (url.Values, *http.Cookie, []*http.Cookie) {
	t.Helper()
	r := httptest.NewRequest("GET", "/debug/start?"+query, nil)
	for _, ck := range cookies {
		r.AddCookie(ck)
	}
	w := do(e, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("Try it: %d %s", w.Code, w.Body)
	}
	u, err := url.Parse(w.Header().Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), "http://sandbox.test/fhirmember/sps/oauth/oauth20/authorize?") {
		t.Fatalf("Try it went to %q", w.Header().Get("Location"))
	}
	q := u.Query()
	var set *http.Cookie
	var all []*http.Cookie
	for _, ck := range w.Result().Cookies() {
		all = append(all, ck)
		if ck.Name == flowCookieName(q.Get("state")) {
			set = ck
		}
	}
	if set == nil {
		t.Fatalf("Try it set no cookie for its state; cookies %v", w.Result().Cookies())
	}
	return q, set, all
}

func TestTryItStartsItsOwnFlow(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	q, ck, _ := startFlow(t, e, "")
	if q.Get("client_id") != "JVjR77J3j4BaRVqoDtLx" || q.Get("redirect_uri") != "http://sandbox.test/debug" || q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 16 {
		t.Errorf("Try it query %v", q)
	}
	if !ck.HttpOnly || ck.Path != "/debug" || ck.MaxAge != 3600 || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("flow cookie %+v", ck)
	}
	if strings.Contains(ck.Value, q.Get("code_challenge")) {
		t.Error("the cookie holds the challenge, not the verifier")
	}

	q, _, _ = startFlow(t, e, "client_id=public-debug&pkce=off&scope=openid&scope=patient/Patient.read&login_hint=BCNCUser07")
	if q.Get("client_id") != "public-debug" || q.Get("code_challenge_method") != "S256" || q.Get("scope") != "openid patient/Patient.read" || q.Get("login_hint") != "BCNCUser07" {
		t.Errorf("a public client's flow must use PKCE whatever the form says: %v", q)
	}
	q, _, _ = startFlow(t, e, "pkce=off")
	if q.Has("code_challenge") {
		t.Errorf("PKCE off still sent a challenge: %v", q)
	}
	w := do(e, httptest.NewRequest("GET", "/debug/start?client_id=elsewhere", nil))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "--clients") {
		t.Errorf("Try it for a client without the debugger: %d", w.Code)
	}
}

// At most maxOpenFlows flows stay open per browser: the next Try it
// expires the oldest.
func TestTryItBoundsOpenFlows(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	var jar []*http.Cookie
	for i := 0; i < maxOpenFlows+2; i++ {
		_, _, set := startFlow(t, e, "", jar...)
		for _, ck := range set {
			jar = slices.DeleteFunc(jar, func(old *http.Cookie) bool { return old.Name == ck.Name })
			if ck.MaxAge > 0 {
				jar = append(jar, ck)
			}
		}
		if len(jar) > maxOpenFlows {
			t.Fatalf("after %d flows the browser holds %d flow cookies, want at most %d", i+1, len(jar), maxOpenFlows)
		}
	}
}

func TestDebugShowsResponseAndChecks(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	w := do(e, httptest.NewRequest("GET", "/debug?code=abc123&state=test&iss=http://sandbox.test/x", nil))
	body := w.Body.String()
	for _, want := range []string{"abc123", "state is short", `name="csrf"`, "Exchange the code for tokens", "Not started from this browser"} {
		if !strings.Contains(body, want) {
			t.Errorf("debug page lacks %q", want)
		}
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("debugger CSP %q", csp)
	}
	if strings.Contains(body, "<script>") || !strings.Contains(body, `<script src="/static/console.js" defer></script>`) {
		t.Error("the debugger's script must be the served file, never inline")
	}
	w = do(e, httptest.NewRequest("GET", "/debug?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E", nil))
	if body := w.Body.String(); !strings.Contains(body, "access_denied") || strings.Contains(body, "<script>alert") || strings.Contains(body, "Exchange the code") {
		t.Errorf("error page:\n%s", body)
	}
}

func TestPostmanCollection(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	w := do(e, httptest.NewRequest("GET", "/postman.json", nil))
	var c struct {
		Info struct {
			Schema string `json:"schema"`
		} `json:"info"`
		Auth struct {
			Type   string `json:"type"`
			Bearer []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"bearer"`
		} `json:"auth"`
		Item []json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Info.Schema != postmanSchema || c.Auth.Type != "bearer" || len(c.Auth.Bearer) != 1 || c.Auth.Bearer[0].Value != "{{accessToken}}" || len(c.Item) == 0 {
		t.Fatalf("not a v2.1 collection whose requests send the kept access token: %+v %+v", c.Info, c.Auth)
	}
	if strings.Contains(w.Body.String(), `\u0026`) {
		t.Error("URLs are HTML-escaped in the collection")
	}
}

func s256(v string) string {
	return base64.RawURLEncoding.EncodeToString(sha256Sum(v))
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i+len(from):]
	return s[:strings.Index(s, to)]
}

func sha256Sum(v string) []byte {
	h := sha256.Sum256([]byte(v))
	return h[:]
}

// New refuses a config it cannot serve safely: without a key of the size
// the CSRF MAC needs, the exchange form would be unprotected.
func TestNewRefusesConfig(t *testing.T) {
	exchange := func(context.Context, *http.Request, string, string, http.Header, url.Values) (int, []byte, error) {
		return 0, nil, nil
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no exchange", Config{Key: key, FHIRTypes: testFHIRTypes}},
		{"no key", Config{Call: exchange, FHIRTypes: testFHIRTypes}},
		{"16-byte key", Config{Call: exchange, Key: key[:16], FHIRTypes: testFHIRTypes}},
		{"33-byte key", Config{Call: exchange, Key: append(key, 'x'), FHIRTypes: testFHIRTypes}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	if _, err := New(Config{Call: exchange, Key: key, FHIRTypes: testFHIRTypes}); err != nil {
		t.Errorf("a 32-byte key: %v", err)
	}
}
