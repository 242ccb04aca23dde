package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// The searches of the US Core 6.1 test kit
// (inferno-framework/us-core-test-kit, its v6.1.0 groups): for every
// profile's type, each combination of parameters the kit sends, with
// values taken from a resource the first search served, every result
// checked against every parameter, and the resource the values came from
// among the results. Every body is validated as R4.

// usKitSearch is one type's searches as the kit performs them.
type usKitSearch struct {
	typ    string
	combos [][]string // each a combination of parameter names, beside patient
}

var usKitSearches = []usKitSearch{
	{"AllergyIntolerance", [][]string{{}, {"clinical-status"}}},
	{"CarePlan", [][]string{{"category"}, {"category", "status"}, {"category", "status", "date"}, {"category", "date"}}},
	{"CareTeam", [][]string{{"status"}, {"role"}}},
	{"Condition", [][]string{{}, {"category"}, {"recorded-date"}, {"category", "clinical-status"}, {"onset-date"}, {"clinical-status"}, {"code"}, {"_id"},
		{"category", "encounter"}, {"abatement-date"}}},
	{"Coverage", [][]string{{}}},
	{"Device", [][]string{{}, {"type"}, {"status"}}},
	{"DiagnosticReport", [][]string{{}, {"category"}, {"code"}, {"code", "date"}, {"status"}, {"category", "date"}}},
	{"DocumentReference", [][]string{{}, {"_id"}, {"type"}, {"status"}, {"type", "period"}, {"category", "date"}, {"category"}}},
	{"Encounter", [][]string{{}, {"_id"}, {"identifier"}, {"type"}, {"class"}, {"status"}, {"date"}, {"discharge-disposition"}}},
	{"Goal", [][]string{{}, {"target-date"}, {"lifecycle-status"}}},
	{"Immunization", [][]string{{}, {"date"}, {"status"}}},
	{"MedicationDispense", [][]string{{}, {"status", "type"}, {"status"}}},
	{"MedicationRequest", [][]string{{"intent"}, {"intent", "status"}, {"intent", "authoredon"}}},
	{"Observation", [][]string{{"category"}, {"code"}, {"code", "date"}, {"category", "status"}, {"category", "date"}}},
	{"Procedure", [][]string{{}, {"date"}, {"status"}, {"code", "date"}}},
	{"QuestionnaireResponse", [][]string{{}, {"_id"}, {"authored"}, {"status"}, {"questionnaire"}}},
	{"ServiceRequest", [][]string{{}, {"_id"}, {"category"}, {"code"}, {"category", "authored"}, {"status"}, {"code", "authored"}}},
	{"Specimen", [][]string{{}, {"_id"}}},
}

// usKitPaths are the elements each parameter reads, as the US Core 6.1
// SearchParameters define them, and the kind of value.
var usKitPaths = map[string]struct{ path, kind string }{
	"clinical-status": {"clinicalStatus", "token"}, "category": {"category", "token"}, "status": {"status", "token"},
	"code": {"code", "token"}, "type": {"type", "token"}, "class": {"class", "token"}, "intent": {"intent", "token"},
	"role": {"participant.role", "token"}, "lifecycle-status": {"lifecycleStatus", "token"}, "identifier": {"identifier", "token"},
	"discharge-disposition": {"hospitalization.dischargeDisposition", "token"}, "_id": {"id", "token"},
	"questionnaire": {"questionnaire", "token"},
	"date":          {"effectiveDateTime|period|performedDateTime|occurrenceDateTime|date", "date"},
	"recorded-date": {"recordedDate", "date"}, "onset-date": {"onsetDateTime", "date"}, "target-date": {"target.dueDate", "date"},
	"authoredon": {"authoredOn", "date"}, "authored": {"authoredOn|authored", "date"}, "period": {"context.period", "date"},
	"abatement-date": {"abatementDateTime", "date"}, "encounter": {"encounter", "reference"},
}

// usKitScopes are the scopes the kit asks for, v1.
var usKitScopes = []string{"openid", "fhirUser", "launch/patient", "offline_access", "patient/*.read"}

