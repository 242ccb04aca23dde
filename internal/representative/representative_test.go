package representative

import "testing"

// TestLookup finds each listed relationship by its code and nothing else;
// codes are unique, and only Other lacks a RoleCode.
func TestLookup(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Relationships() {
		if seen[r.Code] {
			t.Errorf("code %q listed twice", r.Code)
		}
		seen[r.Code] = true
		got, ok := Lookup(r.Code)
		if !ok || got != r {
			t.Errorf("Lookup(%q) = %+v, %v", r.Code, got, ok)
		}
		if (r.RoleCode == "") != (r.Code == Other) || r.Display == "" {
			t.Errorf("%+v: want a RoleCode for all but Other, and a display", r)
		}
	}
	for _, code := range []string{"", "Parent", "friend"} {
		if _, ok := Lookup(code); ok {
			t.Errorf("Lookup(%q) found one", code)
		}
	}
	// The list is the caller's copy.
	rs := Relationships()
	rs[0].Code = "changed"
	if _, ok := Lookup(Parent); !ok {
		t.Error("changing Relationships' result changed the list")
	}
}
