package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// inWorkspace is ep as a client of the workspace name: every request whose
// path does not already name a workspace goes under /w/{name}, so the
// endpoint helpers (token calls, FHIR reads, the control API, a browser)
// reach the workspace as they reach the root. Paths the sandbox hands out
// (redirects, links, form actions) already carry the prefix.
func (ep endpoint) inWorkspace(name string) endpoint {
	next := ep.client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	prefix := workspacePrefix + name
	return endpoint{URL: ep.URL, client: &http.Client{CheckRedirect: noRedirect, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		path := r.URL.Opaque
		if path == "" {
			path = r.URL.Path
		}
		if strings.HasPrefix(path, workspacePrefix) {
			return next.RoundTrip(r)
		}
		r = r.Clone(r.Context())
		if r.URL.Opaque != "" {
			r.URL.Opaque = prefix + r.URL.Opaque
		} else {
			r.URL.Path = prefix + r.URL.Path
			if r.URL.RawPath != "" {
				r.URL.RawPath = prefix + r.URL.RawPath
			}
		}
		return next.RoundTrip(r)
	})}}
}

// mint asks the control API for tokens without the screens and requires
// them.
func (ep endpoint) mint(tb testing.TB, body string) tokenResponse {
	tb.Helper()
	status, raw := ep.controlPost(tb, "/sandbox/tokens", body)
	var tr tokenResponse
	if err := json.Unmarshal([]byte(raw), &tr); err != nil || status != http.StatusOK || tr.AccessToken == "" {
		tb.Fatalf("POST /sandbox/tokens %s: %d %s", body, status, raw)
	}
	return tr
}

// mintBody is the POST /sandbox/tokens body for user and the docs' client.
func mintBody(user string) string {
	return `{"username": "` + user + `", "client_id": "` + docsClientID + `", "scope": "openid fhirUser profile offline_access patient/*.read"}`
}

// eobTotal is the total of the token's member's EOB search.
func (ep endpoint) eobTotal(tb testing.TB, token string) int {
	tb.Helper()
	status, body := ep.get(tb, fhirPath+"/ExplanationOfBenefit?_count=0", token)
	var b struct{ Total *int }
	if err := json.Unmarshal(body, &b); err != nil || status != http.StatusOK || b.Total == nil {
		tb.Fatalf("EOB search: %d %s", status, truncate(string(body), 300))
	}
	return *b.Total
}

// jsonField is one string field of a JSON object body.
func jsonField(tb testing.TB, body []byte, field string) string {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("not a JSON object (%v): %s", err, truncate(string(body), 300))
	}
	s, _ := m[field].(string)
	return s
}

