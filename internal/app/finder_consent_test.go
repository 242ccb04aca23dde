package app

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestFinderConsentCases: the finder's representative and
// withheld-demographics filters find exactly the members whose data an app
// holds in that case, by the consent screens or POST /sandbox/tokens; a
// member without the case is left out, and one whose app is removed drops
// out. The home page's finder shows the same.
func TestFinderConsentCases(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Members: 20})
	ep := sb.endpoint
	// BCNCUser04: a representative through the consent screens.
	ep.redeem(t, docsApp, codeFrom(t, ep.consent(t, member{username: "BCNCUser04", password: "BCNCPSWD04",
		representative: "Active healthcare power of attorney", repName: "Pat Q Rep"}), "test"))
	// BCNCUser05: health data without personal information, minted.
	ep.mint(t, `{"username": "BCNCUser05", "client_id": "`+docsClientID+`", "scope": "openid fhirUser profile patient/*.read", "share_personal": false}`)
	// BCNCUser06: the member, sharing everything: neither case.
	ep.mint(t, mintBody("BCNCUser06"))
	// BCNCUser07: a representative and, by the app's own narrow scopes, no demographics.
	ep.mint(t, `{"username": "BCNCUser07", "client_id": "`+docsClientID+`", "scope": "openid patient/Coverage.read", "representative": {"relationship": "parent", "full_name": "Lee Poe"}}`)

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"representative", "representative=true", []string{"BCNCUser04", "BCNCUser07"}},
		{"withheld demographics", "withheld_demographics=true", []string{"BCNCUser05", "BCNCUser07"}},
		{"both", "representative=true&withheld_demographics=true", []string{"BCNCUser07"}},
		{"from an account on", "representative=true&from=BCNCUser05", []string{"BCNCUser07"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found := findMembers(t, ep, tt.query)
			var names []string
			for _, m := range found {
				names = append(names, m.Username)
				if strings.Contains(tt.query, "representative=true") && !m.Consent.Representative ||
					strings.Contains(tt.query, "withheld_demographics=true") && !m.Consent.WithheldDemographics {
					t.Errorf("%s found without the case asked for: %+v", m.Username, m.Consent)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("found %v, want %v", names, tt.want)
			}
		})
	}

	page := sb.newBrowser(t).get(sb.URL + "/?find=1&representative=on#finder")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "BCNCUser04 / BCNCPSWD04") || strings.Contains(page.Body, "BCNCUser06 / BCNCPSWD06") ||
		!strings.Contains(page.Body, `id="find-representative" name="representative" value="on" checked`) {
		t.Errorf("the home page's finder for the representative case: %d\n%s", page.Status, page.Body)
	}

	// Removing the app ends the case.
	if status, body := ep.controlPost(t, "/sandbox/members/-20140000000024/grants/revoke", ""); status != http.StatusOK {
		t.Fatalf("revoking BCNCUser04's grants: %d %s", status, body)
	}
	for _, m := range findMembers(t, ep, "representative=true") {
		if m.Username == "BCNCUser04" {
			t.Error("BCNCUser04 is still a representative case after the app was removed")
		}
	}
}

// foundMember is one member of GET /sandbox/members.
type foundMember struct {
	Username string `json:"username"`
	Consent  struct {
		Representative       bool `json:"representative"`
		WithheldDemographics bool `json:"withheld_demographics"`
	} `json:"consent"`
}

func findMembers(t *testing.T, ep endpoint, query string) []foundMember {
	t.Helper()
	status, body := ep.get(t, "/sandbox/members?limit=50&"+query, "")
	if status != http.StatusOK {
		t.Fatalf("GET /sandbox/members?%s: %d %s", query, status, body)
	}
	var res struct {
		Members []foundMember `json:"members"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	return res.Members
}
