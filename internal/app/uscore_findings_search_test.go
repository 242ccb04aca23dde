package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// The US Core test kit's searches of the Observation profiles and of the
// encounter-diagnosis Condition (inferno-framework/us-core-test-kit,
// v6.1.0 groups, each profile's metadata.yml :searches), with values
// taken from a resource of the profile a member holds, every result
// checked against every parameter, and the resource the values came from
// among the results.

// usFindingProfiles are the profiles searched, by the name of their
// StructureDefinition.
var usFindingProfiles = []string{
	"us-core-smokingstatus", "us-core-observation-screening-assessment", "us-core-observation-occupation",
	"us-core-observation-pregnancystatus", "us-core-observation-pregnancyintent", "us-core-observation-sexual-orientation",
	"us-core-observation-clinical-result", "us-core-body-height", "us-core-body-temperature", "us-core-respiratory-rate",
	"us-core-pulse-oximetry", "us-core-observation-lab", "us-core-blood-pressure", "us-core-bmi", "us-core-body-weight",
	"us-core-heart-rate",
}

// usDatePrefixes are the comparators the kit sends for Observation date
// (SHALL gt, ge, lt, le) and eq, each with the value it derives from the
// resource's effective time.
var usDatePrefixes = []struct {
	prefix string
	shift  time.Duration
}{{"eq", 0}, {"ge", 0}, {"le", 0}, {"gt", -24 * time.Hour}, {"lt", 24 * time.Hour}}

