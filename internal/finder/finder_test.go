package finder

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
)

var types = []string{"carrier", "inpatient", "pde"}

// fake: member n has n%3 inpatient claims, n carrier claims, and diabetes
// when n is a multiple of 5; member 13 does not exist.
func fake(built *int) func(int) (Summary, bool) {
	return func(n int) (Summary, bool) {
		*built++
		if n == 13 {
			return Summary{}, false
		}
		s := Summary{Username: "BCNCUser" + strconv.Itoa(n), Claims: map[string]int{"carrier": n, "inpatient": n % 3}, Resources: map[string]int{"Observation": n}}
		if n%5 == 0 {
			s.Conditions = []string{"Diabetes mellitus type 2 (44054006, E11.9)"}
		}
		return s, true
	}
}

func numbers(r Result) []int {
	var out []int
	for _, m := range r.Members {
		out = append(out, m.Number)
	}
	return out
}

func TestFindFilters(t *testing.T) {
	var built int
	f := New(3, 100, types, fake(&built))
	tests := []struct {
		name string
		q    Query
		want []int
	}{
		{"claim type", Query{ClaimTypes: []string{"inpatient"}, Limit: 4}, []int{4, 5, 7, 8}},
		{"condition by words, any case", Query{Condition: "DIABETES", Limit: 3}, []int{5, 10, 15}},
		{"condition by code", Query{Condition: "e11", From: 11, Limit: 2}, []int{15, 20}},
		{"both", Query{ClaimTypes: []string{"inpatient"}, Condition: "diabetes", Limit: 3}, []int{5, 10, 20}},
		{"min claims", Query{MinClaims: 98, Limit: 5}, []int{97, 98, 99, 100}},
		{"min resources", Query{MinResources: map[string]int{"Observation": 99}}, []int{99, 100}},
		{"an unknown member is skipped", Query{From: 12, Limit: 2}, []int{12, 14}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.Find(tt.q, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := numbers(r); !equal(got, tt.want) {
				t.Errorf("found %v, want %v", got, tt.want)
			}
		})
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A search looks at MaxScan members at most and says where to go on; a
// second search over the same members builds none again.
func TestFindIsBounded(t *testing.T) {
	var built int
	f := New(14, 10_000, types, fake(&built))
	r, err := f.Find(Query{Condition: "nothing has this"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if built != MaxScan || r.ScannedFrom != 14 || r.ScannedTo != 14+MaxScan-1 || r.Next != 14+MaxScan || len(r.Members) != 0 {
		t.Errorf("built %d, result %+v; want %d built and next %d", built, r, MaxScan, 14+MaxScan)
	}
	if _, err := f.Find(Query{Condition: "nothing has this"}, nil); err != nil || built != MaxScan {
		t.Errorf("a repeated search built %d members in all, want the cached %d", built, MaxScan)
	}
	r, _ = f.Find(Query{From: 9_990, Condition: "nothing has this"}, nil)
	if r.Next != 0 || r.ScannedTo != 10_000 {
		t.Errorf("the last page: %+v, want no next", r)
	}
}

func TestCacheIsBounded(t *testing.T) {
	var built int
	f := New(1, 100_000, types, fake(&built))
	for from := 1; from < 3*cacheSize; from += MaxScan {
		f.Find(Query{From: from, Condition: "none"}, nil)
	}
	if len(f.cache) > cacheSize || len(f.order) > cacheSize {
		t.Errorf("cache holds %d (%d in order), want at most %d", len(f.cache), len(f.order), cacheSize)
	}
}

func TestParseQueryRefusesBadInput(t *testing.T) {
	f := New(3, 100, types, fake(new(int)))
	tests := []struct {
		name, query string
	}{
		{"unknown claim type", "claim_type=dental"},
		{"limit too big", "limit=51"},
		{"limit not a number", "limit=ten"},
		{"negative min", "min_claims=-1"},
		{"from past the last member", "from=BCNCUser101"},
		{"from not a number", "from=abc"},
		{"condition too long", "condition=" + string(make([]byte, 101))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := url.ParseQuery(tt.query)
			q, err := ParseQuery(v)
			if err == nil {
				_, err = f.Find(q, nil)
			}
			if !errors.Is(err, ErrQuery) {
				t.Errorf("%s: %v, want an ErrQuery", tt.query, err)
			}
		})
	}
	v, _ := url.ParseQuery("claim_type=inpatient,pde&claim_type=carrier&from=BCNCUser07&min_Observation=3&limit=2")
	q, err := ParseQuery(v)
	if err != nil || len(q.ClaimTypes) != 3 || q.From != 7 || q.MinResources["Observation"] != 3 || q.Limit != 2 {
		t.Errorf("ParseQuery: %+v, %v", q, err)
	}
}
