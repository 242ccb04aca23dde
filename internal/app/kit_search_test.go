package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// The searches of the CARIN Blue Button 2.0.0 test kit
// (inferno-framework/carin-for-blue-button-test-kit, its v2.0.0 groups),
// performed the way the kit performs them: the first search by the
// patient, every later value taken from what a search served, each result
// checked against the parameter as the kit checks it, up to 20 pages
// followed. Every body is validated as R4.

// kitScopes are the scopes the kit requests; its SMART scopes test
// requires each granted.
var kitScopes = []string{"openid", "fhirUser", "launch/patient", "offline_access",
	"patient/ExplanationOfBenefit.read", "patient/Coverage.read", "patient/Patient.read", "patient/Organization.read", "patient/Practitioner.read",
	"user/ExplanationOfBenefit.read", "user/Coverage.read", "user/Patient.read", "user/Organization.read", "user/Practitioner.read"}

// kitMembers together hold every C4BB ExplanationOfBenefit profile the
// generator writes.
var kitMembers = []string{"BCNCUser03", "BCNCUser04", "BCNCUser05", "BCNCUser06", "BCNCUser07", "BCNCUser08"}

// The C4BB 2.0.0 ExplanationOfBenefit profiles (the kit's EOB groups).
const c4bbProfiles = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/"

var kitEOBProfiles = []string{
	c4bbProfiles + "C4BB-ExplanationOfBenefit-Inpatient-Institutional",
	c4bbProfiles + "C4BB-ExplanationOfBenefit-Outpatient-Institutional",
	c4bbProfiles + "C4BB-ExplanationOfBenefit-Pharmacy",
	c4bbProfiles + "C4BB-ExplanationOfBenefit-Professional-NonClinician",
}

// TestCARINKitSearches runs the kit's search sequence for every member of
// kitMembers, in both profiles, with the token the kit asks for; then with
// user/ scopes alone, v1 and v2, for BCNCUser06, whose claims span every
// profile.
func TestCARINKitSearches(t *testing.T) {
	for _, prof := range []string{"bcbsnc", "strict"} {
		t.Run(prof, func(t *testing.T) {
			sb := startSandbox(t, sandboxOptions{Profile: prof, AutoApprove: "BCNCUser03"})
			profiles := map[string]bool{}
			for _, user := range kitMembers {
				t.Run(user, func(t *testing.T) {
					k := newKit(t, sb, user, kitScopes)
					for p := range k.run() {
						profiles[p] = true
					}
				})
			}
			for _, p := range kitEOBProfiles {
				if !profiles[p] {
					t.Errorf("no member's claims are of %s", p)
				}
			}
			for name, scopes := range map[string][]string{
				"user v1": {"openid", "fhirUser", "user/*.read"},
				"user v2": {"openid", "fhirUser", "user/ExplanationOfBenefit.rs", "user/Coverage.rs", "user/Patient.rs", "user/Organization.rs", "user/Practitioner.rs"},
			} {
				t.Run(name, func(t *testing.T) {
					newKit(t, sb, "BCNCUser06", scopes).run()
				})
			}
		})
	}
}

// kit is one client of the sandbox as the kit drives it.
type kit struct {
	t       *testing.T
	sb      *sandbox
	token   string
	patient string
	strict  bool
}

// newKit authorizes user for scopes as the kit does and checks that every
// scope asked was granted (the kit's "SMART scopes" test).
func newKit(t *testing.T, sb *sandbox, user string, scopes []string) *kit {
	t.Helper()
	// S256 PKCE, as the kit sends it and profile strict requires.
	const verifier = "kit-verifier-0123456789abcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(verifier))
	code := sb.mintCode(t, docsApp, user, url.Values{"scope": {strings.Join(scopes, " ")},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}})
	status, tok, raw := sb.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsApp.redirect},
		"client_id": {docsApp.id}, "client_secret": {docsApp.secret}, "code_verifier": {verifier}}, "")
	if status != http.StatusOK {
		t.Fatalf("token: %d %s", status, raw)
	}
	granted := strings.Fields(tok.Scope)
	for _, s := range scopes {
		if !slices.Contains(granted, s) {
			t.Errorf("asked %s, granted %q", s, tok.Scope)
		}
	}
	return &kit{t: t, sb: sb, token: tok.AccessToken, patient: tok.Patient, strict: sb.strictProfile(t)}
}

// strictProfile reports whether the sandbox answers errors as
// OperationOutcomes.
func (sb *sandbox) strictProfile(t *testing.T) bool {
	status, body := sb.get(t, fhirPath+"/Patient/none", "")
	return status == http.StatusUnauthorized && strings.Contains(string(body), "OperationOutcome")
}

// kitEntry is one entry of a searchset, its resource decoded as far as the
// kit's checks read it.
type kitEntry struct {
	FullURL  string      `json:"fullUrl"`
	Resource kitResource `json:"resource"`
	Search   struct{ Mode string }
}

