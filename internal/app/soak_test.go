package app

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// soakStats counts what the soak's clients saw.
type soakStats struct {
	requests, flows, serverErrors, transportErrors, crossMember, unexpected atomic.Int64

	mu       sync.Mutex // guards examples
	examples []string
}

func (s *soakStats) fail(counter *atomic.Int64, format string, args ...any) {
	counter.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.examples) < 20 {
		s.examples = append(s.examples, fmt.Sprintf(format, args...))
	}
}

// patientRef finds every patient reference in a body.
var patientRef = regexp.MustCompile(`"(?:reference)"\s*:\s*"(?:[^"]*/)?Patient/([^"/]+)"`)

// soakClient is one of the soak's concurrent clients.
type soakClient struct {
	base  string
	http  *http.Client
	stats *soakStats
}

// do sends one request, counts it, and returns status, Location and body;
// a transport error or a 5xx is recorded and returns status 0.
func (c *soakClient) do(req *http.Request) (int, string, []byte) {
	c.stats.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.stats.fail(&c.stats.transportErrors, "%s %s: %v", req.Method, req.URL.Path, err)
		return 0, "", nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.stats.fail(&c.stats.transportErrors, "%s %s: reading: %v", req.Method, req.URL.Path, err)
		return 0, "", nil
	}
	if resp.StatusCode >= 500 {
		c.stats.fail(&c.stats.serverErrors, "%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, truncate(string(body), 200))
		return 0, "", nil
	}
	return resp.StatusCode, resp.Header.Get("Location"), body
}

func (c *soakClient) expect(want int, method, target, auth, contentType, body string) []byte {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.base+target, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	status, _, got := c.do(req)
	if status != 0 && status != want {
		c.stats.fail(&c.stats.unexpected, "%s %s: %d, want %d: %s", method, truncate(target, 120), status, want, truncate(string(got), 200))
	}
	return got
}

// checkOwn records any patient reference in body that is not patient's.
func (c *soakClient) checkOwn(patient, what string, body []byte) {
	for _, m := range patientRef.FindAllSubmatch(body, -1) {
		if string(m[1]) != patient {
			c.stats.fail(&c.stats.crossMember, "%s for Patient/%s holds Patient/%s", what, patient, m[1])
			return
		}
	}
}

// session is one member's full flow and a round of reads, searches and
// deliberate errors with the token it got.
func (c *soakClient) session(n int) {
	username := fmt.Sprintf("BCNCUser%02d", n)
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {"openid fhirUser profile offline_access patient/*.read"}, "state": {"soak-state-0123456789"}, "login_hint": {username}}
	req, _ := http.NewRequest(http.MethodGet, c.base+issuerPath+"/authorize?"+q.Encode(), nil)
	status, location, _ := c.do(req)
	loc, err := url.Parse(location)
	if status == 0 {
		return
	}
	if status != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		c.stats.fail(&c.stats.unexpected, "authorize as %s: %d %q", username, status, location)
		return
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {docsRedir}}
	auth := ""
	if n%2 == 0 {
		auth = basicAuth(docsClientID, docsClientSecret)
	} else {
		form.Set("client_id", docsClientID)
		form.Set("client_secret", docsClientSecret)
	}
	var tok tokenResponse
	if json.Unmarshal(c.expect(http.StatusOK, http.MethodPost, issuerPath+"/token", auth, formType, form.Encode()), &tok) != nil || tok.AccessToken == "" {
		return
	}
	c.stats.flows.Add(1)
	bearer := "Bearer " + tok.AccessToken
	p := tok.Patient
	fh := fhirPath
	reads := []string{
		"/Patient/" + p,
		"/Patient?_id=" + p,
		"/Coverage/?beneficiary=" + p + "&_count=5",
		"/ExplanationOfBenefit/?patient=" + p,
		"/ExplanationOfBenefit?patient=Patient/" + p + "&type=carrier,pde,inpatient&_count=3&startIndex=1",
		"/ExplanationOfBenefit?type=https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type|outpatient&service-date=ge2015-01-01&service-date=le2030-01-01",
		"/ExplanationOfBenefit?_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2031&_format=json",
		"/Condition?patient=" + p + "&_count=50", "/Observation?patient=" + p, "/Procedure?_count=2&startIndex=2",
		"/AllergyIntolerance?patient=" + p, "/Immunization?patient=" + p, "/MedicationRequest?patient=" + p,
		"/Encounter?patient=" + p + "&_lastUpdated=ge2000-01-01",
	}
	for _, r := range reads {
		body := c.expect(http.StatusOK, http.MethodGet, fh+r, bearer, "", "")
		c.checkOwn(p, r, body)
		var b struct {
			Link []struct{ Relation, URL string } `json:"link"`
		}
		if json.Unmarshal(body, &b) == nil {
			for _, l := range b.Link {
				if l.Relation == "next" && strings.HasPrefix(l.URL, c.base) {
					c.checkOwn(p, r+" next", c.expect(http.StatusOK, http.MethodGet, strings.TrimPrefix(l.URL, c.base), bearer, "", ""))
				}
			}
		}
	}
	c.checkOwn(p, "_search", c.expect(http.StatusOK, http.MethodPost, fh+"/ExplanationOfBenefit/_search", bearer, formType, "patient="+p+"&_count=4"))
	c.expect(http.StatusOK, http.MethodGet, "/v1/connect/userinfo", bearer, "", "")

	// Deliberate errors.
	c.expect(http.StatusForbidden, http.MethodGet, fh+"/ExplanationOfBenefit?patient=-20140000008325x", bearer, "", "")
	c.expect(http.StatusBadRequest, http.MethodGet, fh+"/ExplanationOfBenefit?type=Carrier", bearer, "", "")
	c.expect(http.StatusBadRequest, http.MethodGet, fh+"/Condition?startIndex=-1", bearer, "", "")
	c.expect(http.StatusUnauthorized, http.MethodGet, fh+"/Patient/"+p, "Bearer "+flipMiddle(tok.AccessToken), "", "")
	c.expect(http.StatusNotFound, http.MethodGet, fh+"/Patient/-20140000000024x", bearer, "", "")
	c.expect(http.StatusBadRequest, http.MethodGet, issuerPath+"/authorize?client_id=nobody", "", "", "")

	// Refresh rotation, then the old refresh token is spent; last, the
	// code replayed (which revokes the grant: RFC 6749 §4.1.2).
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	c.expect(http.StatusOK, http.MethodPost, issuerPath+"/token", "", formType, rf.Encode())
	c.expect(http.StatusBadRequest, http.MethodPost, issuerPath+"/token", "", formType, rf.Encode())
	form.Set("client_id", docsClientID)
	form.Set("client_secret", docsClientSecret)
	c.expect(http.StatusBadRequest, http.MethodPost, issuerPath+"/token", "", formType, form.Encode())
	c.expect(http.StatusUnauthorized, http.MethodGet, fh+"/Patient/"+p, bearer, "", "")
}