// TestWorkspacesAreIsolated: two workspaces used at the same time, with
// conflicting faults, clocks and member edits, each see only their own; a
// code or token from one is refused by the other and by the root; and the
// root is as it was.
func TestWorkspacesAreIsolated(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	root := sb.endpoint
	if status, body := root.controlPost(t, "/sandbox/workspaces", `{"name": "team-a", "auto_approve": "BCNCUser04"}`); status != http.StatusCreated {
		t.Fatalf("creating team-a: %d %s", status, body)
	}
	const paging = "-20140000000024" // BCNCUser04: exactly the docs' 148 EOBs
	suites := []struct {
		name        string
		faultStatus int
		advance     time.Duration
		claims      int
	}{
		{"team-a", http.StatusServiceUnavailable, 2 * time.Hour, 1},
		{"team-b", http.StatusTooManyRequests, 30 * 24 * time.Hour, 2}, // team-b is made by its first use
	}
	tokens := make([]tokenResponse, len(suites)) // each suite's, minted on its own clock
	t.Run("in parallel", func(t *testing.T) {
		for i, s := range suites {
			ep := root.inWorkspace(s.name)
			t.Run(s.name, func(t *testing.T) {
				t.Parallel()
				ua := hdr("User-Agent", "suite-"+s.name)
				if status, body := ep.controlPost(t, "/sandbox/faults", `{"path": "`+fhirPath+`/Coverage", "count": 1000, "status": `+strconv.Itoa(s.faultStatus)+`}`); status != http.StatusCreated {
					t.Fatalf("arming: %d %s", status, body)
				}
				if status, body := ep.controlPost(t, "/sandbox/clock", `{"advance": "`+s.advance.String()+`"}`); status != http.StatusOK {
					t.Fatalf("advancing: %d %s", status, body)
				}
				tok := ep.mint(t, mintBody("BCNCUser04"))
				tokens[i] = tok
				for range s.claims {
					if status, body := ep.controlPost(t, "/sandbox/members/"+paging+"/claims", `{"type": "dme"}`); status != http.StatusCreated {
						t.Fatalf("adding a claim: %d %s", status, body)
					}
				}
				for range 20 { // interleaved with the other suite
					h := ua.Clone()
					h.Set("Authorization", "Bearer "+tok.AccessToken)
					if status, _, body := ep.send(t, http.MethodGet, fhirPath+"/Coverage?patient="+paging, h, ""); status != s.faultStatus {
						t.Fatalf("Coverage search: %d %s, want this workspace's fault %d", status, truncate(string(body), 200), s.faultStatus)
					}
				}
				if got := ep.eobTotal(t, tok.AccessToken); got != 148+s.claims {
					t.Errorf("%d EOBs, want 148 and this workspace's %d added", got, s.claims)
				}
				_, body := ep.get(t, "/sandbox/clock", "")
				if off := jsonField(t, body, "offset"); off != s.advance.String() {
					t.Errorf("clock offset %s, want this workspace's %s", off, s.advance)
				}
				_, body = ep.get(t, "/sandbox/requests?limit="+strconv.Itoa(workspaceRequestLog), "")
				var log []struct {
					Path    string
					Headers map[string]string
				}
				json.Unmarshal(body, &log)
				for _, e := range log {
					if agent := e.Headers["User-Agent"]; strings.HasPrefix(agent, "suite-") && agent != "suite-"+s.name {
						t.Errorf("the request log holds the other workspace's request %s (%s)", e.Path, agent)
					}
				}
				if len(log) == 0 || log[len(log)-1].Path != fhirPath+"/ExplanationOfBenefit" {
					t.Errorf("the request log's last path is not the EOB search relative to the workspace: %s", truncate(string(body), 300))
				}
			})
		}
	})

	a, b := root.inWorkspace("team-a"), root.inWorkspace("team-b")
	t.Run("each serves its own issuer and FHIR base", func(t *testing.T) {
		for i, s := range suites {
			ep := root.inWorkspace(s.name)
			_, body := ep.get(t, issuerPath+"/.well-known/openid-configuration", "")
			if iss := jsonField(t, body, "issuer"); iss != sb.URL+"/w/"+s.name+issuerPath {
				t.Errorf("%s: issuer %s", s.name, iss)
			}
			_, body = ep.get(t, fhirPath+"/ExplanationOfBenefit?_count=1", tokens[i].AccessToken)
			if !strings.Contains(string(body), `"url":"`+sb.URL+"/w/"+s.name+fhirPath+`/ExplanationOfBenefit?`) {
				t.Errorf("%s: the Bundle's links do not name the workspace's FHIR base: %s", s.name, truncate(string(body), 400))
			}
		}
	})

	t.Run("a token or code of one is refused elsewhere", func(t *testing.T) {
		// Both clocks back to real time, so that only the keys can refuse.
		for _, ep := range []endpoint{a, b} {
			if status, body := ep.controlPost(t, "/sandbox/reset", ""); status != http.StatusOK {
				t.Fatalf("reset: %d %s", status, body)
			}
		}
		tokA := a.mint(t, mintBody("BCNCUser04"))
		code := a.mintCode(t, docsApp, "BCNCUser04", nil)
		for _, other := range []struct {
			name string
			ep   endpoint
		}{{"team-b", b}, {"the root", root}} {
			if status, _ := other.ep.get(t, fhirPath+"/Patient/"+paging, tokA.AccessToken); status != http.StatusUnauthorized {
				t.Errorf("%s: team-a's access token read a Patient: %d, want 401", other.name, status)
			}
			if status, _, raw := other.ep.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokA.RefreshToken},
				"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, ""); status != http.StatusBadRequest || !strings.Contains(raw, "the refresh token is not valid") {
				t.Errorf("%s: team-a's refresh token: %d %s, want invalid_grant: not valid", other.name, status, truncate(raw, 200))
			}
			if status, _, raw := other.ep.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
				"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, ""); status != http.StatusBadRequest || !strings.Contains(raw, "the code is not valid") {
				t.Errorf("%s: team-a's code: %d %s, want invalid_grant: not valid", other.name, status, truncate(raw, 200))
			}
			_, _, raw := other.ep.send(t, http.MethodPost, issuerPath+"/introspect", hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), "token="+tokA.AccessToken)
			if !strings.Contains(string(raw), `"active":false`) {
				t.Errorf("%s introspects team-a's token as %s", other.name, raw)
			}
		}
		// In its own workspace both still work: nothing above spent them.
		if status, _ := a.get(t, fhirPath+"/Patient/"+paging, tokA.AccessToken); status != http.StatusOK {
			t.Errorf("team-a's token in team-a: %d", status)
		}
		a.redeem(t, docsApp, code)
	})

	t.Run("the root is unchanged", func(t *testing.T) {
		tok := root.mint(t, mintBody("BCNCUser04"))
		if got := root.eobTotal(t, tok.AccessToken); got != 148 {
			t.Errorf("the root serves %d EOBs, want the docs' 148", got)
		}
		if status, _ := root.get(t, fhirPath+"/Coverage?patient="+paging, tok.AccessToken); status != http.StatusOK {
			t.Errorf("the root's Coverage search: %d, want 200 (no fault of its own)", status)
		}
		_, body := root.get(t, "/sandbox/clock", "")
		if off := jsonField(t, body, "offset"); off != "0s" {
			t.Errorf("the root's clock offset %s, want 0s", off)
		}
		if _, body := root.get(t, "/sandbox/faults", ""); strings.TrimSpace(string(body)) != "[]" {
			t.Errorf("the root's faults: %s", body)
		}
		if _, body := root.get(t, "/sandbox/requests?limit=1000", ""); strings.Contains(string(body), "suite-team") || strings.Contains(string(body), "/w/") {
			t.Error("the root's request log holds workspace requests")
		}
	})

	if !strings.Contains(sb.logs.String(), "path=/w/team-b"+fhirPath+"/Coverage") {
		t.Error("the server log does not name workspace requests by their full path")
	}
}

