package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/control"
)

// controlCall sends a control API request and returns status and body.
func controlCall(t testing.TB, method, target, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// hasDetail reports whether body is the control API's error body.
func hasDetail(body string) bool {
	var p struct{ Detail string }
	return json.Unmarshal([]byte(body), &p) == nil && p.Detail != ""
}

// TestTouchDistinctMembersIsBounded touches the Patient of 1,500 distinct
// members. The first fixtures.MaxEditedMembers are edited; every later one
// is refused with a 409 naming the reset, before its member is built; and
// what stays in memory is bounded (the member cache and the edits' deltas,
// not an edited copy of every member: 1,500 of those were 450 MB).
func TestTouchDistinctMembersIsBounded(t *testing.T) {
	const members = 1500
	srv := startSandbox(t, sandboxOptions{Run: true, Members: members + 10})
	before := liveHeap()
	created, refused := 0, 0
	for n := 7; n < 7+members; n++ {
		id := generator.PatientID(n)
		status, body := srv.controlPost(t, "/sandbox/members/"+id+"/touch", `{"resourceType": "Patient", "id": "`+id+`"}`)
		switch {
		case status == http.StatusCreated && refused == 0:
			created++
		case status == http.StatusConflict && hasDetail(body) && strings.Contains(body, "POST /sandbox/reset"):
			refused++
		default:
			t.Fatalf("touch of member %d after %d edited, %d refused: %d %s", n, created, refused, status, body)
		}
	}
	grew := int64(liveHeap()) - int64(before)
	t.Logf("%d touched, %d refused; heap grew %d kB", created, refused, grew>>10)
	if created != fixtures.MaxEditedMembers {
		t.Errorf("%d members edited, want %d", created, fixtures.MaxEditedMembers)
	}
	if grew > 32<<20 {
		t.Errorf("heap grew %d kB after touching %d members", grew>>10, members)
	}
	srv.controlPost(t, "/sandbox/reset", "")
	id := generator.PatientID(7 + members - 1)
	if s, body := srv.controlPost(t, "/sandbox/members/"+id+"/touch", `{"resourceType": "Patient", "id": "`+id+`"}`); s != http.StatusCreated {
		t.Errorf("a touch after the reset: %d %s", s, body)
	}
}

// TestFaultsAreBounded: 1,500 faults with 60 kB paths are refused with a
// 413 and leave nothing behind; control.MaxArmedFaults faults with the
// longest path allowed may be armed, the next is refused with a 409, and
// listing them all stays small.
func TestFaultsAreBounded(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	long := "/" + strings.Repeat("p", 60<<10)
	before := liveHeap()
	for i := range 1500 {
		status, body := controlCall(t, http.MethodPost, srv.URL+"/sandbox/faults", `{"path": "`+long+`", "status": 503}`)
		if status != http.StatusRequestEntityTooLarge || !hasDetail(body) {
			t.Fatalf("fault %d with a 60 kB path: %d %.200s", i+1, status, body)
		}
	}
	if grew := int64(liveHeap()) - int64(before); grew > 4<<20 {
		t.Errorf("heap grew %d kB after 1,500 refused faults", grew>>10)
	}
	path := "/" + strings.Repeat("p", 510) + "*"
	for i := range control.MaxArmedFaults {
		if s, body := controlCall(t, http.MethodPost, srv.URL+"/sandbox/faults", `{"path": "`+path+`", "status": 503}`); s != http.StatusCreated {
			t.Fatalf("fault %d: %d %s", i+1, s, body)
		}
	}
	if s, body := controlCall(t, http.MethodPost, srv.URL+"/sandbox/faults", `{"path": "/x", "status": 503}`); s != http.StatusConflict || !hasDetail(body) {
		t.Fatalf("fault %d: %d %s, want 409", control.MaxArmedFaults+1, s, body)
	}
	status, list := controlCall(t, http.MethodGet, srv.URL+"/sandbox/faults", "")
	var faults []control.Fault
	if status != http.StatusOK || json.Unmarshal([]byte(list), &faults) != nil || len(faults) != control.MaxArmedFaults {
		t.Fatalf("list: %d, %d faults", status, len(faults))
	}
	t.Logf("GET /sandbox/faults with %d armed: %d bytes", len(faults), len(list))
	if len(list) > 100<<10 {
		t.Errorf("the list of %d faults is %d bytes", len(faults), len(list))
	}
}

// TestFaultDelayBounds: delay_ms is at most control.MaxFaultDelay, checked
// on the number as posted; 60000 (past the server's write timeout, so
// never answered) and numbers that overflow when scaled are refused.
func TestFaultDelayBounds(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	cases := []struct {
		name  string
		delay string
		want  int
	}{
		{"the maximum", fmt.Sprint(control.MaxFaultDelay.Milliseconds()), http.StatusCreated},
		{"the write timeout", "60000", http.StatusBadRequest},
		{"max int64, which wraps when scaled to a duration", "9223372036854775807", http.StatusBadRequest},
		{"past int64", "18446744073709551616", http.StatusBadRequest},
		{"an exponent", "3e4", http.StatusBadRequest},
		{"negative", "-1", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer controlCall(t, http.MethodDelete, srv.URL+"/sandbox/faults", "")
			s, body := controlCall(t, http.MethodPost, srv.URL+"/sandbox/faults", `{"path": "/health", "delay_ms": `+tc.delay+`}`)
			if s != tc.want || (s >= 400 && !hasDetail(body)) {
				t.Errorf("delay_ms %s: %d %s, want %d", tc.delay, s, body, tc.want)
			}
		})
	}
}

