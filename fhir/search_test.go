package fhir

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

const (
	eobTypeSys     = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type"
	eobTypeSysTypo = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eobtype"
)

// TestSearch drives every search parameter and its errors through the router.
func TestSearch(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name    string
		profile profile.Profile
		rq      request
		status  int
		total   int      // checked when status is 200
		entries int      // entries on the page; -1 = min(total, 10)
		ids     []string // exact entry ids when set
		detail  string   // substring of the error body when status is not 200
	}{
		// ExplanationOfBenefit and the docs' own queries.
		{name: "eob no patient means token's", rq: get("/ExplanationOfBenefit", "v1-all"), status: 200, total: 148, entries: 10},
		{name: "eob docs trailing slash", rq: get("/ExplanationOfBenefit/?patient="+memberMany, "v1-all"), status: 200, total: 148, entries: 10},
		{name: "patient=Patient/X equals X", rq: get("/ExplanationOfBenefit?patient=Patient/"+memberMany, "v1-all"), status: 200, total: 148, entries: 10},
		{name: "type carrier", rq: get("/ExplanationOfBenefit/?type=carrier", "v1-all"), status: 200, total: 44, entries: 10},
		{name: "type inpatient", rq: get("/ExplanationOfBenefit/?type=inpatient", "v1-all"), status: 200, total: 1, ids: []string{"inpatient-2"}},
		{name: "type pde", rq: get("/ExplanationOfBenefit/?type=pde", "v1-all"), status: 200, total: 103, entries: 10},
		{name: "type system|code", rq: get("/ExplanationOfBenefit/?type="+eobTypeSys+"|carrier", "v1-all"), status: 200, total: 44, entries: 10},
		{name: "type docs typo system", rq: get("/ExplanationOfBenefit/?type="+eobTypeSysTypo+"|inpatient", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "type list is OR", rq: get("/ExplanationOfBenefit?type=carrier,inpatient", "v1-all"), status: 200, total: 45, entries: 10},
		{name: "type docs seven types", rq: get("/ExplanationOfBenefit?patient=123&type=carrier,dme,hha,hospice,inpatient,outpatient,snf", "v1-all"), status: 403, detail: "own patient"},
		{name: "type docs seven types own patient", rq: get("/ExplanationOfBenefit?patient="+memberMany+"&type=carrier,dme,hha,hospice,inpatient,outpatient,snf", "v1-all"), status: 200, total: 45, entries: 10},
		{name: "type repeated is AND", rq: get("/ExplanationOfBenefit?type=carrier&type=pde", "v1-all"), status: 200, total: 0, entries: 0},
		{name: "type mixed bare and coded", rq: get("/ExplanationOfBenefit?type=pde,"+eobTypeSys+"|inpatient", "v1-all"), status: 200, total: 104, entries: 10},
		{name: "type wrong case", rq: get("/ExplanationOfBenefit?type=Carrier", "v1-all"), status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "type unknown", rq: get("/ExplanationOfBenefit?type=dental", "v1-all"), status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "type empty item", rq: get("/ExplanationOfBenefit?type=carrier,", "v1-all"), status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "type empty", rq: get("/ExplanationOfBenefit?type=", "v1-all"), status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "type unknown system", rq: get("/ExplanationOfBenefit?type=http://example.org|carrier", "v1-all"), status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "type system without code is any code", rq: get("/ExplanationOfBenefit?type="+eobTypeSys+"|", "v1-all"), status: 200, total: 148, entries: 10},

		// service-date against billablePeriod (claim n runs from day 2n to 2n+1 of 2019).
		{name: "service-date interval", rq: get("/ExplanationOfBenefit?service-date=ge2019-01-01&service-date=lt2019-01-03", "v1-all"), status: 200, total: 1, ids: []string{"carrier-0"}},
		{name: "service-date month eq", rq: get("/ExplanationOfBenefit?service-date=2019-01&_count=50", "v1-all"), status: 200, total: 15, entries: 15},
		{name: "service-date eq prefix", rq: get("/ExplanationOfBenefit?service-date=eq2019-01", "v1-all"), status: 200, total: 15, entries: 10},
		{name: "service-date gt month", rq: get("/ExplanationOfBenefit?service-date=gt2019-06", "v1-all"), status: 200, total: 58, entries: 10},
		{name: "service-date gt year", rq: get("/ExplanationOfBenefit?service-date=gt2019", "v1-all"), status: 200, total: 0, entries: 0},
		{name: "service-date malformed", rq: get("/ExplanationOfBenefit?service-date=2019-02-30", "v1-all"), status: 400, detail: "YYYY-MM-DD"},
		{name: "service-date bad prefix", rq: get("/ExplanationOfBenefit?service-date=xx2019", "v1-all"), status: 400, detail: "prefix must be eq, ne, gt, lt, ge, le, sa, eb or ap"},

		// _lastUpdated, as the docs show it, on memberDates (Patient updated 2020-02-13T21:53:06-05:00).
		{name: "docs _lastUpdated gt on Patient", rq: get("/Patient?_id="+memberDates+"&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir", "v1-all-dates"), status: 200, total: 1, ids: []string{memberDates}},
		{name: "_lastUpdated lt filters the Patient out", rq: get("/Patient?_id="+memberDates+"&_lastUpdated=lt2020-02-13T08:00:00-05:00", "v1-all-dates"), status: 200, total: 0, entries: 0},
		{name: "docs _lastUpdated interval", rq: get("/ExplanationOfBenefit?patient=Patient/"+memberDates+"&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00&_format=application%2Fjson%2Bfhir", "v1-all-dates"), status: 200, total: 1, ids: []string{"carrier-2"}},
		{name: "_lastUpdated unencoded plus offset", rq: get("/ExplanationOfBenefit?_lastUpdated=gt2020-02-13T13:00:00+00:00", "v1-all-dates"), status: 200, total: 2, ids: []string{"carrier-2", "pde-3"}},
		{name: "_lastUpdated Z and minutes", rq: get("/ExplanationOfBenefit?_lastUpdated=ge2020-02-13T13:00Z", "v1-all-dates"), status: 200, total: 2, entries: 2},
		{name: "_lastUpdated fractional seconds", rq: get("/ExplanationOfBenefit?_lastUpdated=le2020-02-12T10:00:00.000-05:00", "v1-all-dates"), status: 200, total: 1, ids: []string{"carrier-1"}},
		{name: "_lastUpdated year", rq: get("/ExplanationOfBenefit?_lastUpdated=2020", "v1-all-dates"), status: 200, total: 3, entries: 3},
		{name: "_lastUpdated day eq", rq: get("/Coverage?_lastUpdated=eq2020-02-12", "v1-all-dates"), status: 200, total: 1, entries: 1},
		{name: "_lastUpdated no zone", rq: get("/ExplanationOfBenefit?_lastUpdated=gt2020-02-13T08:00:00", "v1-all-dates"), status: 400, detail: "time zone"},
		{name: "_lastUpdated bad month", rq: get("/ExplanationOfBenefit?_lastUpdated=gt2020-13", "v1-all-dates"), status: 400, detail: "YYYY-MM"},
		{name: "_lastUpdated prefix only", rq: get("/ExplanationOfBenefit?_lastUpdated=gt", "v1-all-dates"), status: 400, detail: "missing"},
		{name: "_lastUpdated bad prefix", rq: get("/ExplanationOfBenefit?_lastUpdated=za2020", "v1-all-dates"), status: 400, detail: "prefix"},
		{name: "_lastUpdated markup not echoed raw", rq: get("/ExplanationOfBenefit?_lastUpdated="+url.QueryEscape("<script>"), "v1-all-dates"), status: 400, detail: `\u003cscript\u003e`},

		// Paging.
		{name: "_count 5", rq: get("/ExplanationOfBenefit?_count=5", "v1-all"), status: 200, total: 148, entries: 5},
		{name: "_count clamped to 50", rq: get("/ExplanationOfBenefit?_count=100", "v1-all"), status: 200, total: 148, entries: 50},
		{name: "_count huge clamped", rq: get("/ExplanationOfBenefit?_count=99999999999999999999999", "v1-all"), status: 200, total: 148, entries: 50},
		{name: "_count 0 total only", rq: get("/ExplanationOfBenefit?_count=0", "v1-all"), status: 200, total: 148, entries: 0},
		{name: "_count negative", rq: get("/ExplanationOfBenefit?_count=-1", "v1-all"), status: 400, detail: "_count"},
		{name: "_count not a number", rq: get("/ExplanationOfBenefit?_count=ten", "v1-all"), status: 400, detail: "_count"},
		{name: "_count twice", rq: get("/ExplanationOfBenefit?_count=1&_count=2", "v1-all"), status: 400, detail: "more than once"},
		{name: "startIndex near end", rq: get("/ExplanationOfBenefit?startIndex=140", "v1-all"), status: 200, total: 148, entries: 8},
		{name: "startIndex at end", rq: get("/ExplanationOfBenefit?startIndex=148", "v1-all"), status: 200, total: 148, entries: 0},
		{name: "startIndex far past end", rq: get("/ExplanationOfBenefit?startIndex=99999999999999999999", "v1-all"), status: 200, total: 148, entries: 0},
		{name: "startIndex negative", rq: get("/ExplanationOfBenefit?startIndex=-1", "v1-all"), status: 400, detail: "startIndex"},
		{name: "startIndex plus sign", rq: get("/ExplanationOfBenefit?startIndex=%2B1", "v1-all"), status: 400, detail: "startIndex"},

		// _format.
		{name: "_format json", rq: get("/Coverage?_format=json", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "_format fhir+json", rq: get("/Coverage?_format=application%2Ffhir%2Bjson", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "_format json+fhir", rq: get("/Coverage?_format=application/json%2Bfhir", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "_format unencoded plus", rq: get("/Coverage?_format=application/fhir+json", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "_format xml", rq: get("/Coverage?_format=xml", "v1-all"), status: 400, detail: "_format"},
		{name: "_format empty", rq: get("/Coverage?_format=", "v1-all"), status: 400, detail: "_format"},

		// Unknown parameters: lenient in bcbsnc, errors in strict (R4 Search §3.1.1.3.1).
		{name: "unknown param ignored", rq: get("/Coverage?color=blue", "v1-all"), status: 200, total: 1, entries: 1},
		{name: "unknown param strict", profile: profile.Strict, rq: get("/Coverage?color=blue", "v1-all"), status: 400, detail: `"code":"invalid"`},
		{name: "modifier is unknown in strict", profile: profile.Strict, rq: get("/Coverage?beneficiary:missing=false", "v1-all"), status: 400, detail: "beneficiary:missing"},

		// The compartment.
		{name: "patient names another member", rq: get("/ExplanationOfBenefit?patient="+memberRich, "v1-all"), status: 403, detail: "own patient"},
		{name: "patient list with another member", rq: get("/ExplanationOfBenefit?patient="+memberMany+","+memberRich, "v1-all"), status: 403, detail: "own patient"},
		{name: "patient repeated other", rq: get("/ExplanationOfBenefit?patient="+memberMany+"&patient=Patient/"+memberRich, "v1-all"), status: 403, detail: "own patient"},
		{name: "patient absolute reference", rq: get("/ExplanationOfBenefit?type=inpatient&patient="+url.QueryEscape(fhirBase+"/Patient/"+memberMany), "v1-all"), status: 200, total: 1, entries: 1},
		{name: "patient absolute reference elsewhere", rq: get("/ExplanationOfBenefit?patient="+url.QueryEscape("http://evil.test"+BasePath+"/Patient/"+memberMany), "v1-all"), status: 403, detail: "own patient"},
		{name: "POST _search docs form typo", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "type=inpatient", "application/x-www-formurlencoded;charset=UTF-8"}, status: 200, total: 1, entries: 1},
		{name: "patient empty", rq: get("/ExplanationOfBenefit?patient=", "v1-all"), status: 400, detail: "patient"},
		{name: "patient Patient/ only", rq: get("/ExplanationOfBenefit?patient=Patient/", "v1-all"), status: 400, detail: "patient"},

		// Patient and Coverage.
		{name: "Patient no param", rq: get("/Patient", "v1-all"), status: 200, total: 1, ids: []string{memberMany}},
		{name: "Patient _id", rq: get("/Patient?_id="+memberMany, "v1-all"), status: 200, total: 1, ids: []string{memberMany}},
		{name: "Patient _id other", rq: get("/Patient?_id="+memberRich, "v1-all"), status: 403, detail: "own patient"},
		{name: "Patient identifier system|value", rq: get("/Patient?identifier="+url.QueryEscape("http://apiservicessbext.bcbsnc.com/identifier#bene_id|"+memberMany), "v1-all"), status: 200, total: 1, entries: 1},
		{name: "Patient identifier value", rq: get("/Patient?identifier=hash"+memberMany, "v1-all"), status: 200, total: 1, entries: 1},
		{name: "Patient identifier no match", rq: get("/Patient?identifier=nobody", "v1-all"), status: 200, total: 0, entries: 0},
		{name: "Patient identifier empty", rq: get("/Patient?identifier=", "v1-all"), status: 400, detail: "identifier"},
		{name: "Coverage docs beneficiary", rq: get("/Coverage/?beneficiary="+memberMany, "v1-all"), status: 200, total: 1, ids: []string{"part-a" + memberMany}},
		{name: "Coverage patient", rq: get("/Coverage?patient=Patient/"+memberMany, "v1-all"), status: 200, total: 1, entries: 1},
		{name: "Coverage other beneficiary", rq: get("/Coverage?beneficiary="+memberRich, "v1-all"), status: 403, detail: "own patient"},

		// Clinical types and their US Core parameters.
		{name: "Observation all", rq: get("/Observation", "v1-all-rich"), status: 200, total: 2, ids: []string{"obs-1", "obs-2"}},
		{name: "Observation category code", rq: get("/Observation?category=vital-signs", "v1-all-rich"), status: 200, total: 1, ids: []string{"obs-1"}},
		{name: "Observation category system|code", rq: get("/Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory", "v1-all-rich"), status: 200, total: 1, ids: []string{"obs-2"}},
		{name: "Observation code system|code", rq: get("/Observation?code=http://loinc.org|2339-0", "v1-all-rich"), status: 200, total: 1, ids: []string{"obs-2"}},
		{name: "Observation code system| any", rq: get("/Observation?code=http://loinc.org|", "v1-all-rich"), status: 200, total: 2, entries: 2},
		{name: "Observation code |code no system", rq: get("/Observation?code=|8867-4", "v1-all-rich"), status: 200, total: 0, entries: 0},
		{name: "Observation code wrong system", rq: get("/Observation?code=http://snomed.info/sct|8867-4", "v1-all-rich"), status: 200, total: 0, entries: 0},
		{name: "Observation date", rq: get("/Observation?date=2021-05-20", "v1-all-rich"), status: 200, total: 2, entries: 2},
		{name: "Observation date gt", rq: get("/Observation?date=gt2021-05-20", "v1-all-rich"), status: 200, total: 0, entries: 0},
		{name: "Observation category empty", rq: get("/Observation?category=", "v1-all-rich"), status: 400, detail: "category"},
		{name: "Condition onset-date", rq: get("/Condition?onset-date=2021", "v1-all-rich"), status: 200, total: 1, ids: []string{"cond-1"}},
		{name: "Condition category", rq: get("/Condition?category=problem-list-item", "v1-all-rich"), status: 200, total: 1, entries: 1},
		{name: "Procedure code", rq: get("/Procedure?code=80146002", "v1-all-rich"), status: 200, total: 1, ids: []string{"proc-1"}},
		{name: "AllergyIntolerance patient", rq: get("/AllergyIntolerance?patient="+memberRich, "v1-all-rich"), status: 200, total: 1, ids: []string{"allergy-1"}},
		{name: "Immunization vaccine-code", rq: get("/Immunization?vaccine-code=http://hl7.org/fhir/sid/cvx|140", "v1-all-rich"), status: 200, total: 1, ids: []string{"imm-1"}},
		{name: "MedicationRequest authoredon", rq: get("/MedicationRequest?authoredon=le2021-06", "v1-all-rich"), status: 200, total: 1, ids: []string{"medrx-1"}},
		{name: "MedicationRequest category", rq: get("/MedicationRequest?category=community", "v1-all-rich"), status: 200, total: 1, entries: 1},
		{name: "Encounter date", rq: get("/Encounter?date=2021-05", "v1-all-rich"), status: 200, total: 1, ids: []string{"enc-1"}},
		{name: "Encounter before", rq: get("/Encounter?date=lt2021-05-20", "v1-all-rich"), status: 200, total: 0, entries: 0},

		// POST _search gives the same results as GET.
		{name: "POST _search form", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "patient=" + memberMany + "&type=pde", form}, status: 200, total: 103, entries: 10},
		{name: "POST _search no content type", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "type=inpatient", ""}, status: 200, total: 1, entries: 1},
		{name: "POST _search query and body", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search?type=carrier", "v1-all", "type=carrier,pde", form}, status: 200, total: 44, entries: 10},
		{name: "POST _search bad type", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "type=CARRIER", form}, status: 400, detail: `{"detail": "not a valid value"}`},
		{name: "POST _search json body", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", `{"type":"pde"}`, "application/json"}, status: 400, detail: "x-www-form-urlencoded"},
		{name: "POST _search malformed body", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "type=%zz", form}, status: 400, detail: "malformed"},
		{name: "POST _search body too large", rq: request{http.MethodPost, "/ExplanationOfBenefit/_search", "v1-all", "type=" + strings.Repeat("a", 65<<10), form}, status: 413, detail: "larger than 64 KiB"},
		{name: "malformed query", rq: get("/ExplanationOfBenefit?type=%zz", "v1-all"), status: 400, detail: "malformed"},
		{name: "semicolon query", rq: get("/ExplanationOfBenefit?type=pde;_count=1", "v1-all"), status: 400, detail: "malformed"},
	}
	apis := map[profile.Profile]*echo.Echo{profile.BCBSNC: testAPI(t, profile.BCBSNC), profile.Strict: testAPI(t, profile.Strict)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, apis[tc.profile], tc.rq)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != http.StatusOK {
				if !strings.Contains(w.Body.String(), tc.detail) {
					t.Errorf("body %s does not contain %s", w.Body, tc.detail)
				}
				return
			}
			b := decodeBundle(t, w)
			if *b.Total != tc.total {
				t.Errorf("total %d, want %d", *b.Total, tc.total)
			}
			if tc.ids != nil {
				if got := strings.Join(b.ids(), " "); got != strings.Join(tc.ids, " ") {
					t.Errorf("ids %s, want %s", got, strings.Join(tc.ids, " "))
				}
			} else if len(b.Entry) != tc.entries {
				t.Errorf("%d entries, want %d", len(b.Entry), tc.entries)
			}
			for _, e := range b.Entry {
				if e.Search.Mode != "match" || e.FullURL != fhirBase+"/"+e.Resource.ResourceType+"/"+e.Resource.ID {
					t.Errorf("entry %s: fullUrl %s, mode %q", e.Resource.ID, e.FullURL, e.Search.Mode)
				}
			}
		})
	}
}

// TestTypeErrorBodyExact pins the docs' bad claim type answer byte for byte.
func TestTypeErrorBodyExact(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	w := do(t, e, get("/ExplanationOfBenefit?type=PDE", "v1-all"))
	if w.Code != http.StatusBadRequest || w.Body.String() != `{"detail": "not a valid value"}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	s := testAPI(t, profile.Strict)
	w = do(t, s, get("/ExplanationOfBenefit?type=PDE", "v1-all"))
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &oo); err != nil || w.Code != http.StatusBadRequest ||
		oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 || oo.Issue[0].Code != "invalid" ||
		oo.Issue[0].Diagnostics != "not a valid value" {
		t.Fatalf("strict: %d %s", w.Code, w.Body)
	}
}

// TestPreferHandlingStrict: a bcbsnc client can ask for strict handling.
func TestPreferHandlingStrict(t *testing.T) {
	e := testAPI(t, profile.BCBSNC)
	r := httptest.NewRequest(http.MethodGet, BasePath+"/Coverage?color=blue", nil)
	r.Header.Set("Authorization", "Bearer v1-all")
	r.Header.Set("Prefer", "return=minimal, handling=strict")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	checkBody(t, w)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "color") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
