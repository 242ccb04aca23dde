package generator

import (
	"slices"
	"testing"
)

// TestClinicalOrder: a member's clinical resources come grouped by type in
// clinicalTypes order, the order clinicalRecord.resources lays them out in.
func TestClinicalOrder(t *testing.T) {
	for _, n := range []int{6, 7, 8, 50} {
		m := New(1).Build(Spec{Number: n, Rich: true})
		var got []string
		for _, r := range m.Resources {
			if slices.Contains(clinicalTypes, r.Type) && (len(got) == 0 || got[len(got)-1] != r.Type) {
				got = append(got, r.Type)
			}
		}
		if !slices.Equal(got, clinicalTypes) {
			t.Errorf("member %d: clinical types in order %v, want %v", n, got, clinicalTypes)
		}
	}
}
