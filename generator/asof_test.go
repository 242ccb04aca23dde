package generator

import (
	"bytes"
	"testing"
	"time"
)

// TestAsOfAnchorsTheData: the as-of date is "today" in the data. Nothing is
// served, stamped or paid after it, most members have claims in the 90
// days before it, and the same as-of date always gives the same bytes
// while another gives other members.
func TestAsOfAnchorsTheData(t *testing.T) {
	for _, asOf := range []time.Time{DefaultAsOf, time.Date(2022, 7, 15, 0, 0, 0, 0, time.UTC), time.Date(2031, 2, 28, 0, 0, 0, 0, time.UTC)} {
		g := NewAsOf(1, asOf)
		if !g.AsOf().Equal(asOf) {
			t.Fatalf("AsOf() = %v, want %v", g.AsOf(), asOf)
		}
		end := asOf.Add(24 * time.Hour)
		recent, members := 0, 0
		for n := 7; n < 57; n++ {
			m := g.Build(Spec{Number: n})
			members++
			newest := time.Time{}
			for _, r := range m.Resources {
				if r.LastUpdated.After(end) || r.End.After(end) {
					t.Fatalf("as-of %s: %s/%s updated %v, ends %v", fmtDate(asOf), r.Type, r.ID, r.LastUpdated, r.End)
				}
				if r.Type == "ExplanationOfBenefit" && r.End.After(newest) {
					newest = r.End
				}
			}
			if !newest.Before(asOf.AddDate(0, 0, -90)) {
				recent++
			}
		}
		if recent*10 < members*7 {
			t.Errorf("as-of %s: only %d of %d members have a claim in the last 90 days", fmtDate(asOf), recent, members)
		}
	}
	a := NewAsOf(1, time.Date(2025, 1, 1, 9, 30, 0, 0, time.FixedZone("", 3600))) // only the date counts
	b := NewAsOf(1, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if !bytes.Equal(memberBytes(a.Build(Spec{Number: 9})), memberBytes(b.Build(Spec{Number: 9}))) {
		t.Error("one as-of date gave two members")
	}
	if bytes.Equal(memberBytes(b.Build(Spec{Number: 9})), memberBytes(New(1).Build(Spec{Number: 9}))) {
		t.Error("two as-of dates gave the same member")
	}
	if got := NewAsOf(1, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)).AsOf(); !got.Equal(minAsOf) {
		t.Errorf("an as-of date before the range is taken as %v, want %v", got, minAsOf)
	}
}

func TestParseAsOf(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-11-30", true}, {"2021-01-01", true}, {"2099-12-31", true}, {"2024-02-29", true},
		{"2020-12-31", false}, {"2100-01-01", false}, {"2023-02-29", false}, {"2026-1-30", false},
		{"2026-11-30T00:00:00Z", false}, {"", false}, {"today", false},
	} {
		got, err := ParseAsOf(tc.in)
		if (err == nil) != tc.ok || tc.ok && fmtDate(got) != tc.in {
			t.Errorf("ParseAsOf(%q) = %v, %v", tc.in, got, err)
		}
	}
}
