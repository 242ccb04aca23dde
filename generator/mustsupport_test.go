package generator

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The must-support lists of the CARIN Blue Button 2.0.0 profiles are
// checked in under testdata/c4bb-must-support, one file a profile, each
// saying where it came from; slices.txt says how each slice is told apart
// and not-served.txt names the elements no generated record carries, with
// the reason. The test below reads them and looks for every element in the
// resources of a generated population.

const mustSupportDir = "testdata/c4bb-must-support"

// mustSupportPopulation is the population searched: members 1..300 of seed 1.
const mustSupportMembers = 300

// mustSupportList is one profile's list: which resources it applies to and
// its element paths, e.g. "ExplanationOfBenefit.item.adjudication:allowedunits.value".
type mustSupportList struct {
	name     string // file name without .txt, e.g. eob_oral
	profile  string // meta.profile the resources carry, or ""
	resource string // else the resource type it applies to
	elements []string
}

func (l *mustSupportList) applies(typ string, profiles []string) bool {
	if l.profile != "" {
		return slices.Contains(profiles, l.profile)
	}
	return typ == l.resource
}

// sliceRule tells the members of one slice apart: the element of the
// sliced element that discriminates and the values that select it; kind
// "element" instead names the choice type ("servicedDate") that is the slice.
type sliceRule struct {
	kind   string // category, type, system, url or element
	values []string
}

func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(mustSupportDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func readMustSupportLists(t *testing.T) []*mustSupportList {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(mustSupportDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var lists []*mustSupportList
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if name == "slices" || name == "not-served" {
			continue
		}
		l := &mustSupportList{name: name}
		for _, line := range readLines(t, name+".txt") {
			switch key, rest, _ := strings.Cut(line, " "); key {
			case "profile":
				l.profile = rest
			case "resource":
				l.resource = rest
			default:
				l.elements = append(l.elements, line)
			}
		}
		if (l.profile == "") == (l.resource == "") || len(l.elements) == 0 {
			t.Fatalf("%s: want one profile or resource line and some elements", f)
		}
		lists = append(lists, l)
	}
	if len(lists) != 11 {
		t.Fatalf("%d must-support lists, want the 11 profiles of C4BB 2.0.0", len(lists))
	}
	return lists
}

func readSliceRules(t *testing.T) map[string]sliceRule {
	t.Helper()
	rules := map[string]sliceRule{}
	for _, line := range readLines(t, "slices.txt") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("slices.txt: %q", line)
		}
		rules[f[0]] = sliceRule{kind: f[1], values: strings.Split(f[2], ",")}
	}
	return rules
}

// readNotServed maps "list element" to the reason no generated resource
// carries the element.
func readNotServed(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range readLines(t, "not-served.txt") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 || strings.TrimSpace(f[2]) == "" {
			t.Fatalf("not-served.txt: %q wants a list, an element and a reason", line)
		}
		out[f[0]+" "+f[1]] = f[2]
	}
	return out
}

