package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/finder"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// Account numbers the finder looks at: the docs' BCNCUser03 and up.
const firstAccount = 3

// newFinder is the member finder over every account of this sandbox. The
// docs' four accounts come from the catalog; generated members are built
// by a generator of their own, so a search does not push the members
// clients are reading out of the catalog's cache. It shows members as the
// seed makes them, without the control API's edits.
func newFinder(seed int64, members int, catalog *fixtures.Catalog) *finder.Finder {
	gen := generator.New(seed)
	return finder.New(firstAccount, members+6, slices.Clone(generator.ClaimTypes), func(n int) (finder.Summary, bool) {
		var m *generator.Member
		if n <= 6 {
			var ok bool
			if m, ok = catalog.ByUsername(fmt.Sprintf("BCNCUser%02d", n)); !ok {
				return finder.Summary{}, false
			}
		} else {
			m = gen.Build(generator.Spec{Number: n})
		}
		return summarize(m), true
	})
}

// summarize counts what member m holds.
func summarize(m *generator.Member) finder.Summary {
	s := finder.Summary{
		Username: m.Username, Password: m.Password, PatientID: m.PatientID,
		Name: m.GivenName + " " + m.FamilyName, BirthDate: m.BirthDate,
		Claims: map[string]int{}, Resources: map[string]int{}, Conditions: []string{},
	}
	for i := range m.Resources {
		r := &m.Resources[i]
		s.Resources[r.Type]++
		switch r.Type {
		case "ExplanationOfBenefit":
			s.Claims[r.ClaimType]++
		case "Condition":
			if c := conditionName(r.JSON); c != "" && !slices.Contains(s.Conditions, c) {
				s.Conditions = append(s.Conditions, c)
			}
		}
	}
	return s
}

// conditionName is a Condition's "display (code, code)", every coding's
// code, so a search by SNOMED CT or ICD-10 code finds it.
func conditionName(raw []byte) string {
	var c struct {
		Code struct {
			Text   string `json:"text"`
			Coding []struct {
				Code    string `json:"code"`
				Display string `json:"display"`
			} `json:"coding"`
		} `json:"code"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	name := c.Code.Text
	var codes []string
	for _, cd := range c.Code.Coding {
		if name == "" {
			name = cd.Display
		}
		codes = append(codes, cd.Code)
	}
	if len(codes) == 0 {
		return name
	}
	return name + " (" + strings.Join(codes, ", ") + ")"
}

// grantConsents answers the finder's consent cases from the live grants
// of s, one sandbox's (the root's or a workspace's) authorization server.
func grantConsents(s *oauth.Server) finder.Consents {
	return func(patient string) finder.Consent {
		var c finder.Consent
		grants, err := s.Grants(patient, "")
		if err != nil {
			return c
		}
		for _, g := range grants {
			c.Representative = c.Representative || g.Representative != ""
			c.WithheldDemographics = c.WithheldDemographics || !readsPersonal(g.Scopes)
		}
		return c
	}
}

// readsPersonal reports whether granted scopes open any of the member's
// personal information: the profile scope, or Patient by type or by
// wildcard, in either SMART context. The health-data-only choice grants
// none of these (README, "Tokens").
func readsPersonal(scopes []string) bool {
	for _, s := range scopes {
		if s == "profile" {
			return true
		}
		context, rest, ok := strings.Cut(s, "/")
		if !ok || context != "patient" && context != "user" {
			continue
		}
		if typ, _, _ := strings.Cut(rest, "."); typ == "Patient" || typ == "*" {
			return true
		}
	}
	return false
}