type kitRef struct{ Reference string }

type kitPeriod struct{ Start, End string }

type kitCoding struct{ System, Code string }

type kitResource struct {
	ResourceType string
	ID           string
	Meta         struct {
		LastUpdated string
		Profile     []string
	}
	Identifier     []struct{ System, Value string }
	Type           json.RawMessage
	Patient        kitRef
	Provider       kitRef
	Insurer        kitRef
	Payee          struct{ Party kitRef }
	CareTeam       []struct{ Provider kitRef }
	Insurance      []struct{ Coverage kitRef }
	Payor          []kitRef
	BillablePeriod *kitPeriod
	Item           []kitItem
}

type kitItem struct {
	ServicedDate   string
	ServicedPeriod *kitPeriod
}

func (r *kitResource) ref() string { return r.ResourceType + "/" + r.ID }

// codings are the codings of ExplanationOfBenefit.type.
func (r *kitResource) codings() []kitCoding {
	var cc struct{ Coding []kitCoding }
	json.Unmarshal(r.Type, &cc)
	return cc.Coding
}

// refs are the references of an include parameter's path, as the kit's
// include_parameters name them.
func (r *kitResource) refs(param string) []string {
	var out []string
	add := func(ref kitRef) {
		if ref.Reference != "" {
			out = append(out, ref.Reference)
		}
	}
	switch param {
	case "patient":
		add(r.Patient)
	case "provider":
		add(r.Provider)
	case "care-team":
		for _, c := range r.CareTeam {
			add(c.Provider)
		}
	case "coverage":
		for _, in := range r.Insurance {
			add(in.Coverage)
		}
	case "insurer":
		add(r.Insurer)
	case "payee":
		add(r.Payee.Party)
	case "payor":
		for _, p := range r.Payor {
			add(p)
		}
	}
	return out
}

// search performs GET {typ}?{params} and follows next for up to 20 pages
// (the kit's extract_resources_from_bundle), validating every page as R4.
func (k *kit) search(typ string, params url.Values) []kitEntry {
	k.t.Helper()
	var out []kitEntry
	target := fhirPath + "/" + typ + "?" + params.Encode()
	for page := 0; target != "" && page < 20; page++ {
		status, body := k.sb.get(k.t, target, k.token)
		if status != http.StatusOK {
			k.t.Fatalf("GET %s: %d %s", target, status, body)
		}
		if err := r4check.Validate(body); err != nil {
			k.t.Fatalf("GET %s: invalid R4: %v", target, err)
		}
		var b struct {
			Type  string
			Total *int
			Link  []struct{ Relation, URL string }
			Entry []kitEntry
		}
		if err := json.Unmarshal(body, &b); err != nil {
			k.t.Fatal(err)
		}
		if b.Type != "searchset" || b.Total == nil {
			k.t.Fatalf("GET %s: not a searchset with a total", target)
		}
		out = append(out, b.Entry...)
		target = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, err := url.Parse(l.URL)
				if err != nil {
					k.t.Fatal(err)
				}
				target = u.RequestURI()
			}
		}
	}
	return out
}

// matches are the entries of search.mode match, which must be of typ.
func (k *kit) matches(typ string, entries []kitEntry) []kitResource {
	k.t.Helper()
	var out []kitResource
	for _, e := range entries {
		if e.Search.Mode == "match" {
			if e.Resource.ResourceType != typ {
				k.t.Errorf("a %s matched a %s search", e.Resource.ResourceType, typ)
			}
			out = append(out, e.Resource)
		}
	}
	return out
}

// expect runs a search that must return want among its matches (when want
// is not ""), each of which satisfies ok (the kit's
// check_resource_against_params).
func (k *kit) expect(typ string, params url.Values, want string, ok func(r *kitResource) bool) []kitResource {
	k.t.Helper()
	got := k.matches(typ, k.search(typ, params))
	found := false
	for i := range got {
		if got[i].ID == want {
			found = true
		}
		if !ok(&got[i]) {
			k.t.Errorf("%s?%s returned %s, which does not match", typ, params.Encode(), got[i].ref())
		}
	}
	if !found && want != "" {
		k.t.Errorf("%s?%s did not return %s/%s", typ, params.Encode(), typ, want)
	}
	return got
}

