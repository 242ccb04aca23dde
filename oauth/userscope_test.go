package oauth

import (
	"slices"
	"testing"
)

// TestUserScopesGranted: user/ scopes are granted in both SMART spellings
// for every served type and the wildcard, normalised as patient/ scopes are,
// and never widened into patient/ ones.
func TestUserScopesGranted(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"the test kit's v1 scopes", "openid fhirUser launch/patient user/ExplanationOfBenefit.read user/Coverage.read user/Patient.read user/Organization.read user/Practitioner.read",
			[]string{"openid", "fhirUser", "launch/patient", "user/ExplanationOfBenefit.read", "user/Coverage.read", "user/Patient.read", "user/Organization.read", "user/Practitioner.read"}},
		{"v2 permissions kept to r and s", "user/Coverage.rs user/Patient.cruds user/Condition.c user/Observation.s", []string{"user/Coverage.rs", "user/Patient.rs", "user/Observation.s"}},
		{"v1 star means read", "user/*.* user/*.write", []string{"user/*.read"}},
		{"beside patient scopes, each its own", "patient/Coverage.read user/Coverage.read", []string{"patient/Coverage.read", "user/Coverage.read"}},
		{"unknown type or bad permission dropped", "user/Widget.read user/Patient.sr user/Patient user/Observation.rs?category=laboratory", nil},
		{"context is case-sensitive", "User/Patient.read USER/*.read", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testScopes.parse(tc.raw); !slices.Equal(got, tc.want) {
				t.Errorf("parse(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
}

// TestUserScopesWithoutPersonal: withholding personal information drops
// user/Patient.* as it drops patient/Patient.*, and a user/ wildcard becomes
// user/ scopes on every other type.
func TestUserScopesWithoutPersonal(t *testing.T) {
	got := testScopes.withoutPersonal([]string{"openid", "user/Patient.read", "user/*.rs", "user/Coverage.read"})
	for _, s := range got {
		if s == "user/Patient.read" || s == "user/Patient.rs" || s == "user/*.rs" {
			t.Errorf("personal or wildcard scope kept: %q", got)
		}
	}
	want := 1 + len(testResourceTypes) - 1 + 1 // openid, user/{T}.rs for every type but Patient, user/Coverage.read
	if len(got) != want || !slices.Contains(got, "user/Coverage.rs") || !slices.Contains(got, "user/Coverage.read") {
		t.Errorf("got %d scopes %q, want %d", len(got), got, want)
	}
	for _, s := range got {
		if len(s) > 8 && s[:8] == "patient/" {
			t.Errorf("a user/ grant gained the patient/ scope %q", s)
		}
	}
}

// TestUserScopesCovers: a refresh may narrow a user/ grant, within the
// user/ context only.
func TestUserScopesCovers(t *testing.T) {
	granted := []string{"user/*.read", "patient/Patient.r"}
	tests := []struct {
		scope string
		ok    bool
	}{
		{"user/Coverage.read", true},
		{"user/Coverage.rs", true},
		{"user/*.s", true},
		{"patient/Coverage.read", false}, // user/*.read does not cover patient/
		{"user/Patient.r", true},
		{"patient/Patient.r", true},
		{"patient/Patient.s", false},
	}
	for _, tc := range tests {
		if got := covers(granted, tc.scope); got != tc.ok {
			t.Errorf("covers(%q, %q) = %v, want %v", granted, tc.scope, got, tc.ok)
		}
	}
	if covers([]string{"patient/*.read"}, "user/Coverage.read") {
		t.Error("patient/*.read covers user/Coverage.read")
	}
}

// TestUserScopesAdvertised: both discovery documents list the user/ scopes
// of every served type, and the SMART configuration says permission-user
// (SMART App Launch 2, "Capabilities").
func TestUserScopesAdvertised(t *testing.T) {
	e := router(newServer(t, nil))
	smart := getJSON(t, get(e, fhirPath+"/.well-known/smart-configuration"))
	if !slices.Contains(strs(smart["capabilities"]), "permission-user") {
		t.Errorf("capabilities %v lack permission-user", smart["capabilities"])
	}
	oidc := getJSON(t, get(e, IssuerPath+"/.well-known/openid-configuration"))
	for name, d := range map[string]map[string]any{"smart-configuration": smart, "openid-configuration": oidc} {
		sup := strs(d["scopes_supported"])
		for _, want := range []string{"user/*.read", "user/*.rs"} {
			if !slices.Contains(sup, want) {
				t.Errorf("%s lacks %s", name, want)
			}
		}
		for _, typ := range testResourceTypes {
			for _, want := range []string{"user/" + typ + ".read", "user/" + typ + ".rs", "patient/" + typ + ".read"} {
				if !slices.Contains(sup, want) {
					t.Errorf("%s lacks %s", name, want)
				}
			}
		}
	}
}
