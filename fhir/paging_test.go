package fhir

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// TestWalkNext follows next links over memberMany's 148 claims: every id
// once, none missing, per type and page size, with the type filter kept.
func TestWalkNext(t *testing.T) {
	cases := []struct {
		query string
		total int
	}{
		{"", 148},
		{"?_count=50", 148},
		{"?_count=7&_format=json", 148},
		{"?type=carrier", 44},
		{"?type=inpatient", 1},
		{"?type=pde&_count=50", 103},
		{"?type=" + url.QueryEscape(eobTypeSys+"|pde") + "&_count=25", 103},
	}
	e := testAPI(t, profile.BCBSNC)
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			seen := map[string]bool{}
			next := fhirBase + "/ExplanationOfBenefit" + tc.query
			pages := 0
			for next != "" {
				b := decodeBundle(t, do(t, e, get(next, "v1-all")))
				if *b.Total != tc.total {
					t.Fatalf("page %d: total %d, want %d", pages, *b.Total, tc.total)
				}
				for _, id := range b.ids() {
					if seen[id] {
						t.Fatalf("%s seen twice", id)
					}
					seen[id] = true
				}
				next = b.link("next")
				pages++
				if pages > 200 {
					t.Fatal("next never ends")
				}
			}
			if len(seen) != tc.total {
				t.Fatalf("walked %d ids, want %d", len(seen), tc.total)
			}
			want := map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}
			got := map[string]int{}
			for id := range seen {
				got[id[:strings.IndexByte(id, '-')]]++
			}
			for ct, n := range got {
				if tc.total == 148 && n != want[ct] {
					t.Errorf("%d %s, want %d", n, ct, want[ct])
				}
			}
		})
	}
}

// TestLinks: absolute, every other parameter kept, previous/next only where
// they exist, _count and startIndex first as in the docs.
func TestLinks(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	q := "?type=carrier,pde&_format=application%2Ffhir%2Bjson&color=blue&_count=20&startIndex=20"
	b := decodeBundle(t, do(t, e, get("/ExplanationOfBenefit/"+q, "v1-all")))
	keep := "&_format=application%2Ffhir%2Bjson&color=blue&patient=" + memberMany + "&type=carrier%2Cpde"
	prefix := fhirBase + "/ExplanationOfBenefit?"
	want := map[string]string{
		"self":     prefix + "_count=20&startIndex=20" + keep,
		"first":    prefix + "_count=20&startIndex=0" + keep,
		"previous": prefix + "_count=20&startIndex=0" + keep,
		"next":     prefix + "_count=20&startIndex=40" + keep,
		"last":     prefix + "_count=20&startIndex=140" + keep,
	}
	for rel, u := range want {
		if got := b.link(rel); got != u {
			t.Errorf("%s:\n got %s\nwant %s", rel, got, u)
		}
	}
	if len(b.Link) != len(want) {
		t.Errorf("%d links, want %d", len(b.Link), len(want))
	}

	// The docs' first link: a search without patient names the token's patient.
	b = decodeBundle(t, do(t, e, get("/ExplanationOfBenefit/", "v1-all")))
	if got := b.link("first"); got != prefix+"_count=10&startIndex=0&patient="+memberMany {
		t.Errorf("docs first link %s", got)
	}
	if b.link("previous") != "" {
		t.Error("previous on the first page")
	}
	b = decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?startIndex=140", "v1-all")))
	if b.link("next") != "" || b.link("previous") == "" {
		t.Errorf("last page links %+v", b.Link)
	}
	// A page past the end still links back inside the results.
	b = decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?startIndex=500", "v1-all")))
	if !strings.Contains(b.link("previous"), "startIndex=140") {
		t.Errorf("previous past the end: %s", b.link("previous"))
	}
	// POST _search links are GET URLs carrying the form's parameters.
	w := do(t, e, request{"POST", "/ExplanationOfBenefit/_search", "v1-all", "type=pde&patient=Patient%2F" + memberMany, "application/x-www-form-urlencoded"})
	b = decodeBundle(t, w)
	if got := b.link("self"); got != prefix+"_count=10&startIndex=0&patient=Patient%2F"+memberMany+"&type=pde" {
		t.Errorf("POST self link %s", got)
	}
	if strings.Contains(w.Body.String(), `\u0026`) {
		t.Error("HTML-escaped &")
	}
}

// TestBundleDeterministic: the same search gives the same bytes, a different
// one another id; meta.lastUpdated is the newest match, fixed when none.
func TestBundleDeterministic(t *testing.T) {
	a, b := testAPI(t, profile.BCBSNC), testAPI(t, profile.BCBSNC)
	q := "/ExplanationOfBenefit?type=carrier&_count=5"
	w1, w2 := do(t, a, get(q, "v1-all")), do(t, b, get(q, "v1-all"))
	if !bytes.Equal(w1.Body.Bytes(), w2.Body.Bytes()) {
		t.Fatal("same search, different bytes")
	}
	same := decodeBundle(t, do(t, a, get("/ExplanationOfBenefit?_count=5&type=carrier&patient="+memberMany, "v1-all")))
	b1 := decodeBundle(t, w1)
	if same.ID != b1.ID {
		t.Errorf("a reordered query with the implied patient got id %s, want %s", same.ID, b1.ID)
	}
	other := decodeBundle(t, do(t, a, get("/ExplanationOfBenefit?type=pde&_count=5", "v1-all")))
	if other.ID == b1.ID {
		t.Error("different searches share a Bundle.id")
	}
	// inpatient-2 is claim n=2, updated t0+2h = 2020-03-01T11:00:00-05:00.
	one := decodeBundle(t, do(t, a, get("/ExplanationOfBenefit?type=inpatient", "v1-all")))
	if one.Meta.LastUpdated != "2020-03-01T11:00:00.000-05:00" {
		t.Errorf("meta.lastUpdated %s", one.Meta.LastUpdated)
	}
	all := decodeBundle(t, do(t, a, get("/ExplanationOfBenefit?_count=1", "v1-all")))
	if all.Meta.LastUpdated != "2020-03-07T12:00:00.000-05:00" { // claim 147: t0+147h
		t.Errorf("newest of all: %s", all.Meta.LastUpdated)
	}
	none := decodeBundle(t, do(t, a, get("/ExplanationOfBenefit?type=snf", "v1-all")))
	if none.Meta.LastUpdated != "2020-02-12T00:00:00.000Z" || none.Entry != nil {
		t.Errorf("empty bundle %+v", none)
	}
}
