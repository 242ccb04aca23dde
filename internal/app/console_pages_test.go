package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestMemberFinderJSON: GET /sandbox/members finds members by what they
// hold, behind the control API's guard and gone with --control=false.
func TestMemberFinderJSON(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	status, body := sb.get(t, "/sandbox/members?claim_type=inpatient&condition=diabetes&limit=2", "")
	var res struct {
		Members []struct {
			Username   string         `json:"username"`
			Claims     map[string]int `json:"claims"`
			Conditions []string       `json:"conditions"`
		} `json:"members"`
		ScannedTo int `json:"scanned_to"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &res) != nil || len(res.Members) == 0 {
		t.Fatalf("finder: %d %s", status, body)
	}
	for _, m := range res.Members {
		diabetic := false
		for _, c := range m.Conditions {
			diabetic = diabetic || strings.Contains(strings.ToLower(c), "diabetes")
		}
		if m.Claims["inpatient"] == 0 || !diabetic {
			t.Errorf("%s matched without an inpatient stay and diabetes: %+v", m.Username, m)
		}
	}
	if s, _, b := sb.send(t, http.MethodGet, "/sandbox/members", hdr("Sec-Fetch-Site", "cross-site"), ""); s != http.StatusForbidden {
		t.Errorf("a cross-site read of the finder: %d %s", s, b)
	}
	if s, b := sb.get(t, "/sandbox/members?claim_type=dental", ""); s != http.StatusBadRequest || !strings.Contains(string(b), `"detail"`) {
		t.Errorf("an unknown claim type: %d %s", s, b)
	}
	off := startSandbox(t, sandboxOptions{Args: []string{"--control=false"}})
	if s, _ := off.get(t, "/sandbox/members", ""); s != http.StatusNotFound {
		t.Errorf("with --control=false the finder answers %d", s)
	}
	if s, b := off.get(t, "/requests", ""); s != http.StatusOK || !strings.Contains(string(b), "The control API answered 404") {
		t.Errorf("the requests page with the control API off: %d", s)
	}
}

// TestUnknownPathsByAccept: a browser asking for a page the sandbox does not
// have gets a page with a way home; a client gets the path's JSON error;
// under the FHIR base the FHIR error stays, whatever the Accept.
func TestUnknownPathsByAccept(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	tests := []struct {
		name, path, accept, wantType, wantBody string
	}{
		{"browser", "/no-such-page", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html", `href="/"`},
		{"client", "/no-such-page", "application/json", "application/json", `"detail"`},
		{"no Accept", "/no-such-page", "", "application/json", `"detail"`},
		{"html refused", "/no-such-page", "text/html;q=0, application/json", "application/json", `"detail"`},
		{"html less preferred", "/no-such-page", "application/json, text/html;q=0.5", "text/html", `href="/"`},
		{"browser under the FHIR base", fhirPath + "/NoSuchType", "text/html", "application/json", `"detail"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.accept != "" {
				h.Set("Accept", tt.accept)
			}
			status, got, body := sb.send(t, http.MethodGet, tt.path, h, "")
			if status != http.StatusNotFound || !strings.HasPrefix(got.Get("Content-Type"), tt.wantType) || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("%d %s\n%s", status, got.Get("Content-Type"), body)
			}
		})
	}
	status, h, body := sb.send(t, http.MethodGet, "/favicon.ico", nil, "")
	if status != http.StatusOK || h.Get("Content-Type") != "image/x-icon" || len(body) < 22 || body[2] != 1 {
		t.Errorf("/favicon.ico: %d %s, %d bytes", status, h.Get("Content-Type"), len(body))
	}
}

// TestAuthorizeErrorPageHelpsTheDeveloper: the page for an unregistered
// redirect URI shows what was sent, what is registered (with {base}
// expanded) and how to register more, and links home.
func TestAuthorizeErrorPageHelpsTheDeveloper(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	status, _, body := sb.send(t, http.MethodGet, issuerPath+"/authorize?response_type=code&client_id="+docsClientID+"&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb", nil, "")
	page := string(body)
	for _, want := range []string{docsClientID, "http://localhost:3000/cb", "https://oidcdebugger.com/debug", sb.URL + "/debug", "--clients", `href="/"`, "/consent/style.css"} {
		if !strings.Contains(page, want) {
			t.Errorf("the error page lacks %q", want)
		}
	}
	if status != http.StatusBadRequest {
		t.Errorf("status %d", status)
	}
	_, _, body = sb.send(t, http.MethodGet, issuerPath+"/authorize?response_type=code&client_id=my-app", nil, "")
	if page := string(body); !strings.Contains(page, "my-app") || !strings.Contains(page, "not registered with this sandbox") {
		t.Errorf("the unknown-client page does not name the client and say it is unregistered:\n%s", page)
	}
}
