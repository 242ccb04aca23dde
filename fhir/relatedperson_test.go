package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// TestRelatedPersonRead: the representative reads their own RelatedPerson,
// nobody reads another one.
func TestRelatedPersonRead(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	w := do(t, e, get("/RelatedPerson/"+testRepID, "representative"))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var rp struct {
		ID           string
		Patient      struct{ Reference string }
		Meta         struct{ LastUpdated string }
		Name         []struct{ Text string }
		Relationship []struct {
			Coding []struct{ System, Code string }
			Text   string
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rp); err != nil {
		t.Fatal(err)
	}
	if rp.ID != testRepID || rp.Patient.Reference != "Patient/"+memberRich || rp.Name[0].Text != testRepName ||
		rp.Relationship[0].Coding[0].Code != "POWATT" || rp.Meta.LastUpdated != "2021-06-01T12:00:00.000Z" {
		t.Errorf("RelatedPerson %s", w.Body)
	}
	again := do(t, e, get("/RelatedPerson/"+testRepID, "representative"))
	if again.Body.String() != w.Body.String() {
		t.Error("the same grant rendered different bytes")
	}
	// The fhirUser scope alone reads the holder's own record, and nothing else.
	if w := do(t, e, get("/RelatedPerson/"+testRepID, "representative-fhiruser")); w.Code != 200 {
		t.Errorf("fhirUser scope: %d %s", w.Code, w.Body)
	}
	for _, tc := range []struct {
		name   string
		rq     request
		status int
	}{
		{"fhirUser: another id", get("/RelatedPerson/rep-2", "representative-fhiruser"), 404},
		{"fhirUser: a Self token", get("/RelatedPerson/"+testRepID, "self-fhiruser"), 403},
		{"fhirUser: not other types", get("/Coverage", "representative-fhiruser"), 403},
	} {
		if w := do(t, e, tc.rq); w.Code != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.status)
		}
	}
	for name, rq := range map[string]request{
		"another id":   get("/RelatedPerson/rep-2", "representative"),
		"a Self token": get("/RelatedPerson/"+testRepID, "v1-all-rich"),
		"a bad id":     get("/RelatedPerson/rep_1", "representative"),
	} {
		if w := do(t, e, rq); w.Code != 404 {
			t.Errorf("%s: %d, want 404", name, w.Code)
		}
	}
}

// TestRelationshipCodes: v3 RoleCode where one fits, text only for Other.
func TestRelationshipCodes(t *testing.T) {
	cases := []struct {
		rel, other, code, text string
	}{
		{representative.Parent, "", "GUARD", "Parent or guardian of a minor"},
		{representative.POA, "", "POWATT", "Active healthcare power of attorney"},
		{representative.Guardian, "", "GUARD", "Court ordered guardianship"},
		{"other", "  Aunt  ", "", "Aunt"},
		{"other", "", "", "Other"},
	}
	for _, tc := range cases {
		rp := &RelatedPerson{ID: "r1", Name: " ", Relationship: tc.rel, RelationshipText: tc.other}
		body := appendRelatedPerson(nil, rp, "p1", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := validateR4(body); err != nil {
			t.Fatalf("%s: %v\n%s", tc.rel, err, body)
		}
		var got struct {
			Relationship []struct {
				Coding []struct{ Code string }
				Text   string
			}
			Name []any
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		r := got.Relationship[0]
		if (tc.code == "") != (len(r.Coding) == 0) || (tc.code != "" && r.Coding[0].Code != tc.code) || r.Text != tc.text {
			t.Errorf("%s: %s", tc.rel, body)
		}
		if got.Name != nil {
			t.Errorf("a blank name was rendered: %s", body)
		}
	}
}
