package app

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// controlRequest is one request to the control API as a client sends it.
type controlRequest struct {
	method, path, body string
	header             map[string]string // "Host" sets the Host header
}

// send makes r against srv over loopback and returns the status and the
// decoded {"detail"} (empty when the answer has none).
func (r controlRequest) send(t *testing.T, srv *sandbox) (int, string) {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, srv.URL+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := srv.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Detail string }
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Detail
}

// armedFaults lists the faults armed on srv, asked as a test suite would.
func armedFaults(t *testing.T, srv *sandbox) int {
	t.Helper()
	resp, err := srv.client.Get(srv.URL + "/sandbox/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var faults []json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&faults); err != nil {
		t.Fatalf("GET /sandbox/faults: %d %v", resp.StatusCode, err)
	}
	return len(faults)
}

// silencer is the fault that left every route silent: a minute's delay on
// every path, a million times.
const silencer = `{"path": "/*", "delay_ms": 60000, "count": 1000000}`

// TestControlRefusesWhatAWebPageCanSend replays, over loopback, what a page
// on another site makes a browser send to a sandbox on the same machine:
// cross-site text/plain and form posts (no CORS preflight), JSON from
// another origin, and DNS rebinding (the page's own host name resolving to
// the sandbox). Each is a 403 with a reason in {"detail"}, and nothing is
// armed; what a test suite sends still works.
func TestControlRefusesWhatAWebPageCanSend(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	self := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := strings.Cut(self, ":")
	jsonType := map[string]string{"Content-Type": "application/json"}
	with := func(extra ...string) map[string]string {
		h := map[string]string{"Content-Type": "application/json"}
		for i := 0; i+1 < len(extra); i += 2 {
			h[extra[i]] = extra[i+1]
		}
		return h
	}
	refused := []struct {
		name string
		req  controlRequest
		says string
	}{
		{"cross-site text/plain post", controlRequest{"POST", "/sandbox/faults", silencer,
			with("Content-Type", "text/plain;charset=UTF-8", "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site")}, "cross-site"},
		{"text/plain post from a browser without fetch metadata", controlRequest{"POST", "/sandbox/faults", silencer,
			with("Content-Type", "text/plain", "Origin", "http://evil.example")}, "another origin"},
		{"form post without Origin", controlRequest{"POST", "/sandbox/faults", silencer,
			with("Content-Type", "application/x-www-form-urlencoded")}, "Content-Type: application/json"},
		{"multipart post", controlRequest{"POST", "/sandbox/faults", silencer,
			with("Content-Type", "multipart/form-data; boundary=x")}, "Content-Type: application/json"},
		{"body without a content type", controlRequest{"POST", "/sandbox/faults", silencer, map[string]string{}}, "Content-Type: application/json"},
		{"JSON from another origin", controlRequest{"POST", "/sandbox/faults", silencer, with("Origin", "http://evil.example")}, "another origin"},
		{"JSON from the null origin", controlRequest{"POST", "/sandbox/faults", silencer, with("Origin", "null")}, "another origin"},
		{"JSON from another port of this machine", controlRequest{"POST", "/sandbox/faults", silencer, with("Origin", "http://127.0.0.1:1")}, "another origin"},
		{"JSON marked cross-site", controlRequest{"POST", "/sandbox/faults", silencer, with("Sec-Fetch-Site", "cross-site")}, "cross-site"},
		{"DNS rebinding", controlRequest{"POST", "/sandbox/faults", silencer, with("Host", "evil.example:"+port)}, "evil.example"},
		{"DNS rebinding same origin", controlRequest{"POST", "/sandbox/faults", silencer,
			with("Host", "evil.example:"+port, "Origin", "http://evil.example:"+port, "Sec-Fetch-Site", "same-origin")}, "evil.example"},
		{"DNS rebinding reset without a body", controlRequest{"POST", "/sandbox/reset", "", map[string]string{"Host": "evil.example:" + port}}, "host names"},
		{"DNS rebinding reads the request log", controlRequest{"GET", "/sandbox/requests", "", map[string]string{"Host": "evil.example"}}, "host names"},
		{"DNS rebinding touches a member", controlRequest{"POST", "/sandbox/members/-20140000008325/touch", `{"resourceType": "Patient", "id": "-20140000008325"}`,
			with("Host", "evil.example:"+port)}, "host names"},
		{"a host that ends like localhost", controlRequest{"GET", "/sandbox/clock", "", map[string]string{"Host": "localhost.evil.example"}}, "host names"},
		{"a proxy forwarding another host", controlRequest{"GET", "/sandbox/clock", "", map[string]string{"X-Forwarded-Host": "evil.example"}}, "X-Forwarded-Host"},
		{"empty post marked cross-site", controlRequest{"POST", "/sandbox/reset", "", map[string]string{"Sec-Fetch-Site": "cross-site"}}, "cross-site"},
	}
	for _, tc := range refused {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			status, detail := tc.req.send(t, srv)
			if status != http.StatusForbidden || !strings.Contains(detail, tc.says) {
				t.Errorf("answered %d %q, want 403 saying %q", status, detail, tc.says)
			}
			if n := armedFaults(t, srv); n != 0 {
				controlRequest{"DELETE", "/sandbox/faults", "", nil}.send(t, srv)
				t.Fatalf("%d faults armed after a refused request", n)
			}
		})
	}

	allowed := []struct {
		name   string
		req    controlRequest
		status int
	}{
		{"curl on 127.0.0.1", controlRequest{"POST", "/sandbox/faults", `{"path": "/x", "status": 503}`, jsonType}, http.StatusCreated},
		{"JSON with a charset", controlRequest{"POST", "/sandbox/faults", `{"path": "/x", "status": 503}`, with("Content-Type", "application/json; charset=utf-8")}, http.StatusCreated},
		{"as localhost", controlRequest{"POST", "/sandbox/faults", `{"path": "/x", "status": 503}`, with("Host", "localhost:"+port)}, http.StatusCreated},
		{"as [::1]", controlRequest{"POST", "/sandbox/faults", `{"path": "/x", "status": 503}`, with("Host", "[::1]:"+port)}, http.StatusCreated},
		{"as another loopback address", controlRequest{"GET", "/sandbox/clock", "", map[string]string{"Host": "127.0.0.2:" + port}}, http.StatusOK},
		{"from the sandbox's own page", controlRequest{"POST", "/sandbox/faults", `{"path": "/x", "status": 503}`,
			with("Origin", srv.URL, "Sec-Fetch-Site", "same-origin")}, http.StatusCreated},
		{"typed in the address bar", controlRequest{"GET", "/sandbox/faults", "", map[string]string{"Sec-Fetch-Site": "none"}}, http.StatusOK},
		{"reset without a body", controlRequest{"POST", "/sandbox/reset", "", nil}, http.StatusOK},
		{"clear without a body", controlRequest{"DELETE", "/sandbox/faults", "", nil}, http.StatusNoContent},
	}
	for _, tc := range allowed {
		t.Run("allowed/"+tc.name, func(t *testing.T) {
			if status, detail := tc.req.send(t, srv); status != tc.status {
				t.Errorf("answered %d %q, want %d", status, detail, tc.status)
			}
		})
	}
}

