package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// The C4BB searches on the generated members: what the CARIN Blue Button
// test kit asks, checked here against the resources themselves. The
// integration test in internal/app walks the kit's sequence end to end.

// scopedCatalogAPI serves the fixtures' catalog; a token is "scopes:" followed by
// the space-separated scopes it grants BCNCUser04 (memberMany), or
// "rep:" for a representative of it with patient/*.read.
func scopedCatalogAPI(t testing.TB, p profile.Profile) (*API, *echo.Echo) {
	t.Helper()
	cat := fixtures.NewCatalog(1, 0)
	api, err := New(Config{
		Profile:    p,
		BaseURL:    func(*http.Request) string { return testBase },
		IssuerPath: "/issuer",
		Authorize: func(_ context.Context, bearer string) (Grant, error) {
			if scopes, ok := strings.CutPrefix(bearer, "scopes:"); ok {
				return Grant{Patient: memberMany, Scopes: strings.Fields(scopes)}, nil
			}
			if bearer == "rep" {
				return Grant{Patient: memberMany, Scopes: []string{"patient/*.read"}, FHIRUser: "RelatedPerson/" + testRepID,
					RelatedPerson: &RelatedPerson{ID: testRepID, Name: testRepName, Relationship: "poa"}}, nil
			}
			return Grant{}, errors.New("unknown token")
		},
		Members: cat.Member,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	api.Register(e.Group(BasePath))
	return api, e
}

const allRead = "scopes:patient/*.read"

// entry is a Bundle entry as these tests read it.
type entry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   struct{ Mode string }
}

type searchset struct {
	Total int
	Link  []struct{ Relation, URL string }
	Entry []entry
}

func (s searchset) next() string {
	for _, l := range s.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// searchOK runs a search that must succeed and decodes it.
func searchOK(t *testing.T, e *echo.Echo, target, token string) searchset {
	t.Helper()
	w := do(t, e, get(target, token))
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, w.Code, w.Body)
	}
	var s searchset
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// served is the part of a resource these tests read.
type served struct {
	ResourceType string
	ID           string
	Identifier   []struct{ System, Value string }
	Patient      struct{ Reference string }
	Provider     struct{ Reference string }
	Insurer      struct{ Reference string }
	Payee        struct{ Party struct{ Reference string } }
	CareTeam     []struct{ Provider struct{ Reference string } }
	Insurance    []struct{ Coverage struct{ Reference string } }
	Payor        []struct{ Reference string }
}

func decodeRes(t *testing.T, raw json.RawMessage) served {
	t.Helper()
	var r served
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// refsOf are the references of r an _include parameter follows.
func (r served) refsOf(param string) []string {
	var out []string
	switch param {
	case "patient":
		out = []string{r.Patient.Reference}
	case "provider":
		out = []string{r.Provider.Reference}
	case "insurer":
		out = []string{r.Insurer.Reference}
	case "payee":
		out = []string{r.Payee.Party.Reference}
	case "care-team":
		for _, c := range r.CareTeam {
			out = append(out, c.Provider.Reference)
		}
	case "coverage":
		for _, in := range r.Insurance {
			out = append(out, in.Coverage.Reference)
		}
	case "payor":
		for _, p := range r.Payor {
			out = append(out, p.Reference)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// allEOBs walks every page of the member's claims.
func allEOBs(t *testing.T, e *echo.Echo) []served {
	t.Helper()
	var out []served
	for target := "/ExplanationOfBenefit?_count=50"; target != ""; {
		s := searchOK(t, e, target, allRead)
		for _, en := range s.Entry {
			out = append(out, decodeRes(t, en.Resource))
		}
		target = s.next()
	}
	if len(out) != 148 {
		t.Fatalf("walked %d claims, want the docs' 148", len(out))
	}
	return out
}

// TestIncludeEachParameter: for every _include of ExplanationOfBenefit and
// Coverage, a search by _id with it (as the test kit asks) returns the
// match, then exactly the resources the match references through that
// parameter, each once, as search.mode include, with total counting the
// match alone.
func TestIncludeEachParameter(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	eobs := allEOBs(t, e)
	cov := searchOK(t, e, "/Coverage", allRead)
	cases := []struct {
		name, typ, id, include string
		params                 []string
		target                 string
	}{
		{"patient", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:patient", []string{"patient"}, ""},
		{"provider", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:provider", []string{"provider"}, ""},
		{"provider of one target type", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:provider:Organization", []string{"provider"}, "Organization"},
		{"provider of a target type it does not name", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:provider:Practitioner", []string{"provider"}, "Practitioner"},
		{"care-team", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:care-team", []string{"care-team"}, ""},
		{"coverage", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:coverage", []string{"coverage"}, ""},
		{"insurer", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:insurer", []string{"insurer"}, ""},
		{"payee", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:payee", []string{"payee"}, ""},
		{"all", "ExplanationOfBenefit", eobs[0].ID, "ExplanationOfBenefit:*", []string{"patient", "provider", "care-team", "coverage", "insurer", "payee"}, ""},
		{"all of an inpatient claim", "ExplanationOfBenefit", eobs[slices.IndexFunc(eobs, func(r served) bool { return strings.HasPrefix(r.ID, "inpatient") })].ID,
			"ExplanationOfBenefit:*", []string{"patient", "provider", "care-team", "coverage", "insurer", "payee"}, ""},
		{"payor", "Coverage", decodeRes(t, cov.Entry[0].Resource).ID, "Coverage:payor", []string{"payor"}, ""},
		{"Coverage all", "Coverage", decodeRes(t, cov.Entry[0].Resource).ID, "Coverage:*", []string{"payor"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := searchOK(t, e, "/"+tc.typ+"?"+url.Values{"_id": {tc.id}, "_include": {tc.include}}.Encode(), allRead)
			if s.Total != 1 || len(s.Entry) == 0 || s.Entry[0].Search.Mode != "match" {
				t.Fatalf("total %d, %d entries: want the one match first", s.Total, len(s.Entry))
			}
			base := decodeRes(t, s.Entry[0].Resource)
			if base.ID != tc.id || base.ResourceType != tc.typ {
				t.Fatalf("matched %s/%s", base.ResourceType, base.ID)
			}
			want := map[string]bool{}
			for _, p := range tc.params {
				for _, ref := range base.refsOf(p) {
					if typ, _, _ := strings.Cut(ref, "/"); tc.target == "" || typ == tc.target {
						want[ref] = true
					}
				}
			}
			got := map[string]bool{}
			for _, en := range s.Entry[1:] {
				r := decodeRes(t, en.Resource)
				ref := r.ResourceType + "/" + r.ID
				switch {
				case en.Search.Mode != "include":
					t.Errorf("%s has search.mode %q", ref, en.Search.Mode)
				case got[ref]:
					t.Errorf("%s included twice", ref)
				case !want[ref]:
					t.Errorf("%s included, but the match does not reference it through %v", ref, tc.params)
				case en.FullURL != fhirBase+"/"+ref:
					t.Errorf("fullUrl %s for %s", en.FullURL, ref)
				}
				got[ref] = true
			}
			for ref := range want {
				if !got[ref] {
					t.Errorf("%s is referenced through %v but not included", ref, tc.params)
				}
			}
		})
	}
}

// TestIncludeSeveralAtOnce: two _include parameters include the union of
// what each includes, a resource both reach once.
func TestIncludeSeveralAtOnce(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	id := allEOBs(t, e)[0].ID
	refs := func(includes ...string) []string {
		s := searchOK(t, e, "/ExplanationOfBenefit?"+url.Values{"_id": {id}, "_include": includes}.Encode(), allRead)
		var out []string
		for _, en := range s.Entry[1:] {
			r := decodeRes(t, en.Resource)
			out = append(out, r.ResourceType+"/"+r.ID)
		}
		slices.Sort(out)
		return out
	}
	provider, payee := refs("ExplanationOfBenefit:provider"), refs("ExplanationOfBenefit:payee")
	both := refs("ExplanationOfBenefit:provider", "ExplanationOfBenefit:payee", "ExplanationOfBenefit:provider")
	union := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(provider), payee...))))
	if !slices.Equal(both, union) || len(both) == 0 {
		t.Errorf("provider %q + payee %q included %q", provider, payee, both)
	}
}

// TestIncludeOnlyWhatTheTokenReads: an included resource is a read of its
// type, so a token without that type's scope gets the matches without it,
// even when a token of the same member with the scope asked the same search
// first (the page cache keeps the two apart).
func TestIncludeOnlyWhatTheTokenReads(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	query := "/ExplanationOfBenefit?_count=5&_include=ExplanationOfBenefit:*"
	types := func(token string) map[string]int {
		out := map[string]int{}
		for _, en := range searchOK(t, e, query, token).Entry {
			out[decodeRes(t, en.Resource).ResourceType]++
		}
		return out
	}
	all := types(allRead) // first: its page is cached
	for _, typ := range []string{"Patient", "Coverage", "Organization", "Practitioner"} {
		if all[typ] == 0 {
			t.Fatalf("patient/*.read included no %s: %v", typ, all)
		}
	}
	cases := []struct {
		name, token string
		want        []string
	}{
		{"claims only", "scopes:patient/ExplanationOfBenefit.read", []string{"ExplanationOfBenefit"}},
		{"claims and coverage", "scopes:patient/ExplanationOfBenefit.rs patient/Coverage.r", []string{"ExplanationOfBenefit", "Coverage"}},
		{"search without read of the others", "scopes:patient/ExplanationOfBenefit.s patient/Coverage.s patient/Patient.s", []string{"ExplanationOfBenefit"}},
		{"user scopes", "scopes:user/ExplanationOfBenefit.read user/Organization.read", []string{"ExplanationOfBenefit", "Organization"}},
		{"everything but the Patient", "scopes:patient/ExplanationOfBenefit.read patient/Coverage.read patient/Organization.read patient/Practitioner.read",
			[]string{"ExplanationOfBenefit", "Coverage", "Organization", "Practitioner"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := types(tc.token)
			var names []string
			for typ := range got {
				names = append(names, typ)
			}
			slices.Sort(names)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(names, want) || got["ExplanationOfBenefit"] != 5 {
				t.Errorf("included %v, want only %q beside the 5 claims", got, want)
			}
		})
	}
}

// TestIncludePaging: with includes, every page carries its matches and
// then the resources they reference, total counts matches only, and
// following next visits each claim once.
func TestIncludePaging(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	seen := map[string]bool{}
	pages := 0
	for target := "/ExplanationOfBenefit?_count=10&_include=ExplanationOfBenefit:*"; target != ""; pages++ {
		s := searchOK(t, e, target, allRead)
		if s.Total != 148 {
			t.Fatalf("total %d, want 148 matches", s.Total)
		}
		inPage := map[string]bool{}
		includes := false
		for _, en := range s.Entry {
			r := decodeRes(t, en.Resource)
			ref := r.ResourceType + "/" + r.ID
			switch en.Search.Mode {
			case "match":
				if includes {
					t.Errorf("match %s after an included resource", ref)
				}
				if seen[ref] {
					t.Errorf("%s on two pages", ref)
				}
				seen[ref] = true
			case "include":
				includes = true
				if inPage[ref] {
					t.Errorf("%s twice on one page", ref)
				}
			}
			inPage[ref] = true
		}
		if !includes {
			t.Errorf("page %d includes nothing", pages)
		}
		target = s.next()
		if target != "" && !strings.Contains(target, "_include=ExplanationOfBenefit%3A%2A") {
			t.Fatalf("next link drops the _include: %s", target)
		}
	}
	if len(seen) != 148 || pages != 15 {
		t.Errorf("walked %d claims in %d pages", len(seen), pages)
	}
}

// TestIncludeNotServed: an _include the type does not list is an error in
// strict handling and ignored otherwise, as an unknown parameter is.
func TestIncludeNotServed(t *testing.T) {
	for _, v := range []string{"ExplanationOfBenefit:claim", "Coverage:payor", "ExplanationOfBenefit:patient:Organization", "ExplanationOfBenefit", "*", "ExplanationOfBenefit:*:Patient"} {
		t.Run(v, func(t *testing.T) {
			_, strict := scopedCatalogAPI(t, profile.Strict)
			if w := do(t, strict, get("/ExplanationOfBenefit?_include="+url.QueryEscape(v), allRead)); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "_include") {
				t.Errorf("strict: %d %s", w.Code, w.Body)
			}
			_, lenient := scopedCatalogAPI(t, profile.BCBSNC)
			s := searchOK(t, lenient, "/ExplanationOfBenefit?_count=3&_include="+url.QueryEscape(v), allRead)
			if len(s.Entry) != 3 {
				t.Errorf("lenient: %d entries, want the 3 matches alone", len(s.Entry))
			}
		})
	}
	// A type without includes knows no _include parameter at all.
	_, strict := scopedCatalogAPI(t, profile.Strict)
	if w := do(t, strict, get("/Patient?_include=Patient:organization", allRead)); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "unknown search parameter") {
		t.Errorf("Patient?_include: %d %s", w.Code, w.Body)
	}
}

// TestTypeMatchesAnyCoding: the type search matches every coding of
// ExplanationOfBenefit.type: the HL7 claim-type code finds the claims the
// docs' eob-type code finds.
func TestTypeMatchesAnyCoding(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	ids := func(typ string) []string {
		var out []string
		for target := "/ExplanationOfBenefit?_count=50&" + (url.Values{"type": {typ}}).Encode(); target != ""; {
			s := searchOK(t, e, target, allRead)
			for _, en := range s.Entry {
				out = append(out, decodeRes(t, en.Resource).ID)
			}
			target = s.next()
		}
		return out
	}
	cases := []struct {
		name, a, b string
	}{
		{"pharmacy is pde", "pharmacy", "pde"},
		{"claim-type system", claimTypeSystem + "|pharmacy", "pde"},
		{"professional is carrier", "professional", "carrier"},
		{"institutional is inpatient", "institutional", "inpatient"},
		{"any code of claim-type is every claim", claimTypeSystem + "|", generator.EOBTypeSystem + "|"},
		{"a list of both systems", "pharmacy,carrier", "professional,pde"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := ids(tc.a), ids(tc.b)
			if len(a) == 0 || !slices.Equal(a, b) {
				t.Errorf("type=%s found %d claims, type=%s %d", tc.a, len(a), tc.b, len(b))
			}
		})
	}
	if got := ids("oral"); len(got) != 0 {
		t.Errorf("type=oral found %q in a member without dental claims", got)
	}
	if got := ids("vision"); len(got) != 0 {
		t.Errorf("type=vision found %q", got)
	}
}

// TestDirectorySearches: Organization and Practitioner searches return the
// member's own directory entries, those its resources reference; _id of
// one finds it, of one the member does not reference finds nothing.
func TestDirectorySearches(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.Strict)
	eobs := allEOBs(t, e)
	for _, tc := range []struct{ typ, other string }{{"Organization", "no-such-org"}, {"Practitioner", "1000000000"}} {
		t.Run(tc.typ, func(t *testing.T) {
			var listed []string
			for target := "/" + tc.typ + "?_count=50"; target != ""; {
				s := searchOK(t, e, target, allRead)
				for _, en := range s.Entry {
					listed = append(listed, decodeRes(t, en.Resource).ID)
				}
				target = s.next()
			}
			referenced := map[string]bool{}
			for _, r := range eobs {
				for _, p := range []string{"provider", "insurer", "payee", "care-team"} {
					for _, ref := range r.refsOf(p) {
						if typ, id, _ := strings.Cut(ref, "/"); typ == tc.typ {
							referenced[id] = true
						}
					}
				}
			}
			for id := range referenced {
				if !slices.Contains(listed, id) {
					t.Errorf("%s/%s is referenced by a claim but not served", tc.typ, id)
				}
			}
			if len(listed) == 0 {
				t.Fatal("none served")
			}
			s := searchOK(t, e, "/"+tc.typ+"?_id="+listed[0], allRead)
			if s.Total != 1 || decodeRes(t, s.Entry[0].Resource).ID != listed[0] {
				t.Errorf("_id=%s: total %d", listed[0], s.Total)
			}
			s = searchOK(t, e, "/"+tc.typ+"?_id="+listed[0]+","+tc.other, allRead)
			if s.Total != 1 {
				t.Errorf("_id list: total %d, want 1", s.Total)
			}
			if s := searchOK(t, e, "/"+tc.typ+"?_id="+tc.other, allRead); s.Total != 0 {
				t.Errorf("_id of an entry the member does not reference: total %d", s.Total)
			}
			// No member parameter: the links name none.
			if s := searchOK(t, e, "/"+tc.typ, allRead); strings.Contains(s.Link[0].URL, "patient=") {
				t.Errorf("self link %s names a member", s.Link[0].URL)
			}
		})
	}
}

// TestRelatedPersonSearch: a representative finds their own RelatedPerson,
// by _id and _lastUpdated too; a Self token finds none.
func TestRelatedPersonSearch(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.Strict)
	s := searchOK(t, e, "/RelatedPerson", "rep")
	if s.Total != 1 || decodeRes(t, s.Entry[0].Resource).ID != testRepID {
		t.Fatalf("representative: total %d", s.Total)
	}
	var rp struct{ Meta struct{ LastUpdated string } }
	if err := json.Unmarshal(s.Entry[0].Resource, &rp); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		total int
	}{
		{"_id=" + testRepID, 1},
		{"_id=rep-2", 0},
		{"_lastUpdated=" + url.QueryEscape(rp.Meta.LastUpdated), 1},
		{"_lastUpdated=gt" + url.QueryEscape(rp.Meta.LastUpdated), 0},
	} {
		if got := searchOK(t, e, "/RelatedPerson?"+tc.query, "rep").Total; got != tc.total {
			t.Errorf("%s: total %d, want %d", tc.query, got, tc.total)
		}
	}
	if got := searchOK(t, e, "/RelatedPerson", allRead).Total; got != 0 {
		t.Errorf("Self token: total %d", got)
	}
}

// TestEscapedValues: a backslash escapes ',' '|' '$' and '\' in token and
// _id values (R4 Search, "Escaping Search Parameters"); any other is
// refused.
func TestEscapedValues(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []token
		ok   bool
	}{
		{"escaped comma stays in the code", `a\,b,c`, []token{{code: "a,b"}, {code: "c"}}, true},
		{"escaped bar is not a system", `a\|b`, []token{{code: "a|b"}}, true},
		{"system and escaped code", `s|x\$y`, []token{{system: "s", code: "x$y", hasSystem: true}}, true},
		{"escaped backslash", `a\\`, []token{{code: `a\`}}, true},
		{"other escape", `a\b`, nil, false},
		{"trailing backslash", `a\`, nil, false},
		{"empty item", `a,`, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseTokens(tc.in)
			if ok != tc.ok || !slices.Equal(got, tc.want) {
				t.Errorf("parseTokens(%q) = %+v %v, want %+v %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
	ids, ok := parseIDs(`a\,b,c`)
	if !ok || !slices.Equal(ids, []string{"a,b", "c"}) {
		t.Errorf("parseIDs = %q %v", ids, ok)
	}
}

// TestDatePrefixes: every R4 prefix against targets of every precision:
// the value 2020-03 is [2020-03-01, 2020-04-01).
func TestDatePrefixes(t *testing.T) {
	day := func(s string) dateRange {
		d, ok := targetRange(s)
		if !ok {
			t.Fatalf("targetRange(%q)", s)
		}
		return d
	}
	period := func(a, b string) dateRange { return dateRange{day(a).lo, day(b).hi} }
	before, inside, across, after := day("2020-02-10"), day("2020-03-15"), period("2020-02-20", "2020-03-05"), day("2020-04-01")
	instant := day("2020-03-31T23:59:59.999-00:00")
	cases := []struct {
		value string
		want  [5]bool // before, inside, across, after, instant
	}{
		{"2020-03", [5]bool{false, true, false, false, true}},
		{"eq2020-03", [5]bool{false, true, false, false, true}},
		{"ne2020-03", [5]bool{true, false, true, true, false}},
		{"gt2020-03", [5]bool{false, false, false, true, false}},
		{"ge2020-03", [5]bool{false, true, false, true, true}},
		{"lt2020-03", [5]bool{true, false, true, false, false}},
		{"le2020-03", [5]bool{true, true, true, false, true}},
		{"sa2020-03", [5]bool{false, false, false, true, false}},
		{"eb2020-03", [5]bool{true, false, false, false, false}},
		{"ap2020-03", [5]bool{false, true, true, false, true}},
		{"gt2020-03-04T12:00:00Z", [5]bool{false, true, true, true, true}},
		{"lt2020", [5]bool{false, false, false, false, false}},
		{"ge2020", [5]bool{true, true, true, true, true}},
		{"eb2020-04-01", [5]bool{true, true, true, false, true}},
		{"sa2020-03-31T23:59:59.998Z", [5]bool{false, false, false, true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			f, err := parseDate(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			for i, target := range []dateRange{before, inside, across, after, instant} {
				if got := f.matches(target); got != tc.want[i] {
					t.Errorf("target %d (%s..%s): %v, want %v", i, target.lo.Format(time.RFC3339Nano), target.hi.Format(time.RFC3339Nano), got, tc.want[i])
				}
			}
		})
	}
}

// TestIndexFollowsTheMember: the facts a search reads belong to the member
// object they were read from; when the catalog returns another object for
// the same id (an edit, a rebuild), the next search reads the new one.
func TestIndexFollowsTheMember(t *testing.T) {
	when := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	claim := func(code string) *generator.Member {
		r := eob(memberMany, "pde", 1, when, when, when)
		r.JSON = bytes.Replace(r.JSON, []byte(`"code":"professional"`), []byte(`"code":"`+code+`"`), 1)
		return &generator.Member{PatientID: memberMany, Resources: []generator.Resource{r}}
	}
	members := map[string]*generator.Member{memberMany: claim("pharmacy")}
	api, e := newTestAPI(t, profile.BCBSNC, members)
	api.pages = nil // the index alone stands between the two searches
	if got := decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?type=pharmacy", "v1-all"))).Total; *got != 1 {
		t.Fatalf("pharmacy: %d", *got)
	}
	members[memberMany] = claim("professional")
	if got := decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?type=pharmacy", "v1-all"))).Total; *got != 0 {
		t.Errorf("pharmacy after the member changed: %d, want 0", *got)
	}
	if got := decodeBundle(t, do(t, e, get("/ExplanationOfBenefit?type=professional", "v1-all"))).Total; *got != 1 {
		t.Errorf("professional after the member changed: %d, want 1", *got)
	}
}

// TestIndexCacheBounded: the index keeps at most its limit of members,
// least recently used out first.
func TestIndexCacheBounded(t *testing.T) {
	c := newIndexCache(2)
	ms := []*generator.Member{{PatientID: "a"}, {PatientID: "b"}, {PatientID: "c"}}
	a := c.index("a", ms[0])
	c.index("b", ms[1])
	if c.index("a", ms[0]) != a {
		t.Error("a was rebuilt while kept")
	}
	c.index("c", ms[2]) // b is least recently used
	if c.lru.Len() != 2 || c.byID["b"] != nil || c.byID["a"] == nil {
		t.Errorf("kept %d: %v", c.lru.Len(), c.byID)
	}
	c.invalidate("a")
	if c.index("a", ms[0]) == a {
		t.Error("a survived invalidate")
	}
}

// TestIndexConcurrentReads: searches of one member at once read its facts
// and resolve its references concurrently (run with -race), and all agree.
func TestIndexConcurrentReads(t *testing.T) {
	api, e := scopedCatalogAPI(t, profile.BCBSNC)
	api.pages = nil // every search reads the index
	queries := []string{
		"/ExplanationOfBenefit?type=pharmacy&_count=0",
		"/ExplanationOfBenefit?_count=50&_include=ExplanationOfBenefit:*",
		"/ExplanationOfBenefit?service-date=ge2020&_count=0",
	}
	want := make([]string, len(queries))
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			var err error
			for i := range 10 {
				q := queries[(g+i)%len(queries)]
				r := httptestGet(e, q, allRead)
				if r.status != http.StatusOK {
					err = errors.New(q + ": " + r.body)
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	// Afterwards every query answers as it does alone, on a fresh API.
	_, fresh := scopedCatalogAPI(t, profile.BCBSNC)
	for i, q := range queries {
		want[i] = httptestGet(fresh, q, allRead).body
		if got := httptestGet(e, q, allRead).body; got != want[i] {
			t.Errorf("%s differs after concurrent reads", q)
		}
	}
}

type recorded struct {
	status int
	body   string
}

// httptestGet runs one GET through the router without the test's checks,
// for goroutines, which must not call t.Fatal.
func httptestGet(e *echo.Echo, target, token string) recorded {
	r := httptest.NewRequest(http.MethodGet, BasePath+target, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return recorded{w.Code, w.Body.String()}
}

// TestIncludeTargetTypes: {Type}:{param}:{target} keeps the target types
// asked for, however many, and no other.
func TestIncludeTargetTypes(t *testing.T) {
	_, e := scopedCatalogAPI(t, profile.BCBSNC)
	id := allEOBs(t, e)[0].ID
	cases := []struct {
		name     string
		includes []string
		want     []string // included types
	}{
		{"care team as practitioners", []string{"ExplanationOfBenefit:care-team:Practitioner"}, []string{"Practitioner"}},
		{"care team as organizations", []string{"ExplanationOfBenefit:care-team:Organization"}, nil},
		{"two targets, neither a practitioner", []string{"ExplanationOfBenefit:care-team:Organization", "ExplanationOfBenefit:care-team:PractitionerRole"}, nil},
		{"a target and the whole parameter", []string{"ExplanationOfBenefit:care-team:Organization", "ExplanationOfBenefit:care-team"}, []string{"Practitioner"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := searchOK(t, e, "/ExplanationOfBenefit?"+url.Values{"_id": {id}, "_include": tc.includes}.Encode(), allRead)
			var got []string
			for _, en := range s.Entry[1:] {
				if typ := decodeRes(t, en.Resource).ResourceType; !slices.Contains(got, typ) {
					got = append(got, typ)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("included types %q, want %q", got, tc.want)
			}
		})
	}
}
