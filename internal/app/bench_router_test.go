package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkEOBSearchThroughRouter is the benchmark EOB page as the server runs
// it: every middleware (request log, control API, body limit), the token
// lookup, the search and the cached page, without the network.
func BenchmarkEOBSearchThroughRouter(b *testing.B) {
	sb := startSandbox(b, sandboxOptions{Members: 100, AutoApprove: "BCNCUser04", LogFormat: "json", Log: io.Discard})
	// The scope the token carries sets the bytes each request decodes: this
	// is the one bench/results.md was measured with.
	code := sb.mintCode(b, docsApp, "BCNCUser04", url.Values{"scope": {"openid profile patient/*.read offline_access"}})
	_, resp := sb.docsTokenCall(b, code, docsRedir)
	tok := resp.AccessToken
	target := fhirPath + "/ExplanationOfBenefit?patient=-20140000000024&_count=10"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// One request per goroutine, served again and again: what is
		// measured is the server, not building requests (net/http's part).
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		for pb.Next() {
			w := &discardWriter{header: http.Header{}}
			sb.app.handler.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// discardWriter is a ResponseWriter that keeps only the status, so the
// benchmark measures the server and not a recorder's buffer.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