func TestUSCoreKitFindingSearches(t *testing.T) {
	// The first member with a pregnancy status is member 65: few members
	// are women under 50.
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser07", Members: 70})
	kits := map[int]*kit{}
	kitOf := func(n int) *kit {
		if kits[n] == nil {
			kits[n] = newKit(t, sb, "BCNCUser"+itoa2(n), usKitScopes)
		}
		return kits[n]
	}
	// found holds, by profile, a member's kit and one resource of it.
	type found struct {
		k *kit
		r map[string]any
	}
	byProfile := map[string]found{}
	var dxFound *found
	for n := 7; n < 70 && (len(byProfile) < len(usFindingProfiles) || dxFound == nil); n++ {
		k := kitOf(n)
		for _, r := range k.usSearch(t, "Observation", url.Values{"patient": {k.patient}, "_count": {"50"}}) {
			for _, p := range usValues(r, "meta.profile", "") {
				name := p[strings.LastIndex(p, "/")+1:]
				if _, ok := byProfile[name]; !ok {
					byProfile[name] = found{k, r}
				}
			}
		}
		if dxFound == nil {
			if dx := k.usSearch(t, "Condition", url.Values{"patient": {k.patient}, "category": {"encounter-diagnosis"}}); len(dx) > 0 {
				// One that resolved, so that abatement-date has a value.
				i := slices.IndexFunc(dx, func(r map[string]any) bool { return r["abatementDateTime"] != nil })
				if i >= 0 {
					dxFound = &found{k, dx[i]}
				}
			}
		}
	}
	for _, name := range usFindingProfiles {
		t.Run(name, func(t *testing.T) {
			f, ok := byProfile[name]
			if !ok {
				t.Fatalf("no member of 7..69 holds an Observation of %s", name)
			}
			k, r := f.k, f.r
			category := usValues(r, "category", "token")
			code := usValues(r, "code", "token")
			for _, combo := range [][]string{{"category"}, {"code"}, {"category", "status"}} {
				k.usCombo(t, "Observation", combo, r)
			}
			// Each category and code by itself, bare and system|code.
			for _, c := range append(slices.Clone(category), code...) {
				bare := c[strings.LastIndex(c, "|")+1:]
				param := "code"
				if slices.Contains(category, c) {
					param = "category"
				}
				k.usFindingSearch(t, url.Values{param: {bare}}, r, func(got map[string]any) bool {
					return slices.ContainsFunc(usValues(got, param, "token"), func(v string) bool { return strings.HasSuffix(v, "|"+bare) })
				})
			}
			for _, p := range usDatePrefixes {
				for _, with := range []string{"category", "code"} {
					q := url.Values{with: {usValues(r, with, "token")[0]}}
					if v, ok := usDateValue(r, p.prefix, p.shift); ok {
						q.Set("date", v)
					} else {
						continue
					}
					f := parseR4Filter(t, q.Get("date"))
					k.usFindingSearch(t, q, r, func(got map[string]any) bool {
						return slices.Contains(usValues(got, with, "token"), q.Get(with)) && usEffectiveMatches(f, got)
					})
				}
			}
		})
	}

	t.Run("code OR", func(t *testing.T) {
		// Two profiles' codes OR'd: both resources come back, every
		// result has one of the codes (the kit's multiple-or check).
		a, b := byProfile["us-core-smokingstatus"], byProfile["us-core-body-height"]
		if a.k != b.k {
			for _, name := range []string{"us-core-body-temperature", "us-core-respiratory-rate", "us-core-pulse-oximetry"} {
				if f := byProfile[name]; f.k == a.k {
					b = f
				}
			}
		}
		if a.k == nil || a.k != b.k {
			t.Skip("no member holds both a smoking status and a new vital sign")
		}
		codes := []string{usValues(a.r, "code", "token")[0], usValues(b.r, "code", "token")[0]}
		got := a.k.usSearch(t, "Observation", url.Values{"patient": {a.k.patient}, "code": {strings.Join(codes, ",")}, "_count": {"50"}})
		ids := map[any]bool{}
		for _, r := range got {
			ids[r["id"]] = true
			if !slices.ContainsFunc(usValues(r, "code", "token"), func(v string) bool { return slices.Contains(codes, v) }) {
				t.Errorf("code=%s: %v has codes %v", strings.Join(codes, ","), r["id"], usValues(r, "code", "token"))
			}
		}
		if !ids[a.r["id"]] || !ids[b.r["id"]] {
			t.Errorf("code=%s: %v and %v not both among %d results", strings.Join(codes, ","), a.r["id"], b.r["id"], len(got))
		}
	})

	t.Run("Condition encounter-diagnosis", func(t *testing.T) {
		if dxFound == nil {
			t.Fatal("no member of 7..69 holds a resolved encounter diagnosis")
		}
		k, r := dxFound.k, dxFound.r
		for _, combo := range [][]string{{"category"}, {"category", "encounter"}, {"category", "clinical-status"}, {"code"}, {"onset-date"}, {"recorded-date"}, {"abatement-date"}, {"clinical-status"}} {
			k.usCombo(t, "Condition", combo, r)
		}
		// The encounter's claim: the diagnosis's code is one the
		// Encounter's reason or the claim lists.
		enc := usValues(r, "encounter", "reference")[0]
		status, body := k.sb.get(t, fhirPath+"/"+enc, k.token)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", enc, status)
		}
		var e map[string]any
		json.Unmarshal(body, &e)
		number := usValues(e, "identifier", "token")[0]
		number = number[strings.LastIndex(number, "|")+1:]
		eobs := k.usSearch(t, "ExplanationOfBenefit", url.Values{"patient": {k.patient}, "identifier": {number}})
		if len(eobs) != 1 {
			t.Fatalf("claim %s of %s: %d EOBs", number, enc, len(eobs))
		}
		dxCodes := usValues(eobs[0], "diagnosis.diagnosisCodeableConcept", "token")
		if !slices.ContainsFunc(usValues(r, "code", "token"), func(c string) bool { return slices.Contains(dxCodes, c) }) {
			t.Errorf("%v codes %v, claim %s diagnoses %v", r["id"], usValues(r, "code", "token"), number, dxCodes)
		}
		for _, p := range []string{"eq", "ge", "le"} {
			day := r["abatementDateTime"].(string)
			f := parseR4Filter(t, p+day)
			k.usFindingSearchOf(t, "Condition", url.Values{"abatement-date": {p + day}}, r, func(got map[string]any) bool {
				v, _ := got["abatementDateTime"].(string)
				return f.date(v)
			})
		}
	})
}

// usFindingSearch searches Observation by the member and q, and checks
// that want is among the results and that each result satisfies ok.
func (k *kit) usFindingSearch(t *testing.T, q url.Values, want map[string]any, ok func(map[string]any) bool) {
	t.Helper()
	k.usFindingSearchOf(t, "Observation", q, want, ok)
}

func (k *kit) usFindingSearchOf(t *testing.T, typ string, q url.Values, want map[string]any, ok func(map[string]any) bool) {
	t.Helper()
	q.Set("patient", k.patient)
	q.Set("_count", "50")
	got := k.usSearch(t, typ, q)
	found := false
	for _, r := range got {
		found = found || r["id"] == want["id"]
		if !ok(r) {
			t.Errorf("%s?%s: %v does not satisfy the search", typ, q.Encode(), r["id"])
		}
	}
	if !found {
		t.Errorf("%s?%s: %v is not among the %d results", typ, q.Encode(), want["id"], len(got))
	}
}