// field returns obj's values of name: "deceased[x]" is any deceasedXxx.
// Arrays are flattened.
func field(obj map[string]any, name string) []any {
	var vals []any
	if choice, ok := strings.CutSuffix(name, "[x]"); ok {
		for k, v := range obj {
			if rest, ok := strings.CutPrefix(k, choice); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
				vals = append(vals, v)
			}
		}
	} else if v, ok := obj[name]; ok {
		vals = append(vals, v)
	}
	var out []any
	for _, v := range vals {
		if a, ok := v.([]any); ok {
			out = append(out, a...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// codes lists a CodeableConcept's codings as system|code.
func codes(v any) []string {
	cc, _ := v.(map[string]any)
	var out []string
	for _, c := range field(cc, "coding") {
		if m, ok := c.(map[string]any); ok {
			s, _ := m["system"].(string)
			code, _ := m["code"].(string)
			out = append(out, s+"|"+code)
		}
	}
	return out
}

// matches reports whether v is in the slice rule selects.
func (r sliceRule) matches(v map[string]any) bool {
	switch r.kind {
	case "category", "type":
		return slices.ContainsFunc(codes(v[r.kind]), func(c string) bool { return slices.Contains(r.values, c) })
	case "system", "url":
		s, _ := v[r.kind].(string)
		return slices.Contains(r.values, s)
	}
	return false
}

// present reports whether res has the element at path (its resource type
// first), slices resolved with rules.
func present(t *testing.T, res map[string]any, path string, rules map[string]sliceRule) bool {
	segs := strings.Split(path, ".")
	cur := []any{res}
	prefix := segs[0]
	for _, seg := range segs[1:] {
		name, slice, sliced := strings.Cut(seg, ":")
		prefix += "." + name
		var rule sliceRule
		if sliced {
			var ok bool
			if rule, ok = rules[prefix+":"+slice]; !ok {
				t.Fatalf("%s: slice %s:%s is not in slices.txt", path, prefix, slice)
			}
		}
		var next []any
		for _, c := range cur {
			obj, ok := c.(map[string]any)
			if !ok {
				continue
			}
			if sliced && rule.kind == "element" {
				next = append(next, field(obj, rule.values[0])...)
				continue
			}
			for _, v := range field(obj, name) {
				if m, ok := v.(map[string]any); sliced && (!ok || !rule.matches(m)) {
					continue
				}
				next = append(next, v)
			}
		}
		if len(next) == 0 {
			return false
		}
		cur = next
		if sliced {
			prefix += ":" + slice
		}
	}
	return true
}

// TestMustSupportElementsPresent: every must-support element of every
// C4BB 2.0.0 profile is in at least one resource of the generated
// population that claims the profile, unless not-served.txt says why no
// generated record carries it; and none of those is carried after all.
func TestMustSupportElementsPresent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 300 members")
	}
	if raceEnabled {
		// Some elements are rare (compound fills: a handful in the 300
		// members), so a smaller population would not do, and the race
		// detector has nothing to find in reading JSON; .ci/run runs this
		// test again without -race.
		t.Skip("run without -race (.ci/run does)")
	}
	lists := readMustSupportLists(t)
	rules := readSliceRules(t)
	notServed := readNotServed(t)
	for key := range notServed {
		list, element, _ := strings.Cut(key, " ")
		if !slices.ContainsFunc(lists, func(l *mustSupportList) bool { return l.name == list && slices.Contains(l.elements, element) }) {
			t.Errorf("not-served.txt names %s, which is no element of list %s", element, list)
		}
	}
	found := map[string]string{}  // "list element" -> a resource that has it
	resources := map[string]int{} // list -> resources it applies to
	g := New(1)
	members := mustSupportMembers
	for n := 1; n <= members; n++ {
		for _, r := range g.Build(Spec{Number: n}).Resources {
			var res map[string]any
			if err := json.Unmarshal(r.JSON, &res); err != nil {
				t.Fatal(err)
			}
			var profiles []string
			if meta, ok := res["meta"].(map[string]any); ok {
				for _, p := range field(meta, "profile") {
					s, _ := p.(string)
					profiles = append(profiles, s)
				}
			}
			for _, l := range lists {
				if !l.applies(r.Type, profiles) {
					continue
				}
				resources[l.name]++
				for _, e := range l.elements {
					key := l.name + " " + e
					if _, done := found[key]; done {
						continue
					}
					if present(t, res, e, rules) {
						found[key] = r.Type + "/" + r.ID
					}
				}
			}
		}
	}
	for _, l := range lists {
		for _, e := range l.elements {
			key := l.name + " " + e
			reason, excused := notServed[key]
			switch at, ok := found[key]; {
			case ok && excused:
				t.Errorf("%s: %s is in %s, but not-served.txt says %q", l.name, e, at, reason)
			case !ok && !excused:
				t.Errorf("%s: no resource of members 1..%d (%d claim the profile) has %s", l.name, members, resources[l.name], e)
			}
		}
	}
}