// run performs the kit's sequence and returns the profiles of the claims
// it searched.
func (k *kit) run() map[string]bool {
	t := k.t
	// ExplanationOfBenefit: the first search is by the patient.
	eobs := k.expect("ExplanationOfBenefit", url.Values{"patient": {k.patient}}, "", func(r *kitResource) bool {
		return r.Patient.Reference == "Patient/"+k.patient
	})
	if len(eobs) == 0 {
		t.Fatal("the member has no claims")
	}
	byProfile := map[string]*kitResource{}
	for i := range eobs {
		if p := eobs[i].Meta.Profile; len(p) > 0 && byProfile[p[0]] == nil {
			byProfile[p[0]] = &eobs[i]
		}
	}
	for profile, r := range byProfile {
		t.Run(profile[strings.LastIndexByte(profile, '/')+1:], func(t *testing.T) {
			k := *k
			k.t = t
			k.eobSearches(r)
			for _, inc := range []string{"patient", "provider", "care-team", "coverage", "insurer", "payee", "*"} {
				k.eobInclude(r, inc)
			}
		})
	}
	k.typeErrors()
	k.coverage(eobs)
	k.patientSearches()
	for _, typ := range []string{"Organization", "Practitioner"} {
		k.directory(typ, eobs)
	}
	profiles := map[string]bool{}
	for p := range byProfile {
		profiles[p] = true
	}
	return profiles
}

// eobSearches are the kit's ExplanationOfBenefit searches with values taken
// from r: _id, _lastUpdated, type, identifier and the three claim dates.
func (k *kit) eobSearches(r *kitResource) {
	t := k.t
	const typ = "ExplanationOfBenefit"
	k.expect(typ, url.Values{"_id": {r.ID}}, r.ID, func(x *kitResource) bool { return x.ID == r.ID })
	k.expect(typ, url.Values{"_lastUpdated": {r.Meta.LastUpdated}}, r.ID, func(x *kitResource) bool {
		return kitDateMatch(r.Meta.LastUpdated, x.Meta.LastUpdated)
	})
	codings := r.codings()
	if len(codings) == 0 {
		t.Fatalf("%s has no type coding", r.ref())
	}
	// The kit sends the first coding's code without its system; with
	// include_system it sends system|code.
	k.expect(typ, url.Values{"type": {codings[0].Code}}, r.ID, func(x *kitResource) bool {
		return slices.ContainsFunc(x.codings(), func(c kitCoding) bool { return strings.EqualFold(c.Code, codings[0].Code) })
	})
	for _, c := range codings {
		k.expect(typ, url.Values{"type": {c.System + "|" + c.Code}}, r.ID, func(x *kitResource) bool {
			return slices.Contains(x.codings(), c)
		})
	}
	if len(r.Identifier) == 0 {
		t.Fatalf("%s has no identifier", r.ref())
	}
	id := r.Identifier[0]
	k.expect(typ, url.Values{"identifier": {id.Value}}, r.ID, func(x *kitResource) bool {
		return slices.ContainsFunc(x.Identifier, func(i struct{ System, Value string }) bool { return i.Value == id.Value })
	})
	k.expect(typ, url.Values{"identifier": {id.System + "|" + id.Value}}, r.ID, func(x *kitResource) bool {
		return slices.Contains(x.Identifier, id)
	})
	if r.BillablePeriod == nil || r.BillablePeriod.Start == "" {
		t.Fatalf("%s has no billablePeriod.start", r.ref())
	}
	// service-date: the kit's process_period_element, gt a day before the start.
	start, err := time.Parse(time.DateOnly, r.BillablePeriod.Start[:10])
	if err != nil {
		t.Fatal(err)
	}
	gt := "gt" + start.AddDate(0, 0, -1).Format("2006-01-02T15:04:05+00:00")
	k.expect(typ, url.Values{"service-date": {gt}}, r.ID, func(x *kitResource) bool { return serviceDateMatch(gt, x) })
	k.expect(typ, url.Values{"service-start-date": {r.BillablePeriod.Start}}, r.ID, func(x *kitResource) bool {
		return serviceStartMatch(r.BillablePeriod.Start, x)
	})
	k.expect(typ, url.Values{"billable-period-start": {r.BillablePeriod.Start}}, r.ID, func(x *kitResource) bool {
		return x.BillablePeriod != nil && kitDateMatch(r.BillablePeriod.Start, x.BillablePeriod.Start)
	})
}

// eobInclude is the kit's include search: _id of r and _include of param.
// Each included resource of a target type is referenced by r through the
// parameter's paths (the kit's validate_included_resources), and, beyond
// the kit, each reference of those paths is included, once.
func (k *kit) eobInclude(r *kitResource, param string) {
	t := k.t
	value := "ExplanationOfBenefit:" + param
	paths := []string{param}
	if param == "*" {
		paths = []string{"patient", "provider", "care-team", "coverage", "insurer", "payee"}
	}
	entries := k.search("ExplanationOfBenefit", url.Values{"_id": {r.ID}, "_include": {value}})
	base := k.matches("ExplanationOfBenefit", entries)
	if len(base) != 1 || base[0].ID != r.ID {
		t.Fatalf("%s: %d matches", value, len(base))
	}
	k.checkIncluded(value, &base[0], paths, entries)
	if param == "*" {
		// The kit's ExplanationOfBenefit:* check: at least five references
		// through patient, provider, careTeam.provider, insurance.coverage
		// and insurer.
		n := 0
		for _, p := range paths[:5] {
			n += len(base[0].refs(p))
		}
		if n < 5 {
			t.Errorf("%s references %d resources through the kit's five paths, want 5 or more", r.ref(), n)
		}
	}
}