// TestWorkspaceBoundAndForgetting: past --workspaces a new workspace is
// refused with 409 in the shape of the path it was asked on; an idle one is
// forgotten, and made again under its name it refuses what its earlier life
// minted; names, duplicates and unknown workspaces are refused clearly.
func TestWorkspaceBoundAndForgetting(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Args: []string{"--workspaces", "2", "--workspace-idle", "10m"}})
	root := sb.endpoint
	for _, name := range []string{"one", "two"} {
		if status, _ := root.get(t, "/w/"+name+"/health", ""); status != http.StatusOK {
			t.Fatalf("first use of %s: %d", name, status)
		}
	}
	old := root.inWorkspace("one").mint(t, mintBody("BCNCUser03"))

	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		field, want                string // a field of the JSON answer and its value
	}{
		{"a third workspace on a FHIR path", "GET", "/w/three" + fhirPath + "/Patient/x", "", 409, "detail", ""},
		{"a third workspace on the token endpoint", "POST", "/w/three" + issuerPath + "/token", "grant_type=x", 409, "error", "invalid_request"},
		{"a third workspace by the control API", "POST", "/sandbox/workspaces", `{"name": "three"}`, 409, "detail", ""},
		{"a name in use", "POST", "/sandbox/workspaces", `{"name": "one"}`, 409, "detail", ""},
		{"an upper-case name", "POST", "/sandbox/workspaces", `{"name": "One"}`, 400, "detail", ""},
		{"a name too long", "POST", "/sandbox/workspaces", `{"name": "` + strings.Repeat("a", 41) + `"}`, 400, "detail", ""},
		{"an unknown auto-approve user", "POST", "/sandbox/workspaces", `{"name": "x", "auto_approve": "nobody"}`, 400, "detail", ""},
		{"a token lifetime under a second", "POST", "/sandbox/workspaces", `{"name": "x", "token_ttl": "10ms"}`, 400, "detail", ""},
		{"an unknown workspace", "GET", "/sandbox/workspaces/nine", "", 404, "detail", ""},
		{"no workspace routes inside one", "GET", "/w/one/sandbox/workspaces", "", 404, "detail", ""},
	} {
		h := hdr("Content-Type", "application/json")
		if strings.Contains(tc.target, "/token") {
			h = hdr("Content-Type", formType)
		}
		status, _, body := root.send(t, tc.method, tc.target, h, tc.body)
		got := jsonField(t, body, tc.field)
		if status != tc.status || got == "" || tc.want != "" && got != tc.want {
			t.Errorf("%s: %d %s, want %d with %s %q", tc.name, status, body, tc.status, tc.field, tc.want)
		}
	}

	// "one" and "two" were last used twenty minutes ago, past the idle time.
	ws := sb.app.workspaces
	ws.mu.Lock()
	for _, w := range ws.byName {
		w.lastUsed.Store(time.Now().Add(-20 * time.Minute).UnixNano())
	}
	ws.mu.Unlock()
	if status, body := root.controlPost(t, "/sandbox/workspaces", `{"name": "three"}`); status != http.StatusCreated {
		t.Fatalf("a third workspace once two are idle: %d %s", status, body)
	}
	_, body := root.get(t, "/sandbox/workspaces", "")
	var list []struct{ Name string }
	json.Unmarshal(body, &list)
	if len(list) != 1 || list[0].Name != "three" {
		t.Errorf("workspaces after forgetting the idle ones: %s", body)
	}
	one := root.inWorkspace("one")
	if status, _ := one.get(t, fhirPath+"/Patient/-20140000008325", old.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a token of the forgotten workspace, in the one made again under its name: %d, want 401", status)
	}
	if status, _, raw := one.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old.RefreshToken},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, ""); status != http.StatusBadRequest {
		t.Errorf("its refresh token: %d %s, want invalid_grant", status, raw)
	}
	fresh := one.mint(t, mintBody("BCNCUser03"))
	if status, _ := one.get(t, fhirPath+"/Patient/-20140000008325", fresh.AccessToken); status != http.StatusOK {
		t.Errorf("a token minted in the workspace made again: %d", status)
	}
	if status, _, _ := root.send(t, http.MethodDelete, "/sandbox/workspaces/three", nil, ""); status != http.StatusNoContent {
		t.Errorf("DELETE: %d", status)
	}
	if status, _, _ := root.send(t, http.MethodDelete, "/sandbox/workspaces/three", nil, ""); status != http.StatusNotFound {
		t.Errorf("DELETE again: %d, want 404", status)
	}
	if n := sb.app.workspaces.len(); n != 1 {
		t.Errorf("%d workspaces, want one", n)
	}
}

