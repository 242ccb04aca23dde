package r4check

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestWalk: a path goes through arrays at every step, a "[x]" step
// matches each choice of the element and nothing else, and a missing
// element gives nothing.
func TestWalk(t *testing.T) {
	var obs any
	json.Unmarshal([]byte(`{"component": [{"code": {"text": "a"}, "valueQuantity": {"value": 1}},
		{"code": {"text": "b"}, "valueString": "x"}, {"code": {"text": "c"}, "valueset": "not a choice"}]}`), &obs)
	for _, tc := range []struct {
		name string
		path []string
		want int
	}{
		{"through an array", []string{"component", "code", "text"}, 3},
		{"a choice of any type", []string{"component", "value[x]"}, 2},
		{"into a choice", []string{"component", "value[x]", "value"}, 1},
		{"missing", []string{"component", "interpretation"}, 0},
	} {
		if got := Walk(obs, tc.path); len(got) != tc.want {
			t.Errorf("%s: Walk(%v) = %v; want %d values", tc.name, tc.path, got, tc.want)
		}
	}
	if got := Walk(obs, []string{"component", "code", "text"}); !slices.Equal(got, []any{"a", "b", "c"}) {
		t.Errorf("values in order: %v", got)
	}
}
