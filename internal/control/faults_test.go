package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFaultBounds: each bound of a fault is checked on the number as given,
// so a value past it is refused with a 400 (or a 413 for a body over
// maxBody), never wrapped into range.
func TestFaultBounds(t *testing.T) {
	long := "/" + strings.Repeat("p", maxFaultPath)
	cases := []struct {
		name, body string
		status     int
	}{
		{"delay at its maximum", `{"path":"/x","delay_ms":30000}`, 201},
		{"delay over its maximum", `{"path":"/x","delay_ms":30001}`, 400},
		{"the old maximum, past the write timeout", `{"path":"/x","delay_ms":60000}`, 400},
		{"delay that overflows when scaled", `{"path":"/x","delay_ms":9223372036854775807}`, 400},
		{"delay past int64", `{"path":"/x","delay_ms":9223372036854775808}`, 400},
		{"delay in exponent form", `{"path":"/x","delay_ms":1e30}`, 400},
		{"fractional delay", `{"path":"/x","delay_ms":1.5}`, 400},
		{"negative delay", `{"path":"/x","delay_ms":-1}`, 400},
		{"count at its maximum", `{"path":"/x","status":500,"count":1000000}`, 201},
		{"count over its maximum", `{"path":"/x","status":500,"count":1000001}`, 400},
		{"count that overflows", `{"path":"/x","status":500,"count":-9223372036854775808}`, 400},
		{"retry_after over a day", `{"path":"/x","status":429,"retry_after":86401}`, 400},
		{"path at its maximum", `{"path":"` + long[:maxFaultPath] + `","status":500}`, 201},
		{"path over its maximum", `{"path":"` + long + `","status":500}`, 400},
		{"method not a token", `{"method":"GET /","path":"/x","status":500}`, 400},
		{"method too long", `{"method":"` + strings.Repeat("G", maxFaultMethod+1) + `","path":"/x","status":500}`, 400},
		{"body over its maximum", `{"path":"/x","status":500,"method":"` + strings.Repeat(" ", maxBody) + `"}`, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newRouter(t, Config{})
			rec := call(e, "POST", Prefix+"/faults", tc.body)
			var body map[string]any
			if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.status)
			}
			if tc.status >= 400 && body["detail"] == "" {
				t.Errorf("no detail: %s", rec.Body)
			}
		})
	}
}

