package app

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// manyParams is about size bytes of distinct small query parameters, the
// costliest query to parse per byte.
func manyParams(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "&p%d=x", i)
	}
	return b.String()
}

// timedGet fetches target and returns its status and how long it took.
func timedGet(t *testing.T, c *http.Client, target string) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp, err := c.Get(target)
	if err != nil {
		t.Error(err)
		return 0, time.Since(start)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// TestDebugStateLookupDoesNotStallServer fills the request log with 1,000
// /authorize requests of 58 kB queries, then opens the debugger with a
// state none of them had while another client asks /health. The lookup
// shares the log's lock with every request, so it must not parse the log
// under it: both answer at once.
func TestDebugStateLookupDoesNotStallServer(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	c := &http.Client{Timeout: 60 * time.Second}
	target := srv.URL + issuerPath + "/authorize?client_id=nobody&response_type=code&state=s" + manyParams(58<<10)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				if s, _ := timedGet(t, c, target); s != http.StatusBadRequest {
					t.Errorf("sender %d: /authorize answered %d, want 400", w, s)
					return
				}
			}
		}()
	}
	wg.Wait()

	var health, debug time.Duration
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, debug = timedGet(t, c, srv.URL+"/debug?state=nomatch")
	}()
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond) // queued behind the lookup
		_, health = timedGet(t, c, srv.URL+"/health")
	}()
	wg.Wait()
	t.Logf("/debug?state=nomatch took %v, /health beside it %v", debug, health)
	// Parsing the log under its lock took over a second here; comparing
	// digests takes well under a millisecond.
	if debug > 250*time.Millisecond || health > 250*time.Millisecond {
		t.Errorf("/debug took %v and /health %v with a full log of long queries", debug, health)
	}
}

// TestDebugShowsChecksOfStateBeyondKeptQuery: the debugger still shows the
// checks of an /authorize request whose state came after what the log
// keeps of its query.
func TestDebugShowsChecksOfStateBeyondKeptQuery(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	c := &http.Client{Timeout: 10 * time.Second}
	timedGet(t, c, srv.URL+issuerPath+"/authorize?client_id=nobody"+manyParams(8<<10)+"&state=shortstate")
	resp, err := c.Get(srv.URL + "/debug?state=shortstate")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "state is short and guessable") {
		t.Errorf("the debugger does not show the checks of the request with that state")
	}
}