// TestControlHosts: the control API answers on loopback and on the names
// the operator allows, by flag or environment twin, so both CI examples of
// the README keep working: GitHub Actions reaches the service container as
// localhost, docker compose by its service name.
func TestControlHosts(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		host string
		want int
	}{
		{"GitHub Actions service as localhost", map[string]string{"SANDBOX_BASE_URL": "http://localhost:8080", "SANDBOX_AUTO_APPROVE": "BCNCUser04"}, nil, "localhost:8080", http.StatusOK},
		{"compose service name, allowed by the twin", map[string]string{"SANDBOX_CONTROL_HOSTS": "sandbox"}, nil, "sandbox:8080", http.StatusOK},
		{"compose service name, not allowed", nil, nil, "sandbox:8080", http.StatusForbidden},
		{"compose service name, allowed by the flag", nil, []string{"--control-hosts", "ci.example.com, sandbox"}, "sandbox:8080", http.StatusOK},
		{"allowed names compare without case", nil, []string{"--control-hosts", "Sandbox"}, "SANDBOX:8080", http.StatusOK},
		{"the --base-url host", nil, []string{"--base-url", "https://sandbox.internal.example"}, "sandbox.internal.example", http.StatusOK},
		{"a host beside the --base-url host", nil, []string{"--base-url", "https://sandbox.internal.example"}, "other.internal.example", http.StatusForbidden},
		{"an allowed IP address", nil, []string{"--control-hosts", "10.1.2.3"}, "10.1.2.3:8080", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSandbox(t, sandboxOptions{Env: tc.env, Args: tc.args})
			status, detail := controlRequest{"POST", "/sandbox/clock", `{"advance": "1h"}`,
				map[string]string{"Host": tc.host, "Content-Type": "application/json"}}.send(t, srv)
			if status != tc.want {
				t.Errorf("Host %s answered %d %q, want %d", tc.host, status, detail, tc.want)
			}
		})
	}
}

