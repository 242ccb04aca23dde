package finder

import (
	"errors"
	"net/url"
	"strconv"
	"testing"
)

// fakeConsents: a representative shared the data of members whose number
// is a multiple of 4, and an app holds the data of multiples of 6 without
// demographics (patient id n is member n, withPatients).
func fakeConsents(asked *int) Consents {
	return func(patient string) Consent {
		*asked++
		n, _ := strconv.Atoi(patient)
		return Consent{Representative: n%4 == 0, WithheldDemographics: n%6 == 0}
	}
}

// withPatients is fake with patient id n for member n.
func withPatients(built *int) func(int) (Summary, bool) {
	base := fake(built)
	return func(n int) (Summary, bool) {
		s, ok := base(n)
		s.PatientID = strconv.Itoa(n)
		return s, ok
	}
}

// TestFindByConsent: every member found has the case asked for, a member
// without it is left out however else it matches, and every member found
// says its Consent.
func TestFindByConsent(t *testing.T) {
	tests := []struct {
		name string
		q    Query
		want []int
	}{
		{"representative", Query{Representative: true, Limit: 4}, []int{4, 8, 12, 16}},
		{"withheld demographics", Query{WithheldDemographics: true, Limit: 3}, []int{6, 12, 18}},
		{"both", Query{Representative: true, WithheldDemographics: true, Limit: 2}, []int{12, 24}},
		{"with a claim type", Query{Representative: true, ClaimTypes: []string{"inpatient"}, Limit: 3}, []int{4, 8, 16}},
		{"neither asked: every member, each with its Consent", Query{From: 3, Limit: 3}, []int{3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var built, asked int
			f := New(3, 100, types, withPatients(&built))
			r, err := f.Find(tt.q, fakeConsents(&asked))
			if err != nil {
				t.Fatal(err)
			}
			if got := numbers(r); !equal(got, tt.want) {
				t.Errorf("found %v, want %v", got, tt.want)
			}
			for _, m := range r.Members {
				switch {
				case m.Consent == nil:
					t.Errorf("%s found without its Consent", m.Username)
				case tt.q.Representative && !m.Consent.Representative, tt.q.WithheldDemographics && !m.Consent.WithheldDemographics:
					t.Errorf("%s found without the case asked for: %+v", m.Username, *m.Consent)
				}
			}
		})
	}
}

// TestConsentIsAskedEverySearch: a member's Consent changes as grants do;
// the summaries are cached, the Consent never is.
func TestConsentIsAskedEverySearch(t *testing.T) {
	var built int
	f := New(3, 100, types, withPatients(&built))
	shared := map[string]bool{}
	consents := func(patient string) Consent { return Consent{Representative: shared[patient]} }
	q := Query{Representative: true, From: 10, Limit: 1}
	if r, _ := f.Find(q, consents); len(r.Members) != 0 {
		t.Fatalf("found %v before any representative shared anything", numbers(r))
	}
	shared["42"] = true
	if r, _ := f.Find(q, consents); !equal(numbers(r), []int{42}) {
		t.Errorf("after a representative shared member 42's data, found %v", numbers(r))
	}
	shared["42"] = false // the app was removed
	if r, _ := f.Find(q, consents); len(r.Members) != 0 {
		t.Errorf("after the grant ended, found %v", numbers(r))
	}
}

func TestConsentQueries(t *testing.T) {
	f := New(3, 100, types, withPatients(new(int)))
	v, _ := url.ParseQuery("representative=on&withheld_demographics=true")
	q, err := ParseQuery(v)
	if err != nil || !q.Representative || !q.WithheldDemographics {
		t.Fatalf("ParseQuery: %+v, %v", q, err)
	}
	if _, err := f.Find(q, nil); !errors.Is(err, ErrQuery) {
		t.Errorf("a consent query without Consents: %v, want an ErrQuery", err)
	}
	v, _ = url.ParseQuery("representative=maybe")
	if _, err := ParseQuery(v); !errors.Is(err, ErrQuery) {
		t.Errorf("representative=maybe: %v, want an ErrQuery", err)
	}
	v, _ = url.ParseQuery("representative=false&withheld_demographics=0")
	if q, err := ParseQuery(v); err != nil || q.Representative || q.WithheldDemographics {
		t.Errorf("false flags: %+v, %v", q, err)
	}
}
