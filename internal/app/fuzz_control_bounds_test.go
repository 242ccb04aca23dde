package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/control"
)

// controlActions are the control API's calls that read a body, and the
// patient ids FuzzControlBodyBounds' member calls name besides its own.
var controlActions = []string{"faults", "clock", "claims", "touch", "reset"}

// FuzzControlBodyBounds posts a fuzzed body three times to one control
// call (faults, clock, a member's claims or touch, reset), for a fuzzed or
// a served patient id, from the seed state. Every answer is a success or a
// 4xx with the control API's {"detail": ...}; an accepted fault lies within
// every bound (path, method, count, delay, retry_after, status); the armed
// faults never pass control.MaxArmedFaults nor their listing ~100 kB; the
// clock only moves forward; a touched or added resource is a FHIR resource;
// a reset, whatever its body, brings faults and clock back.
// Seeds: testdata/fuzz/FuzzControlBodyBounds.
func FuzzControlBodyBounds(f *testing.F) {
	for _, s := range []struct {
		action  uint8
		patient string
		body    string
	}{
		{0, "", `{"path": "/fhir/sb/R4/patientaccess/*", "count": 1, "status": 429, "retry_after": 3}`},
		{0, "", `{"path": "/health", "delay_ms": 30000}`},
		{0, "", `{"path": "/health", "delay_ms": 60000}`},
		{0, "", `{"path": "/health", "delay_ms": 9223372036854775807}`},
		{0, "", `{"path": "/health", "delay_ms": 1e3}`},
		{0, "", `{"path": "/x", "status": 503, "retry_after": 86401}`},
		{0, "", `{"method": "get", "path": "/x", "status": 500, "count": 1000000}`},
		{0, "", `{"method": "G\u00e9T", "path": "/x", "status": 500}`},
		{0, "", `{"path": "/` + strings.Repeat("p", 511) + `", "oauth_error": "invalid_grant"}`},
		{1, "", `{"advance": "2h"}`},
		{1, "", `{"advance": "87600h1ns"}`},
		{1, "", `{"advance": "9223372036854775807ns"}`},
		{2, "", `{"type": "carrier"}`},
		{2, "-20140000000024", `{"type": "pde"}`},
		{2, "-99", `{"type": "carrier"}`},
		{3, "", `{"resourceType": "Patient", "id": "-20140000008325"}`},
		{3, "", `{"resourceType": "Patient", "id": "-20140000000024"}`},
		{3, "../faults", `{"resourceType": "Patient", "id": "x"}`},
		{4, "", ``},
		{4, "", `{"anything": true}`},
	} {
		f.Add(s.action, s.patient, []byte(s.body))
	}
	a := startSandbox(f, sandboxOptions{}).app
	f.Fuzz(func(t *testing.T, action uint8, patient string, body []byte) {
		serve(a.handler, newRequest(http.MethodPost, "/sandbox/reset", "", nil))
		defer serve(a.handler, newRequest(http.MethodPost, "/sandbox/reset", "", nil))
		if patient == "" {
			patient = "-20140000008325"
		}
		name := controlActions[int(action)%len(controlActions)]
		path := "/sandbox/" + name
		if name == "claims" || name == "touch" {
			path = "/sandbox/members/" + url.PathEscape(patient) + "/" + name
		}
		for range 3 {
			rec := serve(a.handler, newRequest(http.MethodPost, path, "application/json", strings.NewReader(string(body))))
			if msg := checkContract(http.MethodPost, path, rec); msg != "" {
				t.Fatalf("%s %q: %s: %d %s", path, body, msg, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var p struct{ Detail string }
				if json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Detail == "" {
					t.Fatalf("%s %q: %d without a detail: %s", path, body, rec.Code, rec.Body)
				}
				continue
			}
			checkAccepted(t, name, body, rec.Body.Bytes())
		}
		list := serve(a.handler, newRequest(http.MethodGet, "/sandbox/faults", "", nil))
		var armed []control.Fault
		if err := json.Unmarshal(list.Body.Bytes(), &armed); err != nil || len(armed) > control.MaxArmedFaults || list.Body.Len() > 100<<10 {
			t.Fatalf("%d faults armed, listed in %d bytes (%v)", len(armed), list.Body.Len(), err)
		}
	})
}

// checkAccepted checks what a control call answered with a success.
func checkAccepted(t *testing.T, action string, body, answer []byte) {
	t.Helper()
	switch action {
	case "faults":
		var f control.Fault
		if err := json.Unmarshal(answer, &f); err != nil {
			t.Fatalf("%q armed %s: %v", body, answer, err)
		}
		bad := !strings.HasPrefix(f.Path, "/") || strings.HasPrefix(f.Path, control.Prefix) || len(f.Path) > 512 ||
			len(f.Method) > 16 || strings.ContainsFunc(f.Method, func(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }) ||
			f.Count < 1 || f.Count > 1_000_000 ||
			f.DelayMS < 0 || f.DelayMS > int(control.MaxFaultDelay.Milliseconds()) ||
			f.RetryAfter < 0 || f.RetryAfter > 86400 ||
			(f.Status != 0 && (f.Status < 400 || f.Status > 599))
		if bad {
			t.Fatalf("%q armed the fault %s, outside the bounds", body, answer)
		}
	case "clock":
		var c struct{ Offset string }
		json.Unmarshal(answer, &c)
		if c.Offset == "" || strings.HasPrefix(c.Offset, "-") || c.Offset == "0s" {
			t.Fatalf("%q moved the clock to offset %q", body, c.Offset)
		}
	case "claims", "touch":
		var r struct{ ResourceType, ID string }
		if json.Unmarshal(answer, &r) != nil || r.ResourceType == "" || r.ID == "" {
			t.Fatalf("%q answered %.200s, not a resource", body, answer)
		}
	case "reset":
		if !strings.Contains(string(answer), `"reset"`) {
			t.Fatalf("reset answered %s", answer)
		}
	}
}