// TestWorkspaceSettings: a workspace made by the control API takes its
// own profile, auto-approve user and token lifetime; the root keeps its own.
func TestWorkspaceSettings(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	root := sb.endpoint
	status, body := root.controlPost(t, "/sandbox/workspaces", `{"name": "strict-suite", "profile": "strict", "auto_approve": "BCNCUser04", "token_ttl": "5m"}`)
	var info struct {
		Profile     string `json:"profile"`
		AutoApprove string `json:"auto_approve"`
		TokenTTL    string `json:"token_ttl"`
		Issuer      string `json:"issuer"`
		FHIRBase    string `json:"fhir_base"`
	}
	if err := json.Unmarshal([]byte(body), &info); err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	if info.Profile != "strict" || info.AutoApprove != "BCNCUser04" || info.TokenTTL != "5m0s" ||
		info.Issuer != sb.URL+"/w/strict-suite"+issuerPath || info.FHIRBase != sb.URL+"/w/strict-suite"+fhirPath {
		t.Errorf("the workspace as created: %s", body)
	}
	ws := root.inWorkspace("strict-suite")
	_, wsBody := ws.get(t, fhirPath+"/Patient/x", "")
	_, rootBody := root.get(t, fhirPath+"/Patient/x", "")
	if !strings.Contains(string(wsBody), `"OperationOutcome"`) || !strings.Contains(string(rootBody), `"detail"`) {
		t.Errorf("a 401 in the strict workspace %s, at the root %s: want an OperationOutcome and the docs' detail", wsBody, rootBody)
	}
	code := ws.mintCode(t, docsApp, "", url.Values{"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"}, "login_hint": nil})
	status, tok, raw := ws.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}, "code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}}, "")
	if status != http.StatusOK || tok.Patient != "-20140000000024" || tok.ExpiresIn != 300 {
		t.Errorf("the workspace's token: %d %s, want BCNCUser04's patient and expires_in 300", status, raw)
	}
	rootTok := root.approvedTokens(t, "")
	if rootTok.Patient != "-20140000008325" || rootTok.ExpiresIn != 3600 {
		t.Errorf("the root's token %+v: want its own auto-approve user and lifetime", rootTok)
	}

	if status, body := root.controlPost(t, "/sandbox/workspaces", `{"name": "by-hand", "auto_approve": ""}`); status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir}, "scope": {"patient/*.read"}, "state": {"s-0123456789abcdef"}}
	_, h, _ := root.inWorkspace("by-hand").send(t, http.MethodGet, issuerPath+"/authorize?"+q.Encode(), nil, "")
	if loc := h.Get("Location"); !strings.HasPrefix(loc, sb.URL+"/w/by-hand"+issuerPath+"/consent?") {
		t.Errorf("a workspace without auto-approve sent /authorize to %q, want its consent screens", loc)
	}
}

// TestWorkspaceFirstUseConcurrently: many requests that use a new
// workspace at once make it once; every grant they got lands in the one.
func TestWorkspaceFirstUseConcurrently(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	ws := sb.inWorkspace("crowd")
	const clients = 16
	errs := make(chan string, clients)
	for range clients {
		go func() {
			status, raw := ws.controlPost(t, "/sandbox/tokens", mintBody("BCNCUser03"))
			if status != http.StatusOK {
				errs <- raw
				return
			}
			errs <- ""
		}()
	}
	for range clients {
		if msg := <-errs; msg != "" {
			t.Errorf("a concurrent first use: %s", msg)
		}
	}
	_, body := ws.get(t, "/sandbox/members/-20140000008325/grants", "")
	var list []json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil || len(list) != clients {
		t.Errorf("the workspace holds %d grants, want all %d: %s", len(list), clients, truncate(string(body), 200))
	}
	if n := sb.app.workspaces.len(); n != 1 {
		t.Errorf("%d workspaces, want 1", n)
	}
}
