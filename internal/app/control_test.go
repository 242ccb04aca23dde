package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestControlFaultOnRealTokenEndpoint arms a fault through the control API
// and sees it fire on the real token endpoint exactly twice, without
// spending the code it kept from the handler.
func TestControlFaultOnRealTokenEndpoint(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	if s, body := sb.controlPost(t, "/sandbox/faults", `{"path": "`+issuerPath+`/token", "count": 2, "oauth_error": "temporarily_unavailable"}`); s != http.StatusCreated {
		t.Fatalf("arm: %d %s", s, body)
	}
	code := sb.mintCode(t, docsApp, "BCNCUser03", nil)
	var got []string
	for i := 0; i < 3; i++ {
		status, tok := sb.docsTokenCall(t, code, docsRedir)
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
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03", TokenTTL: 10 * time.Minute})
	tok := sb.approvedTokens(t, "BCNCUser03")
	read := fhirPath + "/Patient/" + tok.Patient
	if s, _ := sb.get(t, read, tok.AccessToken); s != http.StatusOK {
		t.Fatalf("fresh token: %d", s)
	}
	if s, body := sb.controlPost(t, "/sandbox/clock", `{"advance": "11m"}`); s != http.StatusOK {
		t.Fatalf("advance: %d %s", s, body)
	}
	if s, _ := sb.get(t, read, tok.AccessToken); s != http.StatusUnauthorized {
		t.Errorf("a token 11 minutes into a 10-minute life answered %d, want 401", s)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	status, fresh, raw := sb.tokenCall(t, form, "")
	if status != http.StatusOK {
		t.Fatalf("refresh after the clock moved: %d %s", status, raw)
	}
	if s, _ := sb.get(t, read, fresh.AccessToken); s != http.StatusOK {
		t.Errorf("the refreshed token answered %d", s)
	}
	sb.controlPost(t, "/sandbox/reset", "")
	_, body := sb.get(t, "/sandbox/clock", "")
	var clock struct{ Offset string }
	if err := json.Unmarshal(body, &clock); err != nil {
		t.Fatalf("the clock is not JSON (%v): %s", err, body)
	}
	if clock.Offset != "0s" {
		t.Errorf("offset after reset %q", clock.Offset)
	}
}

// TestControlRequestLog checks that the log shows what the client sent,
// with its secrets redacted and the client checks of its /authorize.
func TestControlRequestLog(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	// The short state and the absent PKCE and aud are what the checks name.
	code := sb.mintCode(t, docsApp, "BCNCUser03", url.Values{"state": {"test"}})
	sb.docsTokenCall(t, code, docsRedir)
	_, raw := sb.get(t, "/sandbox/requests?limit=5", "")
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
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser04"})
	tok := sb.approvedTokens(t, "BCNCUser04")
	total := func(query string) int {
		t.Helper()
		s, body := sb.get(t, fhirPath+"/"+query, tok.AccessToken)
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
	if s, body := sb.controlPost(t, "/sandbox/members/"+tok.Patient+"/claims", `{"type": "pde"}`); s != http.StatusCreated || !strings.Contains(body, `"ExplanationOfBenefit"`) {
		t.Fatalf("add claim: %d %s", s, body)
	}
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient + "&_lastUpdated=" + since); n != 1 {
		t.Errorf("%d claims updated since %s after adding one, want 1", n, since)
	}
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient + "&type=pde"); n != 104 {
		t.Errorf("%d pde claims after adding one to 103", n)
	}
	if s, body := sb.controlPost(t, "/sandbox/members/"+tok.Patient+"/touch", `{"resourceType": "Patient", "id": "`+tok.Patient+`"}`); s != http.StatusCreated {
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
		if s, body := sb.controlPost(t, bad.path, bad.body); s != http.StatusNotFound && s != http.StatusBadRequest {
			t.Errorf("%s %s: %d %s", bad.path, bad.body, s, body)
		}
	}
	sb.controlPost(t, "/sandbox/reset", "")
	if n := total("ExplanationOfBenefit?patient=" + tok.Patient); n != 148 {
		t.Errorf("%d claims after reset, want 148", n)
	}
}
