package control

import (
	"fmt"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRequestLogEntriesAreBounded: a request with a long path, query and
// headers is logged cut to the bounds, with the cut named in the entry.
func TestRequestLogEntriesAreBounded(t *testing.T) {
	e, c := newRouter(t, Config{})
	long := strings.Repeat("x", 60<<10)
	req := newRequest("GET", fhir+"/Patient/"+long+"?a="+long)
	req.Header.Set("User-Agent", long)
	req.Header.Set("Accept", "application/fhir+json")
	serveRequest(e, req)
	got := c.requests.last(1)[0]
	want := []string{"path", "query", "User-Agent"}
	if !slices.Equal(got.Truncated, want) {
		t.Errorf("truncated %v, want %v", got.Truncated, want)
	}
	if len(got.Path) != maxLoggedPath || len(got.Headers["User-Agent"]) != maxLoggedHeader {
		t.Errorf("path %d bytes, User-Agent %d bytes: want %d and %d", len(got.Path), len(got.Headers["User-Agent"]), maxLoggedPath, maxLoggedHeader)
	}
	if got.Headers["Accept"] != "application/fhir+json" {
		t.Errorf("a short header was changed: %q", got.Headers["Accept"])
	}
	if v := got.Query["a"]; !strings.HasPrefix(v, "xxxx") || len(v) > 510 {
		t.Errorf("query a is %d bytes", len(v))
	}
}

// TestRequestLogKeepsNoRequestMemory fills the log with requests of 60 kB
// queries: what it keeps is its bounded copies, not the requests' own
// strings (a short path sliced from a 60 kB request line keeps all of it).
func TestRequestLogKeepsNoRequestMemory(t *testing.T) {
	e, c := newRouter(t, Config{})
	pad := strings.Repeat("x", 60<<10)
	before := liveHeap()
	for range requestLogSize {
		serveRequest(e, newRequest("GET", fhir+"/Patient/1?x="+pad))
	}
	grew := int64(liveHeap()) - int64(before)
	t.Logf("heap grew %d kB for %d logged requests of 60 kB", grew>>10, requestLogSize)
	if grew > 8<<20 {
		t.Errorf("the log of %d requests holds %d kB", requestLogSize, grew>>10)
	}
	runtime.KeepAlive(c)
}

// TestDebuggerStateLookup: the debugger finds the checks of the newest
// /authorize request with a state even when the state came after what the
// log keeps of the query, and finds nothing for an unknown state.
func TestDebuggerStateLookup(t *testing.T) {
	e, c := newRouter(t, Config{})
	pad := strings.Repeat("&p=x", maxLoggedQuery)
	call(e, "GET", issuer+"/authorize?client_id=app&state=short"+pad, "")
	call(e, "GET", issuer+"/authorize?client_id=app"+pad+"&state=short&code_challenge=abc&code_challenge_method=S256", "")
	call(e, "GET", fhir+"/Patient/1?state=short", "")
	got := c.ClientChecks("short")
	if len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "PKCE") }) {
		t.Errorf("checks %v: want the newest authorize request's, which used PKCE", got)
	}
	if got := c.ClientChecks("nomatch"); got != nil {
		t.Errorf("an unknown state found %v", got)
	}
	if got := c.ClientChecks(""); got != nil {
		t.Errorf("the empty state found %v", got)
	}
}

// TestDebuggerStateLookupIsCheap fills the log with /authorize requests of
// 16 kB queries of small parameters, then looks up a state none has: the
// lookup holds the lock every request needs, so it must parse nothing.
// (TestDebugStateLookupDoesNotStallServer runs it at full size.)
func TestDebuggerStateLookupIsCheap(t *testing.T) {
	e, c := newRouter(t, Config{})
	target := issuer + "/authorize?client_id=nobody&state=s" + manyParams(16<<10)
	for range requestLogSize {
		call(e, "GET", target, "")
	}
	start := time.Now()
	for range 10 {
		c.ClientChecks("nomatch")
	}
	if took := time.Since(start) / 10; took > 25*time.Millisecond {
		t.Errorf("a state lookup in a full log took %v", took)
	}
}

// manyParams is about size bytes of distinct small query parameters, the
// costliest query to parse per byte.
func manyParams(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "&p%d=x", i)
	}
	return b.String()
}

func newRequest(method, target string) *http.Request {
	req, _ := http.NewRequest(method, "http://sandbox.test"+target, nil)
	return req
}

func serveRequest(h http.Handler, req *http.Request) {
	h.ServeHTTP(discard{header: http.Header{}}, req)
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ header http.Header }

func (d discard) Header() http.Header       { return d.header }
func (discard) WriteHeader(int)             {}
func (discard) Write(p []byte) (int, error) { return len(p), nil }

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestFieldBoundsFitTheirOffsets: an entry's field offsets are uint16s.
func TestFieldBoundsFitTheirOffsets(t *testing.T) {
	total := 0
	for _, b := range fieldBounds {
		total += b
	}
	if total > math.MaxUint16 {
		t.Errorf("the fields of an entry may take %d bytes, past their uint16 offsets", total)
	}
}
