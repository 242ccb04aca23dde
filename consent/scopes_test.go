package consent

import (
	"reflect"
	"testing"
)

func TestDescribeScopes(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		want   []string
	}{
		{"docs' authorize URL", []string{"openid", "read", "profile", "patient/*.read"}, []string{
			"Who you are: your member identity, so the app knows whose data it has.",
			"Read your health plan data. The app cannot change anything.",
			"Your name and email address.",
			"All your health plan data: claims, coverage, clinical records and your demographics.",
		}},
		{"docs' spellings fold into one sentence", []string{"openID", "FHIRUser", "fhirUser"}, []string{
			"Who you are: your member identity, so the app knows whose data it has.",
		}},
		{"resource scopes v1 and v2", []string{"patient/Patient.read", "patient/ExplanationOfBenefit.rs", "patient/Coverage.r?status=active"}, []string{
			"Your demographics: name, birth date, gender and address.",
			"Your claims: what was billed, paid and owed for each visit, stay or prescription.",
			"Your coverage: plans, benefit periods and member IDs.",
		}},
		{"offline access", []string{"offline_access", "launch/patient"}, []string{
			"Keep access to this data when you are away from the app, until you take it back.",
			"Which member's records you chose to share.",
		}},
		{"unknown scopes are named, not dropped", []string{"patient/Unknown.read", "system/*.read", ""}, []string{
			"Other access the app asked for: \u201cpatient/Unknown.read\u201d.",
			"Other access the app asked for: \u201csystem/*.read\u201d.",
		}},
		{"none", nil, nil},
	}
	s := newHarness(t, Config{}).screens
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.describeScopes(tt.scopes, ""); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("describeScopes(%q) =\n%q\nwant\n%q", tt.scopes, got, tt.want)
			}
		})
	}
}

// TestResourceWordsComeFromConfig: a resource scope is described in the
// words Config.ResourceWords gives its type, and only a type it names is.
func TestResourceWordsComeFromConfig(t *testing.T) {
	s := newHarness(t, Config{ResourceWords: map[string]string{"Widget": "your widgets and gadgets"}}).screens
	tests := []struct {
		name, scope, want string
	}{
		{"a configured type, v1", "patient/Widget.read", "Your widgets and gadgets."},
		{"a configured type, v2", "patient/Widget.rs", "Your widgets and gadgets."},
		{"a type the config does not name", "patient/Coverage.read", "Other access the app asked for: \u201cpatient/Coverage.read\u201d."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.scopeSentence(tt.scope, ""); got != tt.want {
				t.Errorf("scopeSentence(%q) = %q, want %q", tt.scope, got, tt.want)
			}
		})
	}
}

// TestDescribeScopesNamingTheMember: for a representative every sentence
// about the data names the member instead of saying "your".
func TestDescribeScopesNamingTheMember(t *testing.T) {
	s := newHarness(t, Config{ResourceWords: namingWords}).screens
	tests := []struct {
		scope, want string
	}{
		{"openid", "Who you are: a personal representative of Jane Doe, so the app knows whose data it has and who shared it."},
		{"profile", "Jane Doe\u2019s name and email address."},
		{"read", "Read Jane Doe\u2019s health plan data. The app cannot change anything."},
		{"patient/*.read", "All of Jane Doe\u2019s health plan data: claims, coverage, clinical records and demographics."},
		{"patient/Patient.read", "Jane Doe\u2019s demographics: name, birth date, gender and address."},
		{"patient/Procedure.rs", "Procedures Jane Doe had."},
		{"user/Device.read", "Devices implanted in Jane Doe."},
	}
	for _, tt := range tests {
		t.Run(tt.scope, func(t *testing.T) {
			if got := s.scopeSentence(tt.scope, "Jane Doe"); got != tt.want {
				t.Errorf("scopeSentence(%q) = %q, want %q", tt.scope, got, tt.want)
			}
		})
	}
}
