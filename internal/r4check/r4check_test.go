package r4check

import "testing"

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		body string
		ok   bool
	}{
		{"minimal patient", `{"resourceType":"Patient","id":"p1","gender":"female"}`, true},
		{"bad gender code", `{"resourceType":"Patient","id":"p1","gender":"woman"}`, false},
		{"unknown field", `{"resourceType":"Patient","id":"p1","colour":"blue"}`, false},
		{"empty string", `{"resourceType":"Patient","id":"p1","name":[{"family":""}]}`, false},
		{"empty array", `{"resourceType":"Patient","id":"p1","name":[]}`, false},
		{"stu3 resource", `{"resourceType":"ReferralRequest","id":"1"}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate([]byte(tc.body))
			if (err == nil) != tc.ok {
				t.Fatalf("Validate(%s) = %v, want ok=%v", tc.body, err, tc.ok)
			}
		})
	}
}

func TestValidateResourceNeedsMeta(t *testing.T) {
	body := []byte(`{"resourceType":"Patient","id":"p1"}`)
	if err := ValidateResource(body, false); err == nil {
		t.Fatal("a resource without meta.lastUpdated passed")
	}
	body = []byte(`{"resourceType":"Patient","id":"p1","meta":{"lastUpdated":"2020-02-13T21:53:06.017-05:00"}}`)
	if err := ValidateResource(body, false); err != nil {
		t.Fatal(err)
	}
	if err := ValidateResource(body, true); err == nil {
		t.Fatal("a resource without meta.profile passed when a profile was wanted")
	}
}
