package fhir

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// discard is a ResponseWriter that keeps only the status, so a benchmark
// measures the API rather than a recorder's buffer.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(s int)   { d.status = s }
func (d *discard) Write(b []byte) (int, error) {
	d.n += len(b)
	return len(b), nil
}

// BenchmarkEOBPage renders a page of the docs' 148-claim member (built by
// the generator, so claims are full-size) through the router: with the page
// cache (the steady state), without it (the first request of a page), and
// cold (the first request of a page of a member whose claims no search read
// yet: the index reads their facts again every time).
func BenchmarkEOBPage(b *testing.B) {
	m := generator.New(1).Build(generator.Spec{Number: 4, PatientID: memberMany,
		ClaimCounts: map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}})
	for _, bc := range []struct {
		name   string
		query  string
		cached bool
		cold   bool
	}{
		{"count=10/cached", "?_count=10&startIndex=20", true, false},
		{"count=50/cached", "?_count=50&startIndex=50", true, false},
		{"count=10/uncached", "?_count=10&startIndex=20", false, false},
		{"count=50/uncached", "?_count=50&startIndex=50", false, false},
		// The same pages with every reference of the claims included, whose
		// budget is twice the plain page.
		{"count=10/cached/include=all", "?_count=10&startIndex=20&_include=ExplanationOfBenefit:*", true, false},
		{"count=50/cached/include=all", "?_count=50&startIndex=50&_include=ExplanationOfBenefit:*", true, false},
		{"count=10/uncached/include=all", "?_count=10&startIndex=20&_include=ExplanationOfBenefit:*", false, false},
		{"count=50/uncached/include=all", "?_count=50&startIndex=50&_include=ExplanationOfBenefit:*", false, false},
		{"count=10/cold", "?_count=10&startIndex=20", false, true},
		{"count=10/cold/include=all", "?_count=10&startIndex=20&_include=ExplanationOfBenefit:*", false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			api, e := newTestAPI(b, profile.BCBSNC, map[string]*generator.Member{memberMany: m})
			if !bc.cached {
				api.pages = nil
			}
			r := httptest.NewRequest(http.MethodGet, BasePath+"/ExplanationOfBenefit"+bc.query, nil)
			r.Header.Set("Authorization", "Bearer v1-all")
			w := &discard{h: http.Header{}}
			e.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
			b.SetBytes(int64(w.n))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w.n = 0
				if bc.cold {
					api.index.invalidate(memberMany)
				}
				e.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkParseQuery measures the search-parameter parsing of a docs-like
// EOB query with every kind of value.
func BenchmarkParseQuery(b *testing.B) {
	eobType := resourceTypes()[2]
	raw := "patient=Patient/-19990000000001&type=carrier,pde,https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type|inpatient" +
		"&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&service-date=ge2019" +
		"&_count=10&startIndex=20&_format=application%2Fjson%2Bfhir"
	b.ReportAllocs()
	for b.Loop() {
		v, err := url.ParseQuery(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, e := parseQuery(&eobType, v, true); e != nil {
			b.Fatal(e)
		}
	}
}