func TestUSCoreKitSearches(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser07", Members: 40})
	// Generated members 7..39 between them hold every type and every
	// element searched: each combination is searched for the first
	// members whose resources carry its values.
	kits := map[string]*kit{}
	kitOf := func(t *testing.T, n int) *kit {
		user := "BCNCUser" + itoa2(n)
		if kits[user] == nil {
			kits[user] = newKit(t, sb, user, usKitScopes)
		}
		return kits[user]
	}
	for _, s := range usKitSearches {
		t.Run(s.typ, func(t *testing.T) {
			revincluded := false
			for _, combo := range s.combos {
				done := 0
				for n := 7; n < 40 && done < 3; n++ {
					k := kitOf(t, n)
					first := k.usSearch(t, s.typ, url.Values{"patient": {k.patient}})
					if len(first) > 0 && !revincluded {
						k.usRevinclude(t, s.typ)
						revincluded = true
					}
					for _, picked := range first {
						if done < 3 && usHasAll(picked, combo) {
							k.usCombo(t, s.typ, combo, picked)
							done++
						}
					}
				}
				if done == 0 {
					t.Errorf("no %s of members 7..39 has values for %v", s.typ, combo)
				}
			}
		})
	}
}

// usHasAll reports whether r has a value for every parameter of combo.
func usHasAll(r map[string]any, combo []string) bool {
	for _, name := range combo {
		p := usKitPaths[name]
		if len(usValues(r, p.path, p.kind)) == 0 {
			return false
		}
	}
	return true
}

func itoa2(n int) string { return fmt.Sprintf("%02d", n) }

// usSearch runs one search, follows up to 20 pages and returns the
// matches, each decoded into a map; every body must be valid R4.
func (k *kit) usSearch(t *testing.T, typ string, q url.Values) []map[string]any {
	t.Helper()
	next := fhirPath + "/" + typ + "?" + q.Encode()
	var out []map[string]any
	for page := 0; next != "" && page < 20; page++ {
		status, body := k.sb.get(t, next, k.token)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", next, status, body)
		}
		if err := r4check.ValidateResource(body, false); err != nil {
			t.Fatalf("%s: not valid R4: %v", next, err)
		}
		var b struct {
			Link  []struct{ Relation, URL string }
			Entry []struct {
				Resource map[string]any
				Search   struct{ Mode string }
			}
		}
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entry {
			if e.Search.Mode == "match" {
				out = append(out, e.Resource)
			}
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, _ := url.Parse(l.URL)
				next = u.RequestURI()
			}
		}
	}
	return out
}

// usCombo searches typ by the member and combo, each value taken from
// picked, and checks every result and that picked is among them.
func (k *kit) usCombo(t *testing.T, typ string, combo []string, picked map[string]any) {
	t.Helper()
	q := url.Values{"patient": {k.patient}, "_count": {"50"}}
	want := map[string]string{}
	for _, name := range combo {
		p := usKitPaths[name]
		v := usValues(picked, p.path, p.kind)
		if len(v) == 0 {
			t.Fatalf("%s/%v has no %s to search by", typ, picked["id"], name)
		}
		want[name] = v[0]
		if p.kind == "date" {
			day, _ := time.Parse(time.DateOnly, v[0][:10])
			q.Set(name, "ge"+day.AddDate(0, 0, -1).Format(time.DateOnly))
			continue
		}
		q.Set(name, v[0])
	}
	results := k.usSearch(t, typ, q)
	found := false
	for _, r := range results {
		found = found || r["id"] == picked["id"]
		if ref, _ := usRef(r, "patient|subject|beneficiary"); ref != "Patient/"+k.patient {
			t.Errorf("%s?%s: %v is of %q", typ, q.Encode(), r["id"], ref)
		}
		for _, name := range combo {
			p := usKitPaths[name]
			got := usValues(r, p.path, p.kind)
			if p.kind == "date" {
				if !slices.ContainsFunc(got, func(d string) bool { return usNotBefore(d, want[name]) }) && !usOpenPeriod(r, p.path) {
					t.Errorf("%s?%s: %v has %s %v, more than two days before %s", typ, q.Encode(), r["id"], name, got, want[name])
				}
			} else if !slices.Contains(got, want[name]) {
				t.Errorf("%s?%s: %v has %s %v", typ, q.Encode(), r["id"], name, got)
			}
		}
	}
	if !found {
		t.Errorf("%s?%s: %v, whose values these are, is not among the %d results", typ, q.Encode(), picked["id"], len(results))
	}
}