// checkIncluded checks the include entries of a search whose one match is
// base: each once, search.mode include, referenced through paths, and every
// such reference included.
func (k *kit) checkIncluded(value string, base *kitResource, paths []string, entries []kitEntry) {
	t := k.t
	want := map[string]bool{}
	for _, p := range paths {
		for _, ref := range base.refs(p) {
			want[ref] = true
		}
	}
	got := map[string]bool{}
	for _, e := range entries {
		if e.Search.Mode != "include" {
			continue
		}
		ref := e.Resource.ref()
		switch {
		case got[ref]:
			t.Errorf("%s: %s included twice", value, ref)
		case !want[ref]:
			t.Errorf("%s: %s is included, but %s does not reference it through %v", value, ref, base.ref(), paths)
		case !strings.HasSuffix(e.FullURL, fhirPath+"/"+ref):
			t.Errorf("%s: fullUrl %s for %s", value, e.FullURL, ref)
		}
		got[ref] = true
	}
	for ref := range want {
		if !got[ref] {
			t.Errorf("%s: %s references %s through %v, which is not included", value, base.ref(), ref, paths)
		}
	}
}

// typeErrors: a type that matches no code of any served system is the docs'
// 400, in the profile's error shape; type=oral is served.
func (k *kit) typeErrors() {
	status, body := k.sb.get(k.t, fhirPath+"/ExplanationOfBenefit?type=dental", k.token)
	want := `{"detail": "not a valid value"}`
	if k.strict {
		want = `"diagnostics":"not a valid value"`
	}
	if status != http.StatusBadRequest || !strings.Contains(string(body), want) {
		k.t.Errorf("type=dental: %d %s, want 400 with %s", status, body, want)
	}
	for _, e := range k.matches("ExplanationOfBenefit", k.search("ExplanationOfBenefit", url.Values{"type": {"oral"}})) {
		if !slices.ContainsFunc(e.codings(), func(c kitCoding) bool { return c.Code == "oral" }) {
			k.t.Errorf("type=oral returned %s", e.ref())
		}
	}
}

// coverage: the kit's Coverage searches, with the id of a Coverage a claim
// references: _id, _lastUpdated and _include=Coverage:payor.
func (k *kit) coverage(eobs []kitResource) {
	t := k.t
	var id string
	for _, r := range eobs {
		for _, ref := range r.refs("coverage") {
			if rest, ok := strings.CutPrefix(ref, "Coverage/"); ok && id == "" {
				id = rest
			}
		}
	}
	if id == "" {
		t.Fatal("no claim references a Coverage")
	}
	got := k.expect("Coverage", url.Values{"_id": {id}}, id, func(x *kitResource) bool { return x.ID == id })
	lu := got[0].Meta.LastUpdated
	k.expect("Coverage", url.Values{"_lastUpdated": {lu}}, id, func(x *kitResource) bool { return kitDateMatch(lu, x.Meta.LastUpdated) })
	entries := k.search("Coverage", url.Values{"_id": {id}, "_include": {"Coverage:payor"}})
	base := k.matches("Coverage", entries)
	if len(base) != 1 {
		t.Fatalf("Coverage:payor: %d matches", len(base))
	}
	if len(base[0].refs("payor")) == 0 {
		t.Errorf("Coverage/%s has no payor reference", id)
	}
	k.checkIncluded("Coverage:payor", &base[0], []string{"payor"}, entries)
}

// patientSearches: the kit's Patient searches, _id of the patient and the
// _lastUpdated it was served with.
func (k *kit) patientSearches() {
	got := k.expect("Patient", url.Values{"_id": {k.patient}}, k.patient, func(x *kitResource) bool { return x.ID == k.patient })
	lu := got[0].Meta.LastUpdated
	k.expect("Patient", url.Values{"_lastUpdated": {lu}}, k.patient, func(x *kitResource) bool { return kitDateMatch(lu, x.Meta.LastUpdated) })
}

// directory: the kit's Organization and Practitioner searches, _id of one
// a claim references (the kit's delayed references) and its _lastUpdated.
func (k *kit) directory(typ string, eobs []kitResource) {
	t := k.t
	var id string
	for _, r := range eobs {
		for _, p := range []string{"insurer", "provider", "payee", "care-team"} {
			for _, ref := range r.refs(p) {
				if rest, ok := strings.CutPrefix(ref, typ+"/"); ok && id == "" {
					id = rest
				}
			}
		}
	}
	if id == "" {
		t.Fatalf("no claim references a %s", typ)
	}
	got := k.expect(typ, url.Values{"_id": {id}}, id, func(x *kitResource) bool { return x.ID == id })
	lu := got[0].Meta.LastUpdated
	k.expect(typ, url.Values{"_lastUpdated": {lu}}, id, func(x *kitResource) bool { return kitDateMatch(lu, x.Meta.LastUpdated) })
}