// TestFaultDelayLeavesTimeToAnswer: the longest delay leaves the handler
// at least as long again before the server's write timeout cuts the
// connection.
func TestFaultDelayLeavesTimeToAnswer(t *testing.T) {
	srv := newHTTPServer(nil, newLogger("text", io.Discard).Logger)
	if 2*control.MaxFaultDelay > srv.WriteTimeout {
		t.Errorf("a %v delay leaves %v of the %v write timeout", control.MaxFaultDelay, srv.WriteTimeout-control.MaxFaultDelay, srv.WriteTimeout)
	}
}

// TestFaultDelayMaxIsAnswered runs the longest delay against the real
// server: it answers. It waits control.MaxFaultDelay, so it runs only with
// SANDBOX_SOAK set, as the soak tests do.
func TestFaultDelayMaxIsAnswered(t *testing.T) {
	if os.Getenv("SANDBOX_SOAK") == "" {
		t.Skip("waits 30s: set SANDBOX_SOAK=60s to run it")
	}
	r := startSandbox(t, sandboxOptions{Run: true})
	ms := control.MaxFaultDelay.Milliseconds()
	if s, body := controlCall(t, http.MethodPost, r.URL+"/sandbox/faults", fmt.Sprintf(`{"path": "/health", "delay_ms": %d}`, ms)); s != http.StatusCreated {
		t.Fatalf("arm: %d %s", s, body)
	}
	c := &http.Client{Timeout: 2 * control.MaxFaultDelay}
	start := time.Now()
	resp, err := c.Get(r.URL + "/health")
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took < control.MaxFaultDelay {
		t.Errorf("answered %d after %v", resp.StatusCode, took)
	}
}

// TestFaultDelayEndsWhenClientLeaves: a delayed request whose client gives
// up ends then (it is logged at once), not when the delay is over.
func TestFaultDelayEndsWhenClientLeaves(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	if s, body := controlCall(t, http.MethodPost, srv.URL+"/sandbox/faults", `{"path": "/health", "delay_ms": 30000}`); s != http.StatusCreated {
		t.Fatalf("arm: %d %s", s, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/health", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the delayed request answered %d at once", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := controlCall(t, http.MethodGet, srv.URL+"/sandbox/requests?limit=5", "")
		if strings.Contains(body, `"path":"/health"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the abandoned request still runs 5s after its client left")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkFHIRReadWithFaults is a Patient read through the whole router
// with no fault armed and with control.MaxArmedFaults armed that do not
// match it: the check every request makes stays cheap at the bound.
func BenchmarkFHIRReadWithFaults(b *testing.B) {
	for _, armed := range []int{0, control.MaxArmedFaults} {
		b.Run(fmt.Sprintf("armed=%d", armed), func(b *testing.B) {
			sb := startSandbox(b, sandboxOptions{AutoApprove: "BCNCUser03"})
			a, tok := sb.app, sb.approvedTokens(b, "BCNCUser03")
			for i := range armed {
				body := fmt.Sprintf(`{"path": "%s/Nothing%d/*", "status": 503}`, fhirPath, i)
				if rec := serve(a.handler, newRequest(http.MethodPost, "/sandbox/faults", "application/json", strings.NewReader(body))); rec.Code != http.StatusCreated {
					b.Fatalf("arm: %d %s", rec.Code, rec.Body)
				}
			}
			target := fhirPath + "/Patient/" + tok.Patient
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := httptest.NewRequest(http.MethodGet, target, nil)
				r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				for pb.Next() {
					w := &discardWriter{header: http.Header{}}
					a.handler.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Fatalf("status %d", w.status)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