// TestSoakOnlyWithSANDBOX_SOAK is the load test, skipped unless
// SANDBOX_SOAK names a duration (SANDBOX_SOAK=60s go test -run Soak). It
// runs the real server on loopback with --auto-approve and 64 concurrent
// clients of mixed traffic: full flows for many different members (by
// login_hint), searches with every parameter, deliberate errors. It asserts
// zero 5xx, zero transport errors, no response holding another member's
// patient reference, goroutines back at their baseline, and a heap that
// stops growing once the caches are warm: the member cache (1024 members,
// 64 MiB of JSON as it counts them) and the FHIR page cache (16 MiB) keep
// what they hold by design, so the heap is compared between the two halves
// of the run, and only loosely (256 MiB) with the cold baseline.
func TestSoakOnlyWithSANDBOX_SOAK(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SANDBOX_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("soak test: set SANDBOX_SOAK=60s to run it")
	}
	const clients, members = 64, 5000
	sb := startSandbox(t, sandboxOptions{Run: true, AutoApprove: "BCNCUser03", Members: members, LogFormat: "json"})
	time.Sleep(200 * time.Millisecond)
	gBase, hBase := settle()
	t.Logf("baseline: %d goroutines, heap %.1f MiB", gBase, mib(hBase))

	stats := &soakStats{}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	// Two halves: after the first the caches are warm, so the second shows
	// whether memory keeps growing (a leak) or stays put (bounded caches).
	var gHalf [2]int
	var hHalf [2]uint64
	for half := range 2 {
		deadline := time.Now().Add(d / 2)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &soakClient{base: sb.URL, stats: stats}
				c.http = &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: noRedirect}
				for k := 0; time.Now().Before(deadline); k++ {
					c.session(3 + (half*clients*1000+i*7919+k*104729)%(members+4))
				}
			}()
		}
		wg.Wait()
		tr.CloseIdleConnections()
		time.Sleep(500 * time.Millisecond)
		gHalf[half], hHalf[half] = settle()
		t.Logf("after half %d: %d goroutines, heap %.1f MiB", half+1, gHalf[half], mib(hHalf[half]))
	}
	gAfter, hAfter := gHalf[1], hHalf[1]
	t.Logf("served %d requests (%.0f/s) in %d flows over %v with %d clients", stats.requests.Load(),
		float64(stats.requests.Load())/d.Seconds(), stats.flows.Load(), d, clients)
	t.Logf("5xx %d, transport errors %d, cross-member %d, unexpected statuses %d",
		stats.serverErrors.Load(), stats.transportErrors.Load(), stats.crossMember.Load(), stats.unexpected.Load())
	t.Logf("after: %d goroutines (baseline %d), heap %.1f MiB (baseline %.1f MiB)", gAfter, gBase, mib(hAfter), mib(hBase))
	for _, e := range stats.examples {
		t.Log(e)
	}
	if stats.serverErrors.Load()+stats.transportErrors.Load()+stats.crossMember.Load()+stats.unexpected.Load() != 0 {
		t.Error("the soak saw failures (listed above)")
	}
	if stats.flows.Load() < clients {
		t.Errorf("only %d flows completed", stats.flows.Load())
	}
	if gAfter > gBase+8 {
		t.Errorf("goroutines %d after the soak, %d before: a leak", gAfter, gBase)
	}
	if hAfter > hHalf[0]+16<<20 {
		t.Errorf("heap grew from %.1f MiB to %.1f MiB in the second half, with warm caches: a leak", mib(hHalf[0]), mib(hAfter))
	}
	if hAfter > hBase+256<<20 {
		t.Errorf("heap %.1f MiB after the soak, %.1f MiB before", mib(hAfter), mib(hBase))
	}
}

// settle collects garbage and reads the goroutine count and live heap.
func settle() (int, uint64) {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// flipMiddle changes the middle character of a token, which always changes
// the bytes it encodes.
func flipMiddle(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
