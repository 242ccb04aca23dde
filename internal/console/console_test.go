package console

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

type exchangeCall struct {
	form url.Values
}

// testFHIRTypes stand in for the FHIR route table, which main passes in.
var testFHIRTypes = []FHIRType{
	{Name: "Patient", Params: []FHIRParam{{Name: "_id", Member: true}, {Name: "_lastUpdated", Example: "gt2020-02-13T08:00:00-05:00"}}},
	{Name: "ExplanationOfBenefit", Params: []FHIRParam{{Name: "patient", Member: true}, {Name: "type", Example: "carrier,pde"}, {Name: "identifier", Example: "http://example.com/id#x|a+b c"}}},
	{Name: "Practitioner"},
}

func newTestConsole(t *testing.T, answer func(url.Values) (int, []byte)) (*echo.Echo, *[]exchangeCall) {
	t.Helper()
	var calls []exchangeCall
	c, err := New(Config{
		BaseURL:       func(*http.Request) string { return "http://sandbox.test" },
		IssuerPath:    "/fhirmember/sps/oauth/oauth20",
		FHIRPath:      "/fhir/sb/R4/patientaccess",
		Profile:       profile.BCBSNC,
		Accounts:      []Account{{Username: "BCNCUser03", Password: "BCNCPSWD03", PatientID: "-20140000008325", Description: "Jane <b>Doe</b>"}},
		Clients:       []Client{{ID: "JVjR77J3j4BaRVqoDtLx", Name: "docs app", RedirectURIs: []string{"{base}/debug"}}},
		DebugClientID: "JVjR77J3j4BaRVqoDtLx", DebugClientSecret: "SR3SrK6U1WpGOdjWS2LY",
		Exchange: func(ctx context.Context, r *http.Request, form url.Values) (int, []byte, error) {
			calls = append(calls, exchangeCall{form: form})
			status, body := answer(form)
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
	// The Try it link starts the docs' flow with S256 PKCE whose verifier
	// the debugger gets back from the cookie.
	i := strings.Index(body, `href="http://sandbox.test/fhirmember/sps/oauth/oauth20/authorize?`)
	if i < 0 {
		t.Fatal("no Try it link to /authorize")
	}
	href := body[i+6:]
	href = html.UnescapeString(href[:strings.IndexByte(href, '"')])
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "JVjR77J3j4BaRVqoDtLx" || q.Get("redirect_uri") != "http://sandbox.test/debug" || q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 16 {
		t.Errorf("Try it query %v", q)
	}
	var verifier string
	for _, ck := range w.Result().Cookies() {
		if ck.Name == verifierCookie {
			verifier = ck.Value
			if !ck.HttpOnly {
				t.Error("the verifier cookie is readable by scripts")
			}
		}
	}
	if verifier == "" || q.Get("code_challenge") != s256(verifier) {
		t.Errorf("code_challenge %q does not match the verifier cookie %q", q.Get("code_challenge"), verifier)
	}
}

func TestDebugShowsResponseAndChecks(t *testing.T) {
	e, _ := newTestConsole(t, nil)
	w := do(e, httptest.NewRequest("GET", "/debug?code=abc123&state=test&iss=http://sandbox.test/x", nil))
	body := w.Body.String()
	for _, want := range []string{"abc123", "state is short", `name="csrf"`, "Exchange the code for tokens"} {
		if !strings.Contains(body, want) {
			t.Errorf("debug page lacks %q", want)
		}
	}
	w = do(e, httptest.NewRequest("GET", "/debug?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E", nil))
	if body := w.Body.String(); !strings.Contains(body, "access_denied") || strings.Contains(body, "<script>") || strings.Contains(body, "Exchange the code") {
		t.Errorf("error page:\n%s", body)
	}
}

func TestDebugExchange(t *testing.T) {
	idToken := b64(`{"alg":"RS256","kid":"k1"}`) + "." + b64(`{"sub":"BCNCUser03","fhirUser":"http://sandbox.test/fhir/sb/R4/patientaccess/Patient/-20140000008325"}`) + ".sig"
	e, calls := newTestConsole(t, func(url.Values) (int, []byte) {
		return 200, []byte(`{"access_token":"AT","token_type":"Bearer","patient":"-20140000008325","id_token":"` + idToken + `"}`)
	})
	page := do(e, httptest.NewRequest("GET", "/debug?code=abc123&state=xyz", nil)).Body.String()
	csrf := between(page, `name="csrf" value="`, `"`)

	post := func(form url.Values, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/debug", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: verifierCookie, Value: cookie})
		}
		return do(e, r)
	}
	if w := post(url.Values{"code": {"abc123"}, "csrf": {"forged"}}, ""); w.Code != http.StatusForbidden || len(*calls) != 0 {
		t.Fatalf("a forged CSRF token: %d, %d exchanges", w.Code, len(*calls))
	}
	if w := post(url.Values{"code": {"other-code"}, "csrf": {csrf}}, ""); w.Code != http.StatusForbidden {
		t.Fatalf("a CSRF token for another code: %d", w.Code)
	}
	w := post(url.Values{"code": {"abc123"}, "csrf": {csrf}, "state": {"xyz"}}, "the-verifier")
	if w.Code != 200 || len(*calls) != 1 {
		t.Fatalf("exchange: %d, %d calls", w.Code, len(*calls))
	}
	f := (*calls)[0].form
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != "abc123" || f.Get("redirect_uri") != "http://sandbox.test/debug" || f.Get("code_verifier") != "the-verifier" || f.Get("client_secret") == "" {
		t.Errorf("token request form %v", f)
	}
	body := w.Body.String()
	for _, want := range []string{`&#34;kid&#34;: &#34;k1&#34;`, "Patient/-20140000008325", `Coverage/?beneficiary=-20140000008325`, "ExplanationOfBenefit/?patient=-20140000008325", "Bearer AT", "/v1/connect/userinfo"} {
		if !strings.Contains(body, want) {
			t.Errorf("exchange page lacks %q", want)
		}
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
			OAuth2 []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"oauth2"`
		} `json:"auth"`
		Item []json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c.Info.Schema != postmanSchema || c.Auth.Type != "oauth2" || len(c.Item) == 0 {
		t.Fatalf("not a v2.1 collection with OAuth 2.0 auth: %+v", c.Info)
	}
	settings := map[string]any{}
	for _, kv := range c.Auth.OAuth2 {
		settings[kv.Key] = kv.Value
	}
	if settings["authUrl"] != "http://sandbox.test/fhirmember/sps/oauth/oauth20/authorize" || settings["accessTokenUrl"] != "http://sandbox.test/fhirmember/sps/oauth/oauth20/token" {
		t.Errorf("oauth2 settings %v", settings)
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
	exchange := func(context.Context, *http.Request, url.Values) (int, []byte, error) { return 0, nil, nil }
	key := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no exchange", Config{Key: key, FHIRTypes: testFHIRTypes}},
		{"no key", Config{Exchange: exchange, FHIRTypes: testFHIRTypes}},
		{"16-byte key", Config{Exchange: exchange, Key: key[:16], FHIRTypes: testFHIRTypes}},
		{"33-byte key", Config{Exchange: exchange, Key: append(key, 'x'), FHIRTypes: testFHIRTypes}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	if _, err := New(Config{Exchange: exchange, Key: key, FHIRTypes: testFHIRTypes}); err != nil {
		t.Errorf("a 32-byte key: %v", err)
	}
}