// TestControlOff: --control=false (or SANDBOX_CONTROL=false) leaves no
// control action reachable from anywhere, loopback included, and says why;
// the rest of the sandbox serves as before.
func TestControlOff(t *testing.T) {
	for name, start := range map[string]func(t *testing.T) *sandbox{
		"flag": func(t *testing.T) *sandbox {
			return startSandbox(t, sandboxOptions{Run: true, Args: []string{"--control=false"}})
		},
		"twin": func(t *testing.T) *sandbox {
			return startSandbox(t, sandboxOptions{Run: true, Env: map[string]string{"SANDBOX_CONTROL": "false"}})
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			for _, r := range []controlRequest{
				{"GET", "/sandbox", "", nil},
				{"POST", "/sandbox/faults", silencer, map[string]string{"Content-Type": "application/json"}},
				{"POST", "/sandbox/members/-20140000008325/touch", `{"resourceType": "Patient", "id": "-20140000008325"}`, map[string]string{"Content-Type": "application/json"}},
				{"POST", "/sandbox/reset", "", nil},
			} {
				if status, detail := r.send(t, srv); status != http.StatusNotFound || !strings.Contains(detail, "turned off") {
					t.Errorf("%s %s answered %d %q, want 404 saying it is turned off", r.method, r.path, status, detail)
				}
			}
			if status, _ := (controlRequest{"GET", "/health", "", nil}).send(t, srv); status != http.StatusOK {
				t.Errorf("/health answered %d", status)
			}
			if status, _ := (controlRequest{"GET", issuerPath + "/jwks", "", nil}).send(t, srv); status != http.StatusOK {
				t.Errorf("jwks answered %d", status)
			}
		})
	}
}

// TestControlFlagsRefuseBadValues: a host list with a scheme or a port, or
// a control switch that is not a boolean, stops the sandbox at start.
func TestControlFlagsRefuseBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		says string
	}{
		{"scheme", []string{"--control-hosts", "http://sandbox"}, nil, "http://sandbox"},
		{"port", []string{"--control-hosts", "sandbox:8080"}, nil, "sandbox:8080"},
		{"path", []string{"--control-hosts", "sandbox/x"}, nil, "sandbox/x"},
		{"twin with a port", nil, map[string]string{"SANDBOX_CONTROL_HOSTS": "ok, sandbox:8080"}, "sandbox:8080"},
		{"switch not a boolean", nil, map[string]string{"SANDBOX_CONTROL": "maybe"}, "SANDBOX_CONTROL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			_, err := parseConfig(tc.args, envOf(tc.env), &stderr)
			if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error()+stderr.String(), tc.says) {
				t.Errorf("error %v (stderr %q), want a usage error naming %q", err, stderr.String(), tc.says)
			}
		})
	}
}

// TestCoveragePatientAcrossProfiles: through the whole sandbox with a real
// token, Coverage?patient= names the compartment exactly as beneficiary=
// does, in both profiles.
func TestCoveragePatientAcrossProfiles(t *testing.T) {
	const own, other = "-20140000008325", "-20140000000024"
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) {
			srv := startSandbox(t, sandboxOptions{Run: true, Profile: profile, AutoApprove: "BCNCUser03"})
			code := autoCodeS256(t, srv.URL)
			tok := exchangeWithVerifier(t, srv.URL, code)
			for _, tc := range []struct {
				query string
				want  int
			}{
				{"patient=" + other, http.StatusForbidden},
				{"patient=Patient/" + other, http.StatusForbidden},
				{"beneficiary=" + other, http.StatusForbidden},
				{"patient=" + own, http.StatusOK},
				{"beneficiary=" + own, http.StatusOK},
			} {
				status, body := srv.get(t, fhirPath+"/Coverage?"+tc.query, tok.AccessToken)
				if status != tc.want {
					t.Errorf("Coverage?%s answered %d, want %d: %.200s", tc.query, status, tc.want, body)
					continue
				}
				if status == http.StatusOK && !strings.Contains(string(body), `"reference":"Patient/`+own+`"`) {
					t.Errorf("Coverage?%s is not the member's own coverage: %.200s", tc.query, body)
				}
			}
		})
	}
}

// autoCodeS256 runs an auto-approved /authorize with S256 PKCE (which
// profile strict requires) and returns the code.
func autoCodeS256(t *testing.T, base string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(longAuthorizeURL(base, map[string]string{"scope": "openid patient/*.read"}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return codeFrom(t, loc, "test")
}