// usRevinclude checks _revinclude=Provenance:target on typ: every match
// is the target of an included Provenance naming the plan as transmitter,
// and every included Provenance targets a match.
func (k *kit) usRevinclude(t *testing.T, typ string) {
	t.Helper()
	q := url.Values{"patient": {k.patient}, "_revinclude": {"Provenance:target"}, "_count": {"20"}}
	status, body := k.sb.get(t, fhirPath+"/"+typ+"?"+q.Encode(), k.token)
	if status != http.StatusOK {
		t.Fatalf("%s revinclude: %d %s", typ, status, body)
	}
	var b struct {
		Entry []struct {
			Resource map[string]any
			Search   struct{ Mode string }
		}
	}
	json.Unmarshal(body, &b)
	matches, targeted := map[string]bool{}, map[string]bool{}
	provenances := 0
	for _, e := range b.Entry {
		if e.Search.Mode == "match" {
			matches[typ+"/"+e.Resource["id"].(string)] = true
			continue
		}
		if e.Resource["resourceType"] != "Provenance" {
			t.Errorf("%s revinclude included a %v", typ, e.Resource["resourceType"])
			continue
		}
		provenances++
		raw, _ := json.Marshal(e.Resource)
		if !strings.Contains(string(raw), `"code":"transmitter"`) || !strings.Contains(string(raw), `"Organization/bcbsnc"`) {
			t.Errorf("%s: Provenance %v names no plan transmitter", typ, e.Resource["id"])
		}
		ok := false
		for _, ref := range usValues(e.Resource, "target", "reference") {
			targeted[ref] = true
			ok = ok || matches[ref]
		}
		if !ok {
			t.Errorf("%s: Provenance %v targets none of the page's matches", typ, e.Resource["id"])
		}
	}
	for m := range matches {
		if !targeted[m] {
			t.Errorf("%s: %s has no Provenance", typ, m)
		}
	}
	if provenances == 0 {
		t.Errorf("%s?_revinclude=Provenance:target included no Provenance", typ)
	}
}

// usValues reads the values of the "|"-separated paths in r, as the
// server's search compares them: a token as system|code (or the code or
// string itself), a date as written, a reference as Type/id.
func usValues(r map[string]any, paths, kind string) []string {
	var out []string
	for _, p := range strings.Split(paths, "|") {
		for _, v := range r4check.Walk(r, strings.Split(p, ".")) {
			switch x := v.(type) {
			case string:
				out = append(out, x)
			case map[string]any:
				switch {
				case kind == "reference":
					if s, ok := x["reference"].(string); ok {
						out = append(out, s)
					}
				case kind == "date":
					if s, ok := x["start"].(string); ok {
						out = append(out, s)
					}
				case x["coding"] != nil:
					for _, c := range x["coding"].([]any) {
						cm := c.(map[string]any)
						out = append(out, cm["system"].(string)+"|"+cm["code"].(string))
					}
				case x["code"] != nil:
					out = append(out, x["system"].(string)+"|"+x["code"].(string))
				case x["value"] != nil:
					out = append(out, x["system"].(string)+"|"+x["value"].(string))
				}
			}
		}
	}
	return out
}

