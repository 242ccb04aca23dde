package profile

import (
	"strconv"
	"strings"
	"testing"
)

func TestZeroValueIsTheDefault(t *testing.T) {
	var p Profile
	if p != BCBSNC || p.String() != "bcbsnc" {
		t.Fatalf("zero value is %v, want bcbsnc", p)
	}
	if All()[0] != BCBSNC {
		t.Errorf("All() starts with %v, want the default first", All()[0])
	}
}

// TestEveryProfileIsNamedOnce fails when a profile is added to the
// constants but not to the table of names, or two share a name.
func TestEveryProfileIsNamedOnce(t *testing.T) {
	if len(All()) != int(count) {
		t.Fatalf("All() lists %d profiles, want %d", len(All()), count)
	}
	seen := map[string]bool{}
	for _, p := range All() {
		t.Run(strconv.Itoa(int(p)), func(t *testing.T) {
			name := p.String()
			if name == "" || p.Summary() == "" {
				t.Fatalf("profile %d has name %q and summary %q; both are required", p, name, p.Summary())
			}
			if seen[name] {
				t.Fatalf("two profiles are named %q", name)
			}
			seen[name] = true
			got, err := Parse(name)
			if err != nil || got != p {
				t.Errorf("Parse(%q) = %v, %v; want %v", name, got, err, p)
			}
			quoted := strconv.Quote(name)
			if !strings.Contains(Names(), quoted) {
				t.Errorf("Names() %q lacks %s", Names(), quoted)
			}
			if !strings.Contains(Help(), quoted+" ("+p.Summary()+")") {
				t.Errorf("Help() %q lacks %s with its summary", Help(), quoted)
			}
		})
	}
}

func TestParseRejectsOtherNames(t *testing.T) {
	for _, name := range []string{"", "BCBSNC", "Strict", " strict", "lenient", "Profile(2)"} {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(name)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", name, p)
			}
			for _, q := range All() {
				if !strings.Contains(err.Error(), strconv.Quote(q.String())) {
					t.Errorf("error %q does not list %q", err, q)
				}
			}
		})
	}
}

func TestOutOfRangeIsInvalid(t *testing.T) {
	p := Profile(count)
	if p.Valid() || p.String() != "Profile("+strconv.Itoa(int(count))+")" || p.Summary() != "" {
		t.Errorf("Profile(count): valid %v, name %q, summary %q", p.Valid(), p.String(), p.Summary())
	}
	for _, q := range All() {
		if !q.Valid() {
			t.Errorf("%v is not valid", q)
		}
	}
}

// TestListsReadAsASentence: "a, b or c", each name once, in All's order.
func TestListsReadAsASentence(t *testing.T) {
	var quoted []string
	for _, p := range All() {
		quoted = append(quoted, strconv.Quote(p.String()))
	}
	want := quoted[0]
	if n := len(quoted); n > 1 {
		want = strings.Join(quoted[:n-1], ", ") + " or " + quoted[n-1]
	}
	if Names() != want {
		t.Errorf("Names() = %q, want %q", Names(), want)
	}
	if got := Help(); !strings.HasPrefix(got, `"bcbsnc" (as the vendor docs describe)`) || strings.Count(got, " or ") != 1 {
		t.Errorf("Help() = %q", got)
	}
}