// usDateValue is the kit's date value for prefix from r's effective time:
// the instant itself, moved by shift; false when r has no effectiveDateTime
// (an occupation's period is searched by category and code alone).
func usDateValue(r map[string]any, prefix string, shift time.Duration) (string, bool) {
	v, _ := r["effectiveDateTime"].(string)
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return "", false
	}
	return prefix + at.Add(shift).Format(time.RFC3339), true
}

// usEffectiveMatches applies f to r's effective time or period.
func usEffectiveMatches(f r4Filter, r map[string]any) bool {
	if v, ok := r["effectiveDateTime"].(string); ok {
		return f.date(v)
	}
	if p, ok := r["effectivePeriod"].(map[string]any); ok {
		start, _ := p["start"].(string)
		end, _ := p["end"].(string)
		return f.period(&kitPeriod{Start: start, End: end})
	}
	return false
}

// TestUSCoreKitIncludes: the _include values of the US Core 6.1 server
// CapabilityStatement the kit sends (MedicationDispense:medication,
// MedicationRequest:medication, CareTeam:participant with each target
// type, PractitionerRole:practitioner): every resource included is one a
// match references through the parameter, every such reference the member
// holds is included, and search mode tells them apart.
func TestUSCoreKitIncludes(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser07", Members: 40})
	cases := []struct {
		name, typ, include, path string
		member                   bool // the search names the member
		wantIncluded             bool // the members searched hold resources it includes
	}{
		{"MedicationDispense:medication", "MedicationDispense", "MedicationDispense:medication", "medicationReference", true, true},
		{"MedicationRequest:medication", "MedicationRequest", "MedicationRequest:medication", "medicationReference", true, false},
		{"CareTeam:participant", "CareTeam", "CareTeam:participant", "participant.member", true, true},
		{"CareTeam:participant:Practitioner", "CareTeam", "CareTeam:participant:Practitioner", "participant.member", true, true},
		{"CareTeam:participant:Patient", "CareTeam", "CareTeam:participant:Patient", "participant.member", true, true},
		{"CareTeam:participant:PractitionerRole", "CareTeam", "CareTeam:participant:PractitionerRole", "participant.member", true, false},
		{"CareTeam:participant:RelatedPerson", "CareTeam", "CareTeam:participant:RelatedPerson", "participant.member", true, false},
		{"PractitionerRole:practitioner", "PractitionerRole", "PractitionerRole:practitioner", "practitioner", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, target, _ := strings.Cut(strings.TrimPrefix(tc.include, tc.typ+":"), ":")
			included := 0
			for n := 7; n < 40 && included == 0; n++ {
				k := newKit(t, sb, "BCNCUser"+itoa2(n), usKitScopes)
				q := url.Values{"_include": {tc.include}, "_count": {"50"}}
				if tc.member {
					q.Set("patient", k.patient)
				}
				status, body := k.sb.get(t, fhirPath+"/"+tc.typ+"?"+q.Encode(), k.token)
				if status != http.StatusOK {
					t.Fatalf("%s?%s: %d %s", tc.typ, q.Encode(), status, body)
				}
				var b struct {
					Entry []struct {
						Resource map[string]any
						Search   struct{ Mode string }
					}
				}
				json.Unmarshal(body, &b)
				referenced, got := map[string]bool{}, map[string]bool{}
				for _, e := range b.Entry {
					ref := e.Resource["resourceType"].(string) + "/" + e.Resource["id"].(string)
					switch e.Search.Mode {
					case "match":
						if e.Resource["resourceType"] != tc.typ {
							t.Errorf("a %s matched", e.Resource["resourceType"])
						}
						for _, r := range usValues(e.Resource, tc.path, "reference") {
							if target == "" || strings.HasPrefix(r, target+"/") {
								referenced[r] = true
							}
						}
					case "include":
						got[ref] = true
						included++
					default:
						t.Errorf("%s has search mode %q", ref, e.Search.Mode)
					}
				}
				for ref := range got {
					if !referenced[ref] {
						t.Errorf("%s?%s included %s, which no match references through %s", tc.typ, q.Encode(), ref, tc.path)
					}
				}
				for ref := range referenced {
					if !got[ref] && (strings.HasPrefix(ref, "Medication/") || strings.HasPrefix(ref, "Practitioner/") || strings.HasPrefix(ref, "Patient/")) {
						t.Errorf("%s?%s: %s is referenced but not included", tc.typ, q.Encode(), ref)
					}
				}
			}
			if tc.wantIncluded && included == 0 {
				t.Errorf("no search of members 7..39 included anything")
			}
			if !tc.wantIncluded && included != 0 {
				t.Errorf("%d resources included; none is referenced", included)
			}
		})
	}
}