// --- the kit's date checks (its DateSearchValidation) ---------------------

// kitRange is the kit's get_fhir_datetime_range: a date from its first to
// its last second, a dateTime the instant itself.
func kitRange(v string) (lo, hi time.Time, ok bool) {
	for _, l := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	} {
		if len(v) == len(l.layout) {
			t, err := time.Parse(l.layout, v)
			return t, l.next(t).Add(-time.Second), err == nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, t, err == nil
}

func isKitDate(v string) bool { return len(v) <= 10 }

// kitCompare is the kit's fhir_date_comparer over closed ranges; a nil
// target bound is open. ap is R4's overlap, which the sandbox serves.
func kitCompare(sLo, sHi time.Time, tLo, tHi *time.Time, prefix string, extendStart, extendEnd bool) bool {
	day := 24 * time.Hour
	switch prefix {
	case "eq":
		return tLo != nil && tHi != nil && !sLo.After(*tLo) && !sHi.Before(*tHi)
	case "ne":
		return tLo == nil || tHi == nil || sLo.After(*tLo) || sHi.Before(*tHi)
	case "gt":
		return tHi == nil || sHi.Before(*tHi) || (extendEnd && sHi.Before(tHi.Add(day)))
	case "lt":
		return tLo == nil || sLo.After(*tLo) || (extendStart && sLo.After(tLo.Add(-day)))
	case "ge":
		return kitCompare(sLo, sHi, tLo, tHi, "gt", extendStart, extendEnd) || kitCompare(sLo, sHi, tLo, tHi, "eq", false, false)
	case "le":
		return kitCompare(sLo, sHi, tLo, tHi, "lt", extendStart, extendEnd) || kitCompare(sLo, sHi, tLo, tHi, "eq", false, false)
	case "sa":
		return tLo != nil && sHi.Before(*tLo)
	case "eb":
		return tHi != nil && sLo.After(*tHi)
	case "ap":
		return (tLo == nil || !sHi.Before(*tLo)) && (tHi == nil || !sLo.After(*tHi))
	}
	return false
}

func cutPrefix(search string) (prefix, value string) {
	if len(search) > 2 && search[0] >= 'a' && search[0] <= 'z' {
		return search[:2], search[2:]
	}
	return "eq", search
}

// kitDateMatch is the kit's validate_datetime_search of a date or dateTime
// target.
func kitDateMatch(search, target string) bool {
	prefix, value := cutPrefix(search)
	sLo, sHi, ok1 := kitRange(value)
	tLo, tHi, ok2 := kitRange(target)
	if !ok1 || !ok2 {
		return false
	}
	extend := !isKitDate(value) && isKitDate(target)
	return kitCompare(sLo, sHi, &tLo, &tHi, prefix, extend, extend)
}

// kitPeriodMatch is the kit's validate_period_search.
func kitPeriodMatch(search string, p *kitPeriod) bool {
	prefix, value := cutPrefix(search)
	sLo, sHi, ok := kitRange(value)
	if !ok || p == nil {
		return false
	}
	var tLo, tHi *time.Time
	if p.Start != "" {
		lo, _, ok := kitRange(p.Start)
		if !ok {
			return false
		}
		tLo = &lo
	}
	if p.End != "" {
		_, hi, ok := kitRange(p.End)
		if !ok {
			return false
		}
		tHi = &hi
	}
	dated := !isKitDate(value)
	return kitCompare(sLo, sHi, tLo, tHi, prefix, dated && isKitDate(p.Start), dated && isKitDate(p.End))
}

// serviceDateMatch: service-date reads billablePeriod and item.serviced[x].
func serviceDateMatch(search string, r *kitResource) bool {
	if kitPeriodMatch(search, r.BillablePeriod) {
		return true
	}
	for _, it := range r.Item {
		if (it.ServicedDate != "" && kitDateMatch(search, it.ServicedDate)) || kitPeriodMatch(search, it.ServicedPeriod) {
			return true
		}
	}
	return false
}

// serviceStartMatch: service-start-date reads billablePeriod.start,
// item.servicedDate and item.servicedPeriod.start.
func serviceStartMatch(search string, r *kitResource) bool {
	if r.BillablePeriod != nil && kitDateMatch(search, r.BillablePeriod.Start) {
		return true
	}
	for _, it := range r.Item {
		if it.ServicedDate != "" && kitDateMatch(search, it.ServicedDate) {
			return true
		}
		if it.ServicedPeriod != nil && it.ServicedPeriod.Start != "" && kitDateMatch(search, it.ServicedPeriod.Start) {
			return true
		}
	}
	return false
}

// --- beyond the kit: every prefix, and completeness ------------------------

// TestClaimDatePrefixes searches BCNCUser06's claims by each date parameter
// with every prefix and a value of every precision, and requires exactly
// the claims the prefix's R4 rule selects, each also passing the kit's
// check.
func TestClaimDatePrefixes(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser06"})
	k := newKit(t, sb, "BCNCUser06", []string{"patient/ExplanationOfBenefit.rs"})
	eobs := k.matches("ExplanationOfBenefit", k.search("ExplanationOfBenefit", url.Values{"_count": {"50"}}))
	pick := eobs[len(eobs)/2]
	day := pick.BillablePeriod.Start
	values := []string{day[:4], day[:7], day, day + "T12:00:00-05:00"}
	lu := pick.Meta.LastUpdated
	params := []struct {
		name   string
		values []string
		check  func(search string, r *kitResource) bool // the kit's
		oracle func(f r4Filter, r *kitResource) bool
	}{
		{"service-date", values, serviceDateMatch, func(f r4Filter, r *kitResource) bool {
			return f.period(r.BillablePeriod) || slices.ContainsFunc(r.Item, func(it kitItem) bool {
				return f.date(it.ServicedDate) || f.period(it.ServicedPeriod)
			})
		}},
		{"service-start-date", values, serviceStartMatch, func(f r4Filter, r *kitResource) bool {
			return f.date(r.BillablePeriod.Start) || slices.ContainsFunc(r.Item, func(it kitItem) bool {
				return f.date(it.ServicedDate) || it.ServicedPeriod != nil && f.date(it.ServicedPeriod.Start)
			})
		}},
		{"billable-period-start", values, func(s string, r *kitResource) bool { return kitDateMatch(s, r.BillablePeriod.Start) },
			func(f r4Filter, r *kitResource) bool { return f.date(r.BillablePeriod.Start) }},
		{"_lastUpdated", []string{lu[:4], lu[:7], lu[:10], lu}, func(s string, r *kitResource) bool { return kitDateMatch(s, r.Meta.LastUpdated) },
			func(f r4Filter, r *kitResource) bool { return f.instant(r.Meta.LastUpdated) }},
	}
	prefixes := []string{"", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"}
	for _, p := range params {
		// The sweep must tell claims apart: some search of each parameter
		// finds some of the claims but not all.
		partial := false
		defer func() {
			if !partial {
				t.Errorf("%s: every search found none or all of the %d claims", p.name, len(eobs))
			}
		}()
		for _, v := range p.values {
			for _, prefix := range prefixes {
				search := prefix + v
				t.Run(p.name+"="+search, func(t *testing.T) {
					k := *k
					k.t = t
					f := parseR4Filter(t, search)
					var want []string
					for i := range eobs {
						if p.oracle(f, &eobs[i]) {
							want = append(want, eobs[i].ID)
						}
					}
					var got []string
					for _, r := range k.matches("ExplanationOfBenefit", k.search("ExplanationOfBenefit", url.Values{p.name: {search}, "_count": {"50"}})) {
						got = append(got, r.ID)
						if !p.check(search, &r) {
							t.Errorf("%s returned, but the kit's check refuses it", r.ref())
						}
					}
					slices.Sort(got)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("got %d claims, want %d: %q, want %q", len(got), len(want), got, want)
					}
					if len(want) > 0 && len(want) < len(eobs) {
						partial = true
					}
				})
			}
		}
	}
}

// r4Filter is a date search value as R4 Search reads it: a prefix and the
// half-open range of the value at its precision.
type r4Filter struct {
	prefix string
	lo, hi time.Time
}

func parseR4Filter(t *testing.T, search string) r4Filter {
	t.Helper()
	prefix, value := cutPrefix(search)
	lo, hi, ok := r4Range(value)
	if !ok {
		t.Fatalf("bad value %q", value)
	}
	return r4Filter{prefix, lo, hi}
}

// r4Range is the half-open range of a date or dateTime at its precision.
func r4Range(v string) (lo, hi time.Time, ok bool) {
	switch len(v) {
	case 4, 7, 10:
		lo, hi, ok = kitRange(v)
		return lo, hi.Add(time.Second), ok
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, t, false
	}
	unit := time.Second
	if dot := strings.IndexByte(v, '.'); dot > 0 {
		end := dot + 1
		for end < len(v) && v[end] >= '0' && v[end] <= '9' {
			end++
			unit /= 10
		}
	}
	return t, t.Add(unit), true
}

// match applies the R4 prefix rule to a target [tlo, thi).
func (f r4Filter) match(tlo, thi time.Time) bool {
	eq := !tlo.Before(f.lo) && !thi.After(f.hi)
	switch f.prefix {
	case "ne":
		return !eq
	case "gt":
		return thi.After(f.hi)
	case "lt":
		return tlo.Before(f.lo)
	case "ge":
		return thi.After(f.hi) || eq
	case "le":
		return tlo.Before(f.lo) || eq
	case "sa":
		return !tlo.Before(f.hi)
	case "eb":
		return !thi.After(f.lo)
	case "ap":
		return tlo.Before(f.hi) && f.lo.Before(thi)
	}
	return eq
}

func (f r4Filter) date(v string) bool {
	lo, hi, ok := r4Range(v)
	return v != "" && ok && f.match(lo, hi)
}

// instant: meta.lastUpdated is compared as the instant itself.
func (f r4Filter) instant(v string) bool {
	t, err := time.Parse(time.RFC3339Nano, v)
	return err == nil && f.match(t, t.Add(time.Nanosecond))
}

func (f r4Filter) period(p *kitPeriod) bool {
	if p == nil || p.Start == "" && p.End == "" {
		return false
	}
	lo, hi := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.Start != "" {
		l, _, ok := r4Range(p.Start)
		if !ok {
			return false
		}
		lo = l
	}
	if p.End != "" {
		_, h, ok := r4Range(p.End)
		if !ok {
			return false
		}
		hi = h
	}
	return f.match(lo, hi)
}

// TestClaimListsAndTokens: comma lists are OR in _id, identifier and type;
// identifier takes system|value, |value and value alone.
func TestClaimListsAndTokens(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser06"})
	k := newKit(t, sb, "BCNCUser06", []string{"patient/ExplanationOfBenefit.rs"})
	eobs := k.matches("ExplanationOfBenefit", k.search("ExplanationOfBenefit", url.Values{"_count": {"50"}}))
	a, b := eobs[0], eobs[len(eobs)-1]
	ida, idb := a.Identifier[0], b.Identifier[0]
	cases := []struct {
		name   string
		params url.Values
		want   []string
	}{
		{"_id list", url.Values{"_id": {a.ID + "," + b.ID}}, []string{a.ID, b.ID}},
		{"_id repeated is AND", url.Values{"_id": {a.ID, b.ID}}, nil},
		{"_id of another member's claim", url.Values{"_id": {"carrier-22011027731"}}, nil},
		{"identifier list", url.Values{"identifier": {ida.Value + "," + idb.System + "|" + idb.Value}}, []string{a.ID, b.ID}},
		{"identifier without a system", url.Values{"identifier": {"|" + ida.Value}}, nil},
		{"identifier of another system", url.Values{"identifier": {"http://example.com|" + ida.Value}}, nil},
		{"type and _id", url.Values{"_id": {a.ID + "," + b.ID}, "type": {a.codings()[0].System + "|" + a.codings()[0].Code}}, nil},
	}
	// The last case keeps whichever of a and b has a's first coding.
	for _, r := range []kitResource{a, b} {
		if slices.Contains(r.codings(), a.codings()[0]) {
			cases[len(cases)-1].want = append(cases[len(cases)-1].want, r.ID)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := *k
			k.t = t
			var got []string
			for _, r := range k.matches("ExplanationOfBenefit", k.search("ExplanationOfBenefit", tc.params)) {
				got = append(got, r.ID)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestIncludeWalk pages the docs' 148 claims with every include: total
// counts the claims, each claim comes once, and every page carries its
// includes after its matches, once each.
func TestIncludeWalk(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser04"})
	k := newKit(t, sb, "BCNCUser04", []string{"patient/*.read"})
	seen := map[string]bool{}
	pages := 0
	for target := fhirPath + "/ExplanationOfBenefit?_include=ExplanationOfBenefit:*"; target != ""; pages++ {
		status, body := sb.get(t, target, k.token)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", target, status)
		}
		if err := r4check.Validate(body); err != nil {
			t.Fatal(err)
		}
		var b struct {
			Total int
			Link  []struct{ Relation, URL string }
			Entry []kitEntry
		}
		json.Unmarshal(body, &b)
		if b.Total != 148 {
			t.Fatalf("total %d, want 148", b.Total)
		}
		onPage, included := map[string]bool{}, 0
		for _, e := range b.Entry {
			ref := e.Resource.ref()
			if onPage[ref] {
				t.Errorf("page %d: %s twice", pages, ref)
			}
			onPage[ref] = true
			switch {
			case e.Search.Mode == "include":
				included++
			case included > 0:
				t.Errorf("page %d: the match %s follows an included resource", pages, ref)
			case seen[ref]:
				t.Errorf("%s on two pages", ref)
			default:
				seen[ref] = true
			}
		}
		if included == 0 {
			t.Errorf("page %d includes nothing", pages)
		}
		target = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, _ := url.Parse(l.URL)
				target = u.RequestURI()
			}
		}
	}
	if len(seen) != 148 || pages != 15 {
		t.Errorf("%d claims in %d pages, want 148 in 15", len(seen), pages)
	}
}

// TestIncludeWithheldPatient: a member who withholds personal information
// grants no Patient scope, so no search includes the Patient; the other
// included types still come.
func TestIncludeWithheldPatient(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	back := sb.consent(t, member{username: "BCNCUser03", password: "BCNCPSWD03", withholdPersonal: true})
	status, tok := sb.docsTokenCall(t, codeFrom(t, back, "test"), docsRedir)
	if status != http.StatusOK {
		t.Fatalf("token: %d %+v", status, tok)
	}
	k := &kit{t: t, sb: sb, token: tok.AccessToken, patient: tok.Patient}
	types := map[string]int{}
	for _, e := range k.search("ExplanationOfBenefit", url.Values{"_include": {"ExplanationOfBenefit:*", "ExplanationOfBenefit:patient"}}) {
		types[e.Resource.ResourceType]++
	}
	if types["Patient"] != 0 || types["Coverage"] == 0 || types["Organization"] == 0 || types["ExplanationOfBenefit"] == 0 {
		t.Errorf("included %v: want no Patient, and the claims' Coverage and Organizations", types)
	}
}

// TestRelatedPersonSearches: the kit's RelatedPerson searches, _id and
// _lastUpdated, with a representative's token find the representative;
// with the member's own token, none.
func TestRelatedPersonSearches(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	rel := representative.Relationships()[0]
	back := sb.consent(t, member{username: "BCNCUser05", password: "BCNCPSWD05", representative: rel.Display, repName: "Pat Q Rep"})
	status, tok := sb.docsTokenCall(t, codeFrom(t, back, "test"), docsRedir)
	if status != http.StatusOK {
		t.Fatalf("token: %d %+v", status, tok)
	}
	fhirUser, _ := jwtClaims(t, tok.IDToken)["fhirUser"].(string)
	_, id, ok := strings.Cut(fhirUser[strings.Index(fhirUser, "RelatedPerson/"):], "/")
	if !ok {
		t.Fatalf("fhirUser %q", fhirUser)
	}
	k := &kit{t: t, sb: sb, token: tok.AccessToken, patient: tok.Patient}
	got := k.expect("RelatedPerson", url.Values{"_id": {id}}, id, func(x *kitResource) bool { return x.ID == id })
	lu := got[0].Meta.LastUpdated
	k.expect("RelatedPerson", url.Values{"_lastUpdated": {lu}}, id, func(x *kitResource) bool { return kitDateMatch(lu, x.Meta.LastUpdated) })
	self := newKit(t, startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser05"}), "BCNCUser05", []string{"patient/*.read"})
	if n := len(self.search("RelatedPerson", url.Values{"_id": {id}})); n != 0 {
		t.Errorf("the member's own token found %d RelatedPerson", n)
	}
}

// TestCapabilityIncludesAreServed: the CapabilityStatement's searchInclude
// of each type is the route table's, each value is served (a strict search
// with it, which refuses an _include not served, finds the type's
// resources), no type lists a searchRevInclude but Provenance:target, and
// c4bb is instantiated. BCNCUser06's claims span every C4BB profile; the
// docs' frozen accounts hold no US Core types beyond the first ones, so
// a generated member's records (BCNCUser07) serve those.
func TestCapabilityIncludesAreServed(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Profile: "strict", AutoApprove: "BCNCUser06"})
	kits := []*kit{newKit(t, sb, "BCNCUser06", []string{"patient/*.read"}), newKit(t, sb, "BCNCUser07", []string{"patient/*.read"})}
	status, body := sb.get(t, fhirPath+"/metadata", "")
	if status != http.StatusOK {
		t.Fatalf("metadata: %d", status)
	}
	var cs struct {
		Instantiates []string
		Rest         []struct {
			Resource []struct {
				Type             string
				SearchInclude    []string
				SearchRevInclude []string
			}
		}
	}
	if err := json.Unmarshal(body, &cs); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cs.Instantiates, "http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb") {
		t.Errorf("instantiates %q", cs.Instantiates)
	}
	table := map[string][]string{}
	for _, ti := range fhir.Types() {
		table[ti.Name] = ti.Includes
	}
	listed := 0
	for _, r := range cs.Rest[0].Resource {
		if !slices.Equal(r.SearchInclude, table[r.Type]) {
			t.Errorf("%s lists searchInclude %q, the route table %q", r.Type, r.SearchInclude, table[r.Type])
		}
		if len(r.SearchRevInclude) > 0 && !slices.Equal(r.SearchRevInclude, []string{"Provenance:target"}) {
			t.Errorf("%s lists searchRevInclude %q; only Provenance:target is served (TestUSCoreKitSearches)", r.Type, r.SearchRevInclude)
		}
		for _, inc := range r.SearchInclude {
			listed++
			matched := 0
			for _, k := range kits {
				entries := k.search(r.Type, url.Values{"_include": {inc}, "_count": {"5"}})
				matched += len(k.matches(r.Type, entries))
			}
			if matched == 0 {
				t.Errorf("%s?_include=%s matched nothing", r.Type, inc)
			}
		}
	}
	if listed < 9 {
		t.Errorf("%d includes listed; c4bb names 7 for ExplanationOfBenefit and Coverage:payor", listed)
	}
}
