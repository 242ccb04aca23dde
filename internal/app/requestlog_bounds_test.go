package app

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// liveHeap collects garbage and reads the bytes the heap still holds.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestRequestLogBoundedUnderLongQueries sends 1,000 /health requests with
// a 60 kB query and a 4 kB User-Agent: the request log keeps a bounded copy
// of each (a few kB), not the request, and says what it cut.
func TestRequestLogBoundedUnderLongQueries(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	c := &http.Client{Timeout: 30 * time.Second}
	pad := strings.Repeat("x", 60<<10)
	agent := strings.Repeat("a", 4<<10)
	before := liveHeap()
	for range 1000 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/health?x="+pad, nil)
		req.Header.Set("User-Agent", agent)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	c.CloseIdleConnections()
	grew := int64(liveHeap()) - int64(before)
	t.Logf("heap grew %d kB for 1,000 logged requests of 64 kB", grew>>10)
	// The log's bound is about 4.6 kB an entry; keeping the requests
	// themselves is over 60 MB.
	if grew > 10<<20 {
		t.Errorf("the request log of 1,000 long requests holds %d kB", grew>>10)
	}

	resp, err := c.Get(srv.URL + "/sandbox/requests?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []struct {
		Path      string            `json:"path"`
		Query     map[string]string `json:"query"`
		Headers   map[string]string `json:"headers"`
		Truncated []string          `json:"truncated"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 {
		t.Fatalf("request log: %v %v", err, got)
	}
	if e := got[0]; e.Path != "/health" || !slices.Equal(e.Truncated, []string{"query", "User-Agent"}) ||
		len(e.Query["x"]) > 510 || len(e.Headers["User-Agent"]) > 300 {
		t.Errorf("entry path %q, truncated %v, x %d bytes, User-Agent %d bytes", e.Path, e.Truncated, len(e.Query["x"]), len(e.Headers["User-Agent"]))
	}
}
