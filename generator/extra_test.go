package generator

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

func TestExtraClaim(t *testing.T) {
	g := New(1)
	spec := Spec{Number: 9}
	at := time.Date(2026, 11, 27, 15, 4, 5, 678_000_000, time.UTC)
	own := map[string]bool{}
	for _, r := range g.Build(spec).Resources {
		own[r.Type+"/"+r.ID] = true
	}
	seen := map[string]bool{}
	for seq, typ := range ClaimTypes {
		res, ok := g.ExtraClaim(spec, typ, seq, at)
		if !ok || len(res) == 0 {
			t.Fatalf("%s: no claim", typ)
		}
		eob := res[0]
		if eob.Type != "ExplanationOfBenefit" || eob.ClaimType != typ {
			t.Errorf("%s: got %s %s", typ, eob.Type, eob.ClaimType)
		}
		if err := r4check.ValidateResource(eob.JSON, true); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
		if !eob.LastUpdated.Equal(at) {
			t.Errorf("%s: LastUpdated %v, want %v", typ, eob.LastUpdated, at)
		}
		var body struct {
			Meta struct {
				LastUpdated string `json:"lastUpdated"`
			} `json:"meta"`
		}
		json.Unmarshal(eob.JSON, &body)
		if got, err := time.Parse(time.RFC3339Nano, body.Meta.LastUpdated); err != nil || !got.Equal(at) {
			t.Errorf("%s: meta.lastUpdated %q, want %v", typ, body.Meta.LastUpdated, at)
		}
		if eob.End.After(at) || at.Sub(eob.End) > 24*time.Hour {
			t.Errorf("%s: service ends %v, not on the day of %v", typ, eob.End, at)
		}
		if own["ExplanationOfBenefit/"+eob.ID] || seen[eob.ID] {
			t.Errorf("%s: id %s collides", typ, eob.ID)
		}
		seen[eob.ID] = true
		for _, r := range res[1:] {
			if r.Type != "Practitioner" && r.Type != "Organization" {
				t.Errorf("%s: unexpected %s", typ, r.Type)
			}
		}
		again, _ := New(1).ExtraClaim(spec, typ, seq, at)
		if !bytes.Equal(again[0].JSON, eob.JSON) {
			t.Errorf("%s: not deterministic", typ)
		}
	}
	if _, ok := g.ExtraClaim(spec, "Carrier", 0, at); ok {
		t.Error("a wrong-case claim type was accepted")
	}
	if _, ok := g.ExtraClaim(spec, "carrier", maxExtraClaims, at); ok {
		t.Error("a seq beyond the range was accepted")
	}
}
