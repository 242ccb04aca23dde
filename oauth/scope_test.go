package oauth

import (
	"slices"
	"testing"
)

func TestWithoutPersonal(t *testing.T) {
	got := testScopes.withoutPersonal([]string{"openid", "profile", "fhirUser", "patient/Patient.read", "patient/*.rs", "patient/Coverage.rs"})
	if slices.Contains(got, "profile") || slices.Contains(got, "patient/Patient.read") || slices.Contains(got, "patient/Patient.rs") ||
		slices.Contains(got, "patient/*.rs") {
		t.Errorf("personal scopes kept: %q", got)
	}
	want := len(testResourceTypes) - 1 + 2 // every type but Patient, plus openid and fhirUser
	if len(got) != want || !slices.Contains(got, "patient/RelatedPerson.rs") || !slices.Contains(got, "fhirUser") {
		t.Errorf("got %d scopes %q, want %d", len(got), got, want)
	}
}

// RFC 6749 §6: what a refresh may ask for.
func TestCovers(t *testing.T) {
	granted := []string{"openid", "patient/*.read", "patient/Patient.r"}
	tests := []struct {
		scope string
		ok    bool
	}{
		{"openid", true},
		{"profile", false},
		{"patient/*.read", true},
		{"patient/Coverage.read", true},
		{"patient/Coverage.rs", true},
		{"patient/*.s", true},
		{"patient/Patient.r", true},
		{"patient/Patient.read", true}, // through patient/*.read
	}
	for _, tc := range tests {
		if got := covers(granted, tc.scope); got != tc.ok {
			t.Errorf("covers(%q) = %v, want %v", tc.scope, got, tc.ok)
		}
	}
	narrow := []string{"patient/Patient.r"}
	for _, s := range []string{"patient/Patient.rs", "patient/Patient.read", "patient/*.r", "patient/Coverage.r"} {
		if covers(narrow, s) {
			t.Errorf("patient/Patient.r covers %q", s)
		}
	}
}

// TestScopesFollowConfiguredTypes: the server grants and advertises patient
// scopes for exactly Config.ResourceTypes, with no list of its own.
func TestScopesFollowConfiguredTypes(t *testing.T) {
	s := newServer(t, func(c *Config) { c.ResourceTypes = []string{"Patient", "Widget"} })
	if got, want := s.scopes.parse("patient/Widget.read patient/Coverage.read patient/Widget.rs"), []string{"patient/Widget.read", "patient/Widget.rs"}; !slices.Equal(got, want) {
		t.Errorf("parse = %q, want %q", got, want)
	}
	sup := s.scopes.supported()
	if !slices.Contains(sup, "patient/Widget.rs") || slices.Contains(sup, "patient/Coverage.read") {
		t.Errorf("supported = %q", sup)
	}
	if got, want := s.scopes.withoutPersonal([]string{"patient/*.rs"}), []string{"patient/Widget.rs"}; !slices.Equal(got, want) {
		t.Errorf("withoutPersonal = %q, want %q", got, want)
	}
	// The caller's slice is copied: changing it later changes nothing.
	types := []string{"Patient", "Coverage"}
	s = newServer(t, func(c *Config) { c.ResourceTypes = types })
	types[1] = "Widget"
	if got := s.scopes.parse("patient/Coverage.read"); len(got) != 1 {
		t.Errorf("the server follows the caller's slice: %q", got)
	}
}
