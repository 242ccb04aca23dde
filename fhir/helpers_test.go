package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
	"github.com/labstack/echo/v4"
)

const (
	testBase     = "http://sandbox.test"
	memberMany   = "-20140000000024" // 148 EOBs: 44 carrier, 1 inpatient, 103 pde
	memberDates  = "-19990000000001" // resources either side of 2020-02-13
	memberRich   = "-20140000008325" // one of every clinical type
	fhirBase     = testBase + BasePath
	contentFHIR  = "application/fhir+json"
	testRepID    = "rep-1"
	testRepName  = "Pat Q Public"
	unknownToken = "no-such-token"
)

// testGrants are the tokens the fake authorization server knows.
func testGrants() map[string]Grant {
	return map[string]Grant{
		"v1-all":       {Patient: memberMany, Scopes: []string{"openid", "patient/*.read"}, FHIRUser: "Patient/" + memberMany},
		"v1-all-dates": {Patient: memberDates, Scopes: []string{"patient/*.read"}, FHIRUser: "Patient/" + memberDates},
		"v1-all-rich":  {Patient: memberRich, Scopes: []string{"patient/*.read"}, FHIRUser: "Patient/" + memberRich},
		"v1-eob":       {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.read"}},
		"v1-write":     {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.write"}},
		"v2-eob-rs":    {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.rs"}},
		"v2-eob-r":     {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.r"}},
		"v2-eob-s":     {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.s"}},
		"v2-all-rs":    {Patient: memberMany, Scopes: []string{"patient/*.rs"}},
		"v2-cruds":     {Patient: memberMany, Scopes: []string{"patient/*.cruds"}},
		"v2-bad-perm":  {Patient: memberMany, Scopes: []string{"patient/*.sr"}},
		"granular":     {Patient: memberMany, Scopes: []string{"patient/ExplanationOfBenefit.rs?type=carrier"}},
		"no-patient-scope": {Patient: memberMany, Scopes: []string{
			"patient/Coverage.read", "patient/ExplanationOfBenefit.read"}},
		"no-context": {Scopes: []string{"patient/*.read"}},
		"representative": {Patient: memberRich, Scopes: []string{"patient/*.read"}, FHIRUser: "RelatedPerson/" + testRepID,
			RelatedPerson: &RelatedPerson{ID: testRepID, Name: testRepName, Relationship: representative.POA}},
		"representative-fhiruser": {Patient: memberRich, Scopes: []string{"openid", "FHIRUser", "patient/Patient.read"}, FHIRUser: "RelatedPerson/" + testRepID,
			RelatedPerson: &RelatedPerson{ID: testRepID, Name: testRepName, Relationship: representative.Parent}},
		"self-fhiruser": {Patient: memberRich, Scopes: []string{"fhirUser", "patient/Patient.read"}, FHIRUser: "Patient/" + memberRich},
		"gone":          {Patient: "-1", Scopes: []string{"patient/*.read"}},
	}
}

// testAPI returns the router of an API over the hand-built members.
func testAPI(t testing.TB, p profile.Profile) *echo.Echo {
	t.Helper()
	_, e := newTestAPI(t, p, testMembers())
	return e
}

// newTestAPI returns an API over members and its router.
func newTestAPI(t testing.TB, p profile.Profile, members map[string]*generator.Member) (*API, *echo.Echo) {
	t.Helper()
	grants := testGrants()
	api, err := New(Config{
		Profile:    p,
		BaseURL:    func(*http.Request) string { return testBase },
		IssuerPath: "/fhirmember/sps/oauth/oauth20",
		Authorize: func(_ context.Context, bearer string) (Grant, error) {
			g, ok := grants[bearer]
			if !ok {
				return Grant{}, errors.New("unknown token")
			}
			return g, nil
		},
		Members: func(id string) (*generator.Member, bool) {
			m, ok := members[id]
			return m, ok
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	api.Register(e.Group(BasePath))
	return api, e
}

// request is one call to the API.
type request struct {
	method, target, token, body, contentType string
}

func get(target, token string) request { return request{http.MethodGet, target, token, "", ""} }

// do runs rq through the router and checks the body: FHIR JSON must be
// valid R4, a bcbsnc error must be exactly {"detail": "..."}.
func do(t testing.TB, e *echo.Echo, rq request) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	target := rq.target
	if !strings.HasPrefix(target, "http") {
		target = BasePath + target
	}
	r := httptest.NewRequest(rq.method, target, body)
	if rq.token != "" {
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	if rq.contentType != "" {
		r.Header.Set("Content-Type", rq.contentType)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	checkBody(t, w)
	return w
}

// checkBody validates whatever the API answered.
func checkBody(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	b := w.Body.Bytes()
	switch ct := w.Header().Get("Content-Type"); {
	case w.Code == http.StatusNoContent:
		if len(b) != 0 {
			t.Errorf("204 with a body: %q", b)
		}
	case ct == contentFHIR:
		if err := r4check.Validate(b); err != nil {
			t.Errorf("invalid R4 body (%d): %v\n%.600s", w.Code, err, b)
		}
		if strings.Contains(string(b), `\u0026`) {
			t.Errorf("HTML-escaped & in a FHIR body: %.300s", b)
		}
	case ct == echo.MIMEApplicationJSON && w.Code >= 400:
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil || len(d) != 1 {
			t.Errorf("error body is not {\"detail\": ...}: %s", b)
		} else if s, ok := d["detail"].(string); !ok || s == "" {
			t.Errorf("error body without a detail string: %s", b)
		}
	default:
		t.Errorf("unexpected Content-Type %q (status %d): %.300s", ct, w.Code, b)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("no CORS header on %d", w.Code)
	}
}

// bundle is the part of a searchset the tests read.
type bundle struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
	Type  string `json:"type"`
	Total *int   `json:"total"`
	Link  []struct {
		Relation, URL string
	} `json:"link"`
	Entry []struct {
		FullURL  string `json:"fullUrl"`
		Resource struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		} `json:"resource"`
		Search struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

func decodeBundle(t testing.TB, w *httptest.ResponseRecorder) bundle {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
	}
	var b bundle
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "searchset" || b.Total == nil {
		t.Fatalf("not a searchset with a total: %.300s", w.Body)
	}
	return b
}

func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

func (b bundle) ids() []string {
	ids := make([]string, len(b.Entry))
	for i, e := range b.Entry {
		ids[i] = e.Resource.ID
	}
	return ids
}

// --- hand-built members -------------------------------------------------

func est() *time.Location { return time.FixedZone("EST", -5*3600) }

func meta(t time.Time) string {
	return `"meta":{"lastUpdated":"` + t.Format(instantLayout) + `"}`
}

func res(typ, id string, updated time.Time, body string) generator.Resource {
	return generator.Resource{Type: typ, ID: id, LastUpdated: updated,
		JSON: []byte(`{"resourceType":"` + typ + `","id":"` + id + `",` + meta(updated) + body + `}`)}
}

func patient(id string, updated time.Time) generator.Resource {
	return res("Patient", id, updated, `,"identifier":[{"system":"http://apiservicessbext.bcbsnc.com/identifier#bene_id","value":"`+id+
		`"},{"system":"http://apiservicessbext.bcbsnc.com/identifier#hicnHash","value":"hash`+id+`"}],"name":[{"family":"Doe","given":["Jane"]}],"gender":"unknown"`)
}

func coverage(pid string, updated time.Time) generator.Resource {
	return res("Coverage", "part-a"+pid, updated, `,"status":"active","beneficiary":{"reference":"Patient/`+pid+`"},"payor":[{"display":"Blue Cross NC"}]`)
}

func eob(pid, claimType string, n int, updated, start, end time.Time) generator.Resource {
	id := fmt.Sprintf("%s-%d", claimType, n)
	r := res("ExplanationOfBenefit", id, updated, `,"status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"professional"}]},"use":"claim","patient":{"reference":"Patient/`+pid+
		`"},"billablePeriod":{"start":"`+start.Format(time.DateOnly)+`","end":"`+end.Format(time.DateOnly)+
		`"},"created":"`+end.Format(time.DateOnly)+`","insurer":{"display":"Blue Cross NC"},"provider":{"reference":"Practitioner/prac-1"},"outcome":"complete","insurance":[{"focal":true,"coverage":{"reference":"Coverage/part-a`+pid+`"}}]`)
	r.ClaimType, r.Start, r.End = claimType, start, end
	return r
}

// testMembers builds three small members by hand: memberMany with the docs'
// 148 claims interleaved by type, memberDates with resources either side of
// the docs' 2020-02-13T08:00:00-05:00, memberRich with every clinical type.
func testMembers() map[string]*generator.Member {
	ms := map[string]*generator.Member{}

	t0 := time.Date(2020, 3, 1, 9, 0, 0, 0, est())
	many := &generator.Member{PatientID: memberMany, Resources: []generator.Resource{
		patient(memberMany, t0), coverage(memberMany, t0),
	}}
	counts := map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}
	for i, n := 0, 0; n < 148; i++ {
		for _, ct := range []string{"carrier", "pde", "inpatient"} {
			if counts[ct] == 0 {
				continue
			}
			counts[ct]--
			start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2*n)
			many.Resources = append(many.Resources, eob(memberMany, ct, n, t0.Add(time.Duration(n)*time.Hour), start, start.AddDate(0, 0, 1)))
			n++
		}
	}
	many.Resources = append(many.Resources,
		res("Practitioner", "prac-1", t0, `,"name":[{"family":"Smith"}]`),
		res("Organization", "org-1", t0, `,"name":"Blue Cross NC"`))
	ms[memberMany] = many

	before := time.Date(2020, 2, 12, 10, 0, 0, 0, est())
	after := time.Date(2020, 2, 13, 21, 53, 6, 17e6, est())
	day := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	ms[memberDates] = &generator.Member{PatientID: memberDates, Resources: []generator.Resource{
		patient(memberDates, after), coverage(memberDates, before),
		eob(memberDates, "carrier", 1, before, day, day),
		eob(memberDates, "carrier", 2, after, day.AddDate(0, 1, 0), day.AddDate(0, 1, 3)),
		eob(memberDates, "pde", 3, after.Add(24*time.Hour), day.AddDate(0, 2, 0), day.AddDate(0, 2, 0)),
	}}

	lu := time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)
	when := time.Date(2021, 5, 20, 0, 0, 0, 0, time.UTC)
	clinical := func(typ, id, body string, category, code []string) generator.Resource {
		r := res(typ, id, lu, body)
		r.Start, r.End, r.Category, r.Code = when, when, category, code
		return r
	}
	subj := `"subject":{"reference":"Patient/` + memberRich + `"}`
	pat := `"patient":{"reference":"Patient/` + memberRich + `"}`
	loinc := "http://loinc.org|8867-4"
	vital := "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
	ms[memberRich] = &generator.Member{PatientID: memberRich, Resources: []generator.Resource{
		patient(memberRich, lu), coverage(memberRich, lu),
		clinical("Condition", "cond-1", ","+subj, []string{"http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item"}, []string{"http://snomed.info/sct|44054006"}),
		clinical("Observation", "obs-1", `,"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},`+subj, []string{vital}, []string{loinc}),
		clinical("Observation", "obs-2", `,"status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},`+subj,
			[]string{"http://terminology.hl7.org/CodeSystem/observation-category|laboratory"}, []string{"http://loinc.org|2339-0"}),
		clinical("Procedure", "proc-1", `,"status":"completed",`+subj, nil, []string{"http://snomed.info/sct|80146002"}),
		clinical("AllergyIntolerance", "allergy-1", ","+pat, nil, []string{"http://snomed.info/sct|91936005"}),
		clinical("Immunization", "imm-1", `,"status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},`+pat+`,"occurrenceDateTime":"2021-05-20"`, nil, []string{"http://hl7.org/fhir/sid/cvx|140"}),
		clinical("MedicationRequest", "medrx-1", `,"status":"active","intent":"order","medicationCodeableConcept":{"text":"aspirin"},`+subj,
			[]string{"http://terminology.hl7.org/CodeSystem/medicationrequest-category|community"}, []string{"http://www.nlm.nih.gov/research/umls/rxnorm|1191"}),
		clinical("Encounter", "enc-1", `,"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},`+subj, nil, nil),
		res("Practitioner", "prac-9", lu, `,"name":[{"family":"Jones"}]`),
		res("Organization", "org-9", lu, `,"name":"Clinic"`),
	}}
	return ms
}

func validateR4(body []byte) error { return r4check.Validate(body) }
