package consent

import (
	"net/http"
	"net/url"
	"testing"
)

// BenchmarkWalk measures one whole flow (start, four posts, redirect)
// through the real router and a real HTTP connection.
func BenchmarkWalk(b *testing.B) {
	h := newHarness(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		br := newBrowser(b, h.srv.URL)
		p := br.start("h1")
		p = br.submit(p, nil)
		p = br.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
		p = br.submit(p, url.Values{"who": {"self"}})
		if p = br.submit(p, url.Values{"decision": {"agree"}}); p.Status != http.StatusSeeOther {
			b.Fatalf("status %d", p.Status)
		}
	}
}