// TestArmedFaultsAreBounded: MaxArmedFaults may be armed; the next is
// refused with a 409 saying how to disarm them, and once one has fired out
// another may be armed.
func TestArmedFaultsAreBounded(t *testing.T) {
	e, c := newRouter(t, Config{})
	for i := range MaxArmedFaults {
		if rec := call(e, "POST", Prefix+"/faults", fmt.Sprintf(`{"path":"/nothing/%d","status":500}`, i)); rec.Code != 201 {
			t.Fatalf("fault %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := call(e, "POST", Prefix+"/faults", `{"path":"`+fhir+`/Patient/*","status":503}`)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "DELETE /sandbox/faults") {
		t.Fatalf("fault %d: %d %s, want 409 naming the way out", MaxArmedFaults+1, rec.Code, rec.Body)
	}
	if n := len(c.faults.snapshot()); n != MaxArmedFaults {
		t.Fatalf("%d faults armed", n)
	}
	if rec := call(e, "GET", "/nothing/0", ""); rec.Code != 500 {
		t.Fatalf("the first fault did not fire: %d", rec.Code)
	}
	if rec := call(e, "POST", Prefix+"/faults", `{"path":"/nothing/again","status":500}`); rec.Code != 201 {
		t.Fatalf("a fault after one fired out: %d %s", rec.Code, rec.Body)
	}
	call(e, "DELETE", Prefix+"/faults", "")
	if c.faults.armed.Load() != nil {
		t.Errorf("%d faults still armed after DELETE", len(*c.faults.armed.Load()))
	}
}

// TestArmedCountFollowsTheList: the lock-free copy of the armed faults
// agrees with the list through arming, firing out and clearing, so no armed
// fault is skipped and no request takes the lock for nothing.
func TestArmedCountFollowsTheList(t *testing.T) {
	fs := &faults{}
	steps := []struct {
		name string
		do   func()
	}{
		{"arm two", func() {
			fs.arm(Fault{Path: "/a", Count: 1, Status: 500})
			fs.arm(Fault{Path: "/b", Count: 2, Status: 500})
		}},
		{"fire /a out", func() { fs.take("GET", "/a") }},
		{"fire /b once", func() { fs.take("GET", "/b") }},
		{"fire /b out", func() { fs.take("GET", "/b") }},
		{"arm and clear", func() { fs.arm(Fault{Path: "/c", Count: 1, Status: 500}); fs.clear() }},
	}
	for _, s := range steps {
		s.do()
		got := 0
		if a := fs.armed.Load(); a != nil {
			got = len(*a)
		}
		if want := len(fs.snapshot()); got != want {
			t.Fatalf("after %s: armed says %d, the list holds %d", s.name, got, want)
		}
	}
}

// TestPatternAgreesWithFault: the lock-free scan's patterns match exactly
// the requests their faults match.
func TestPatternAgreesWithFault(t *testing.T) {
	armed := []Fault{
		{Path: fhir + "/Patient/*"}, {Path: fhir + "/Patient"}, {Method: "post", Path: issuer + "/token"},
		{Path: "/*"}, {Path: "/"}, {Path: "/a*"},
	}
	requests := []struct{ method, path string }{
		{"GET", fhir + "/Patient/1"}, {"GET", fhir + "/Patient"}, {"GET", fhir + "/Patient/"}, {"GET", fhir + "/Patients"},
		{"POST", issuer + "/token"}, {"GET", issuer + "/token"}, {"POST", issuer + "/tokens"},
		{"GET", "/"}, {"GET", "/a"}, {"GET", "/b"}, {"GET", ""},
	}
	for _, f := range armed {
		fs := &faults{}
		fs.arm(f)
		for _, r := range requests {
			if got, want := fs.mayMatch(r.method, r.path), f.matches(r.method, r.path); got != want {
				t.Errorf("fault %s %q, request %s %q: the pattern says %v, the fault %v", f.Method, f.Path, r.method, r.path, got, want)
			}
		}
	}
}

// TestDelayEndsWhenTheClientLeaves: a delayed request whose client gives
// up ends then, not when the delay is over.
func TestDelayEndsWhenTheClientLeaves(t *testing.T) {
	e, c := newRouter(t, Config{})
	call(e, "POST", Prefix+"/faults", `{"path":"`+fhir+`/Patient/*","delay_ms":30000}`)
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", fhir+"/Patient/1", nil).WithContext(ctx)
	done := make(chan struct{})
	go func() {
		e.ServeHTTP(httptest.NewRecorder(), req)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the delayed request still runs 5s after its client left")
	}
	if got := c.requests.last(1); len(got) != 1 || got[0].Path != fhir+"/Patient/1" {
		t.Errorf("the abandoned request was not logged: %+v", got)
	}
}

// BenchmarkFaultCheck is the check every request makes, with no fault and
// with MaxArmedFaults armed that do not match.
func BenchmarkFaultCheck(b *testing.B) {
	for _, armed := range []int{0, MaxArmedFaults} {
		b.Run(fmt.Sprintf("armed=%d", armed), func(b *testing.B) {
			fs := &faults{}
			for i := range armed {
				fs.arm(Fault{Path: fmt.Sprintf("%s/Nothing%d/*", fhir, i), Count: 1, Status: 500})
			}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, ok := fs.take("GET", fhir+"/Patient/-20140000008325"); ok {
						b.Fatal("a fault fired")
					}
				}
			})
		})
	}
}