func usRef(r map[string]any, paths string) (string, bool) {
	v := usValues(r, paths, "reference")
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// usNotBefore reports whether date a is no more than two days before b
// (a day search compares in the server's calendar).
func usNotBefore(a, b string) bool {
	ta, ea := usTime(a)
	tb, eb := usTime(b)
	return ea == nil && eb == nil && !ta.Before(tb.Add(-48*time.Hour))
}

// usOpenPeriod reports whether r's element at paths is a Period without
// an end: ongoing, it matches every ge search.
func usOpenPeriod(r map[string]any, paths string) bool {
	for _, p := range strings.Split(paths, "|") {
		for _, v := range r4check.Walk(r, strings.Split(p, ".")) {
			if m, ok := v.(map[string]any); ok && m["end"] == nil {
				return true
			}
		}
	}
	return false
}

func usTime(s string) (time.Time, error) {
	if len(s) == 10 {
		return time.Parse(time.DateOnly, s)
	}
	return time.Parse(time.RFC3339Nano, s)
}

// TestUSCoreKitPatientAndDirectorySearches: the Patient searches the kit
// sends (_id, identifier, name, birthdate+name, gender+name,
// birthdate+family, family+gender), a name no member has, and the
// Organization, Practitioner, Location and PractitionerRole searches,
// each value from a resource the member's records reference.
func TestUSCoreKitPatientAndDirectorySearches(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser07", Members: 40})
	k := newKit(t, sb, "BCNCUser09", usKitScopes)
	status, body := k.sb.get(t, fhirPath+"/Patient/"+k.patient, k.token)
	if status != http.StatusOK {
		t.Fatalf("Patient read: %d", status)
	}
	var p struct {
		BirthDate, Gender string
		Name              []struct {
			Family string
			Given  []string
		}
	}
	json.Unmarshal(body, &p)
	family, given := p.Name[0].Family, p.Name[0].Given[0]
	for name, q := range map[string]url.Values{
		"name":             {"name": {family}},
		"given name":       {"name": {strings.ToLower(given)}},
		"birthdate+name":   {"birthdate": {p.BirthDate}, "name": {family}},
		"gender+name":      {"gender": {p.Gender}, "name": {family}},
		"birthdate+family": {"birthdate": {p.BirthDate}, "family": {family}},
		"family+gender":    {"family": {family}, "gender": {p.Gender}},
		"_id":              {"_id": {k.patient}},
	} {
		got := k.usSearch(t, "Patient", q)
		if len(got) != 1 || got[0]["id"] != k.patient {
			t.Errorf("Patient %s (%v): %d results", name, q, len(got))
		}
	}
	for name, q := range map[string]url.Values{
		"no such name":     {"name": {"Zzqxnosuchname"}},
		"other birthdate":  {"birthdate": {"1800-01-01"}, "name": {family}},
		"other gender":     {"gender": {map[string]string{"male": "female", "female": "male"}[p.Gender]}, "name": {family}},
		"family not given": {"family": {given + "zz"}},
	} {
		if got := k.usSearch(t, "Patient", q); len(got) != 0 {
			t.Errorf("Patient %s (%v): %d results, want 0", name, q, len(got))
		}
	}

	// The directory: values from the first of each type the member holds.
	directory := []struct {
		typ    string
		params map[string]string // parameter → "|"-separated paths
		kind   string
	}{
		{"Organization", map[string]string{"name": "name", "address": "address.city"}, "string"},
		{"Practitioner", map[string]string{"name": "name.family", "identifier": "identifier"}, ""},
		{"Location", map[string]string{"name": "name", "address": "address.city", "address-city": "address.city", "address-state": "address.state", "address-postalcode": "address.postalCode"}, "string"},
		{"PractitionerRole", map[string]string{"specialty": "specialty", "practitioner": "practitioner"}, ""},
	}
	for _, d := range directory {
		all := k.usSearch(t, d.typ, url.Values{"_count": {"50"}})
		if len(all) == 0 {
			t.Fatalf("the member references no %s", d.typ)
		}
		picked := all[len(all)-1]
		for param, path := range d.params {
			kind := "token"
			if param == "practitioner" {
				kind = "reference"
			}
			v := usValues(picked, path, kind)
			if len(v) == 0 {
				t.Fatalf("%s/%v has no %s", d.typ, picked["id"], param)
			}
			got := k.usSearch(t, d.typ, url.Values{param: {v[0]}})
			found := false
			for _, r := range got {
				found = found || r["id"] == picked["id"]
				raw, _ := json.Marshal(r)
				if !strings.Contains(strings.ToLower(string(raw)), strings.ToLower(strings.TrimPrefix(v[0][strings.LastIndex(v[0], "|")+1:], ""))) {
					t.Errorf("%s?%s=%s: %v does not hold the value", d.typ, param, v[0], r["id"])
				}
			}
			if !found {
				t.Errorf("%s?%s=%s: %v is not among the %d results", d.typ, param, v[0], picked["id"], len(got))
			}
		}
		if got := k.usSearch(t, d.typ, url.Values{firstKey(d.params): {"Zzqxnosuch"}}); len(got) != 0 {
			t.Errorf("%s?%s=Zzqxnosuch: %d results, want 0", d.typ, firstKey(d.params), len(got))
		}
	}
}

func firstKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[0]
}
