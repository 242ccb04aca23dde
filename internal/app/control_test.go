package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func controlPost(t *testing.T, base, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// autoCode runs an auto-approved /authorize and returns the code.
func autoCode(t testing.TB, base, user string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {"openid profile patient/*.read offline_access"}, "state": {"test"}, "login_hint": {user}}
	resp, err := c.Get(base + issuerPath + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("auto-approve answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// TestControlFaultOnRealTokenEndpoint arms a fault through the control API
// and sees it fire on the real token endpoint exactly twice, without
// spending the code it kept from the handler.
func TestControlFaultOnRealTokenEndpoint(t *testing.T) {
	srv := startSandbox(t, "--auto-approve", "BCNCUser03")
	if s, body := controlPost(t, srv.URL, "/sandbox/faults", `{"path": "`+issuerPath+`/token", "count": 2, "oauth_error": "temporarily_unavailable"}`); s != http.StatusCreated {
		t.Fatalf("arm: %d %s", s, body)
	}
	code := autoCode(t, srv.URL, "BCNCUser03")
	var got []string
	for i := 0; i < 3; i++ {
		status, tok := docsTokenCall(t, srv.URL, code, docsRedir)
		got = append(got, http.StatusText(status)+"/"+tok.Error)
	}
	want := []string{"Service Unavailable/temporarily_unavailable", "Service Unavailable/temporarily_unavailable", "OK/"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("token answers %v, want %v", got, want)
	}
}

// TestControlClockExpiresTokens moves the sandbox clock past the access
// token's life: the token stops working, the refresh token still works,
// and a reset brings the clock back.
func TestControlClockExpiresTokens(t *testing.T) {
	srv := startSandbox(t, "--auto-approve", "BCNCUser03", "--token-ttl", "10m")
	_, tok := docsTokenCall(t, srv.URL, autoCode(t, srv.URL, "BCNCUser03"), docsRedir)
	read := srv.URL + fhirPath + "/Patient/" + tok.Patient
	if s, _ := fhirGet(t, read, tok.AccessToken); s != http.StatusOK {
		t.Fatalf("fresh token: %d", s)
	}
	if s, body := controlPost(t, srv.URL, "/sandbox/clock", `{"advance": "11m"}`); s != http.StatusOK {
		t.Fatalf("advance: %d %s", s, body)
	}
	if s, _ := fhirGet(t, read, tok.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("a token 11 minutes into a 10-minute life answered %d, want 401", s)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	resp, err := http.PostForm(srv.URL+issuerPath+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var fresh tokenResponse
	decodeJSON(t, resp, &fresh)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh after the clock moved: %d %+v", resp.StatusCode, fresh)
	}
	if s, _ := fhirGet(t, read, fresh.AccessToken); s != http.StatusOK {
		t.Errorf("the refreshed token answered %d", s)
	}
	controlPost(t, srv.URL, "/sandbox/reset", "")
	resp, err = http.Get(srv.URL + "/sandbox/clock")
	if err != nil {
		t.Fatal(err)
	}
	var clock struct{ Offset string }
	decodeJSON(t, resp, &clock)
	if clock.Offset != "0s" {
		t.Errorf("offset after reset %q", clock.Offset)
	}
}

// TestControlRequestLog checks that the log shows what the client sent,
// with its secrets redacted and the client checks of its /authorize.
func TestControlRequestLog(t *testing.T) {
	srv := startSandbox(t, "--auto-approve", "BCNCUser03")
	code := autoCode(t, srv.URL, "BCNCUser03")
	docsTokenCall(t, srv.URL, code, docsRedir)
	resp, err := http.Get(srv.URL + "/sandbox/requests?limit=5")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var log []struct {
		Method, Path string
		Status       int
		Query        map[string]string
		ClientChecks []string `json:"client_checks"`
	}
	if err := json.Unmarshal(raw, &log); err != nil || len(log) != 2 {
		t.Fatalf("log: %v %s", err, raw)
	}
	if log[0].Path != issuerPath+"/authorize" || log[0].Status != http.StatusFound || log[1].Path != issuerPath+"/token" || log[1].Status != http.StatusOK {
		t.Errorf("log entries %+v", log)
	}
	checks := strings.Join(log[0].ClientChecks, "; ")
	for _, want := range []string{"state is short", "no PKCE", "no aud"} {
		if !strings.Contains(checks, want) {
			t.Errorf("client checks %q lack %q", checks, want)
		}
	}
	if strings.Contains(string(raw), code) || strings.Contains(string(raw), docsClientSecret) {
		t.Error("the request log shows a code or the client secret in full")
	}
}

// TestControlMemberEditsFeedIncrementalSync adds a claim and touches the
// Patient through the control API, and checks that an app syncing with
// _lastUpdated sees exactly those, and that a reset takes them back.
func TestControlMemberEditsFeedIncrementalSync(t *testing.T) {
	srv := startSandbox(t, "--auto-approve", "BCNCUser04")
	_, tok := docsTokenCall(t, srv.URL, autoCode(t, srv.URL, "BCNCUser04"), docsRedir)
	total := func(query string) int {
		t.Helper()
		s, body := fhirGet(t, srv.URL+fhirPath+"/"+query, tok.AccessToken)
		if s != http.StatusOK {
			t.Fatalf("%s: %d %s", query, s, body)
		}
		var b struct{ Total int }
		json.Unmarshal(body, &b)
		return b.Total
	}
	since := "gt2026-07-01"
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient + "&_lastUpdated=" + since); n != 0 {
		t.Fatalf("%d claims updated since %s before any edit", n, since)
	}
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient); n != 148 {
		t.Fatalf("%d claims, want the docs' 148", n)
	}
	if s, body := controlPost(t, srv.URL, "/sandbox/members/"+tok.Patient+"/claims", `{"type": "pde"}`); s != http.StatusCreated || !strings.Contains(body, `"ExplanationOfBenefit"`) {
		t.Fatalf("add claim: %d %s", s, body)
	}
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient + "&_lastUpdated=" + since); n != 1 {
		t.Errorf("%d claims updated since %s after adding one, want 1", n, since)
	}
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient + "&type=pde"); n != 104 {
		t.Errorf("%d pde claims after adding one to 103", n)
	}
	if s, body := controlPost(t, srv.URL, "/sandbox/members/"+tok.Patient+"/touch", `{"resourceType": "Patient", "id": "`+tok.Patient+`"}`); s != http.StatusCreated {
		t.Fatalf("touch: %d %s", s, body)
	}
	if n := total("Patient?_id=" + tok.Patient + "&_lastUpdated=" + since); n != 1 {
		t.Errorf("touched Patient not found by _lastUpdated: %d", n)
	}
	for _, bad := range []struct{ path, body string }{
		{"/sandbox/members/-1/claims", `{"type": "pde"}`},
		{"/sandbox/members/" + tok.Patient + "/claims", `{"type": "PDE"}`},
		{"/sandbox/members/" + tok.Patient + "/touch", `{"resourceType": "Patient", "id": "-20140000008325"}`},
	} {
		if s, body := controlPost(t, srv.URL, bad.path, bad.body); s != http.StatusNotFound && s != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s", bad.path, bad.body, s, body)
		}
	}
	controlPost(t, srv.URL, "/sandbox/reset", "")
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient); n != 148 {
		t.Errorf("%d claims after reset, want 148", n)
	}
}
