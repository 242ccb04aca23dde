package control

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

const (
	issuer = "/fhirmember/sps/oauth/oauth20"
	fhir   = "/fhir/sb/R4/patientaccess"
)

// newRouter serves the control API beside stand-ins for the routes it steers.
func newRouter(t *testing.T, cfg Config) (*echo.Echo, *Control) {
	t.Helper()
	cfg.IssuerPath, cfg.FHIRPath = issuer, fhir
	cfg.BaseURL = func(*http.Request) string { return "http://sandbox.test" }
	cfg.Hosts = append(cfg.Hosts, "example.com") // httptest.NewRequest's Host
	c := New(cfg)
	e := echo.New()
	e.Use(c.Middleware())
	c.Register(e.Group(""))
	ok := func(ctx echo.Context) error { return ctx.String(http.StatusOK, "real handler") }
	e.POST(issuer+"/token", ok)
	e.GET(issuer+"/authorize", ok)
	e.GET(fhir+"/Patient/:id", ok)
	e.GET(fhir+"/ExplanationOfBenefit", ok)
	return e, c
}

func call(e *echo.Echo, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestFaultFiresExactlyNTimes(t *testing.T) {
	e, _ := newRouter(t, Config{})
	rec := call(e, "POST", Prefix+"/faults", `{"path": "`+fhir+`/*", "count": 3, "status": 503}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("arm: %d %s", rec.Code, rec.Body)
	}
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, call(e, "GET", fhir+"/Patient/x", "").Code)
	}
	want := []int{503, 503, 503, 200, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
	if list := call(e, "GET", Prefix+"/faults", ""); strings.TrimSpace(list.Body.String()) != "[]" {
		t.Errorf("a spent fault is still listed: %s", list.Body)
	}
}

func TestFaultMatchesMethodAndExactPath(t *testing.T) {
	e, _ := newRouter(t, Config{})
	call(e, "POST", Prefix+"/faults", `{"method": "POST", "path": "`+issuer+`/token", "status": 500}`)
	if rec := call(e, "GET", fhir+"/Patient/x", ""); rec.Code != 200 {
		t.Errorf("another path was faulted: %d", rec.Code)
	}
	if rec := call(e, "POST", issuer+"/token", ""); rec.Code != 500 || !strings.Contains(rec.Body.String(), `"server_error"`) {
		t.Errorf("token fault: %d %s, want 500 with an RFC 6749 body", rec.Code, rec.Body)
	}
}

func TestFaultKinds(t *testing.T) {
	cases := []struct {
		name, fault, method, path string
		status                    int
		check                     func(t *testing.T, rec *httptest.ResponseRecorder)
	}{
		{"429 with Retry-After", `{"path":"` + fhir + `/ExplanationOfBenefit","status":429,"retry_after":7}`, "GET", fhir + "/ExplanationOfBenefit", 429,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				if rec.Header().Get("Retry-After") != "7" {
					t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
				}
				if !strings.Contains(rec.Body.String(), `"detail"`) {
					t.Errorf("FHIR fault body is not the detail shape: %s", rec.Body)
				}
			}},
		{"oauth error on token", `{"path":"` + issuer + `/token","oauth_error":"invalid_grant"}`, "POST", issuer + "/token", 400,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				var body map[string]string
				json.Unmarshal(rec.Body.Bytes(), &body)
				if body["error"] != "invalid_grant" || body["error_description"] == "" {
					t.Errorf("body %s", rec.Body)
				}
			}},
		{"invalid_client is 401", `{"path":"` + issuer + `/token","oauth_error":"invalid_client"}`, "POST", issuer + "/token", 401,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				if rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			}},
		{"malformed body", `{"path":"` + fhir + `/Patient/*","malformed":true}`, "GET", fhir + "/Patient/1", 200,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				if json.Valid(rec.Body.Bytes()) {
					t.Errorf("malformed body parses: %s", rec.Body)
				}
				if rec.Header().Get("Content-Type") != "application/fhir+json" {
					t.Errorf("content type %q", rec.Header().Get("Content-Type"))
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newRouter(t, Config{})
			if rec := call(e, "POST", Prefix+"/faults", tc.fault); rec.Code != http.StatusCreated {
				t.Fatalf("arm: %d %s", rec.Code, rec.Body)
			}
			rec := call(e, tc.method, tc.path, "")
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			tc.check(t, rec)
		})
	}
}

func TestDelayThenRealHandler(t *testing.T) {
	e, _ := newRouter(t, Config{})
	call(e, "POST", Prefix+"/faults", `{"path":"`+fhir+`/Patient/*","delay_ms":150}`)
	start := time.Now()
	rec := call(e, "GET", fhir+"/Patient/1", "")
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("answered after %v, before the 150ms delay", took)
	}
	if rec.Code != 200 || rec.Body.String() != "real handler" {
		t.Errorf("a delay alone must let the real handler answer: %d %s", rec.Code, rec.Body)
	}
}

func TestAuthorizeErrorRedirectsOnlyToRegisteredURIs(t *testing.T) {
	e, _ := newRouter(t, Config{AuthorizeError: func(r *http.Request, code, desc string) (string, bool) {
		if r.URL.Query().Get("client_id") != "good" {
			return "", false
		}
		return "https://app.test/cb?error=" + code + "&state=" + url.QueryEscape(r.URL.Query().Get("state")), true
	}})
	call(e, "POST", Prefix+"/faults", `{"path":"`+issuer+`/authorize","count":2,"oauth_error":"server_error"}`)
	rec := call(e, "GET", issuer+"/authorize?client_id=good&state=s1", "")
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "https://app.test/cb?error=server_error&state=s1" {
		t.Fatalf("registered client: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = call(e, "GET", issuer+"/authorize?client_id=evil&redirect_uri=https://evil.test/", "")
	if rec.Header().Get("Location") != "" || rec.Body.String() != "real handler" {
		t.Fatalf("an unregistered client was redirected: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestArmRejectsBadFaults(t *testing.T) {
	e, _ := newRouter(t, Config{})
	for name, body := range map[string]string{
		"not json":          `{`,
		"unknown field":     `{"path":"/x","status":500,"colour":1}`,
		"relative path":     `{"path":"x","status":500}`,
		"no effect":         `{"path":"/x"}`,
		"2xx status":        `{"path":"/x","status":200}`,
		"unknown oauth err": `{"path":"/x","oauth_error":"nope"}`,
		"two outcomes":      `{"path":"/x","status":500,"malformed":true}`,
		"huge delay":        `{"path":"/x","delay_ms":999999}`,
		"control api":       `{"path":"/sandbox/reset","status":500}`,
		"two objects":       `{"path":"/x","status":500}{}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := call(e, "POST", Prefix+"/faults", body)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"detail"`) {
				t.Errorf("%d %s, want 400 with a detail", rec.Code, rec.Body)
			}
		})
	}
}

func TestClockAdvanceAndReset(t *testing.T) {
	clock := &Clock{}
	reset := false
	e, _ := newRouter(t, Config{Clock: clock, OnReset: []func(){func() { reset = true }}})
	before := clock.Now()
	if rec := call(e, "POST", Prefix+"/clock", `{"advance":"2h"}`); rec.Code != 200 {
		t.Fatalf("advance: %d %s", rec.Code, rec.Body)
	}
	if d := clock.Now().Sub(before); d < 2*time.Hour || d > 2*time.Hour+time.Minute {
		t.Errorf("clock moved %v, want 2h", d)
	}
	for _, bad := range []string{`{"advance":"-1h"}`, `{"advance":"soon"}`, `{}`} {
		if rec := call(e, "POST", Prefix+"/clock", bad); rec.Code != 400 {
			t.Errorf("%s: %d, want 400", bad, rec.Code)
		}
	}
	call(e, "POST", Prefix+"/faults", `{"path":"/x","status":500}`)
	call(e, "GET", fhir+"/Patient/1", "")
	if rec := call(e, "POST", Prefix+"/reset", ""); rec.Code != 200 {
		t.Fatalf("reset: %d", rec.Code)
	}
	if clock.Offset() != 0 || !reset {
		t.Errorf("reset left offset %v, hook ran %v", clock.Offset(), reset)
	}
	if body := call(e, "GET", Prefix+"/faults", "").Body.String(); strings.TrimSpace(body) != "[]" {
		t.Errorf("faults after reset: %s", body)
	}
	if body := call(e, "GET", Prefix+"/requests", "").Body.String(); strings.TrimSpace(body) != "[]" {
		t.Errorf("requests after reset: %s", body)
	}
}

func TestRequestLogRedactsAndChecks(t *testing.T) {
	e, c := newRouter(t, Config{})
	call(e, "GET", issuer+"/authorize?response_type=code&client_id=app&state=test&code_challenge=abc&code_challenge_method=plain", "")
	req := httptest.NewRequest("POST", issuer+"/token", strings.NewReader(""))
	req.Header.Set("Authorization", "Basic c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
	e.ServeHTTP(httptest.NewRecorder(), req)
	call(e, "GET", fhir+"/Patient/1?access_token=abcdefghijklmnopqrstuvwxyz", "")

	var log []Request
	rec := call(e, "GET", Prefix+"/requests?limit=10", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &log); err != nil || len(log) != 3 {
		t.Fatalf("log: %v %s", err, rec.Body)
	}
	auth, token, read := log[0], log[1], log[2]
	if auth.Path != issuer+"/authorize" || auth.Status != 200 || auth.Query["client_id"] != "app" {
		t.Errorf("authorize entry %+v", auth)
	}
	joined := strings.Join(auth.ClientChecks, "\n")
	for _, want := range []string{"state is short", "PKCE plain", "no aud"} {
		if !strings.Contains(joined, want) {
			t.Errorf("client checks %q lack %q", joined, want)
		}
	}
	if got := c.ClientChecks("test"); len(got) != len(auth.ClientChecks) {
		t.Errorf("ClientChecks(state) = %v", got)
	}
	if strings.Contains(token.Headers["Authorization"], "c2VjcmV0LXNlY3JldC1zZWNyZXQ=") || !strings.HasPrefix(token.Headers["Authorization"], "Basic ") {
		t.Errorf("Authorization header not redacted: %q", token.Headers["Authorization"])
	}
	if strings.Contains(read.Query["access_token"], "ijklmnop") || len(read.ClientChecks) == 0 {
		t.Errorf("access_token in query: %q checks %v", read.Query["access_token"], read.ClientChecks)
	}
	if rec := call(e, "GET", Prefix+"/requests?limit=0", ""); rec.Code != 400 {
		t.Errorf("limit=0: %d", rec.Code)
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	l := newRequestLog(3)
	for i := 0; i < 5; i++ {
		l.add(logged{}, &[fieldCount]string{fieldPath: string(rune('a' + i))})
	}
	got := l.last(10)
	if len(got) != 3 || got[0].Path != "c" || got[2].Path != "e" {
		t.Fatalf("ring holds %+v, want c d e", got)
	}
}

func TestMemberEditsNeedWiring(t *testing.T) {
	e, _ := newRouter(t, Config{})
	if rec := call(e, "POST", Prefix+"/members/-1/claims", `{"type":"carrier"}`); rec.Code != http.StatusNotImplemented {
		t.Errorf("unwired AddClaim: %d", rec.Code)
	}
	e, _ = newRouter(t, Config{AddClaim: func(p, typ string, now time.Time) (json.RawMessage, error) {
		switch {
		case p != "-1":
			return nil, ErrNotFound
		case typ != "carrier":
			return nil, ErrInvalid
		}
		return json.RawMessage(`{"resourceType":"ExplanationOfBenefit"}`), nil
	}})
	for _, tc := range []struct {
		patient, body string
		status        int
	}{
		{"-1", `{"type":"carrier"}`, 201},
		{"-2", `{"type":"carrier"}`, 404},
		{"-1", `{"type":"Carrier"}`, 400},
		{"-1", `{"kind":"carrier"}`, 400},
	} {
		if rec := call(e, "POST", Prefix+"/members/"+tc.patient+"/claims", tc.body); rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.patient, tc.body, rec.Code, tc.status)
		}
	}
}

// TestClientChecks names each thing a careful client does that a request
// did not, and stays quiet for a request that does them all.
func TestClientChecks(t *testing.T) {
	const good = "response_type=code&client_id=app&state=0123456789abcdefghij&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&aud=http://sandbox.test" + fhir
	cases := []struct {
		name, target, want string
	}{
		{"careful client", issuer + "/authorize?" + good, ""},
		{"no state", issuer + "/authorize?" + strings.Replace(good, "state=0123456789abcdefghij&", "", 1), "no state"},
		{"short state", issuer + "/authorize?" + strings.Replace(good, "0123456789abcdefghij", "test", 1), "state is short"},
		{"no PKCE", issuer + "/authorize?" + strings.Replace(good, "code_challenge=", "x=", 1), "no PKCE"},
		{"plain PKCE", issuer + "/authorize?" + strings.Replace(good, "S256", "plain", 1), "PKCE plain"},
		{"wrong aud", issuer + "/authorize?" + strings.Replace(good, "sandbox.test", "elsewhere.test", 1), "is not this server's FHIR base URL"},
		{"token in query", fhir + "/Patient/1?access_token=abc", "access token sent in the query string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, c := newRouter(t, Config{})
			call(e, "GET", tc.target, "")
			got := c.requests.last(1)[0].ClientChecks
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("checks %v for a careful client", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("checks %v, want exactly one saying %q", got, tc.want)
			}
		})
	}
}

// TestLoggedHeadersAreCanonical: the middleware reads loggedHeaders from
// the header map directly, which finds only canonical names.
func TestLoggedHeadersAreCanonical(t *testing.T) {
	for _, k := range loggedHeaders {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q): its value would never be logged", k, c)
		}
	}
}
