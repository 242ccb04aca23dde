package consent

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// atRelation starts a flow and logs in as BCNCUser03.
func atRelation(t *testing.T, b *browser) *page {
	t.Helper()
	p := login(b, atLogin(t, b), "BCNCUser03", "BCNCPSWD03")
	p.mustBe(t, http.StatusOK, "Personal Representative")
	return p
}

func TestRelationNeedsValidChoices(t *testing.T) {
	tests := []struct {
		name string
		set  url.Values
		want string // in the error
	}{
		{"no choice", url.Values{}, "Choose whether"},
		{"unknown choice", url.Values{"who": {"neighbour"}}, "Choose whether"},
		{"no relationship", url.Values{"who": {"representative"}, "full_name": {"Pat Doe"}}, "Choose your relationship"},
		{"unknown relationship", url.Values{"who": {"representative"}, "relationship": {"friend"}, "full_name": {"Pat Doe"}}, "Choose your relationship"},
		{"no name", url.Values{"who": {"representative"}, "relationship": {RelParent}}, "full name"},
		{"blank name", url.Values{"who": {"representative"}, "relationship": {RelParent}, "full_name": {"   "}}, "full name"},
		{"overlong name", url.Values{"who": {"representative"}, "relationship": {RelParent}, "full_name": {strings.Repeat("n", maxNameLen+1)}}, "full name"},
		{"control character in name", url.Values{"who": {"representative"}, "relationship": {RelParent}, "full_name": {"Pat\r\nDoe"}}, "full name"},
		{"other without text", url.Values{"who": {"representative"}, "relationship": {RelOther}, "full_name": {"Pat Doe"}}, "relationship to the member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			p := b.submit(atRelation(t, b), tt.set)
			p.mustBe(t, http.StatusUnprocessableEntity, tt.want)
			p.mustBe(t, http.StatusUnprocessableEntity, "Next")
			// The member's valid answers are kept on the page shown again
			// (an unknown radio value cannot be, and HTML folds CR LF).
			_, v := p.form(t)
			keep := map[string]bool{
				"who":          tt.set.Get("who") == "representative",
				"relationship": knownRelationship(tt.set.Get("relationship")),
				"full_name":    !strings.ContainsAny(tt.set.Get("full_name"), "\r\n"),
			}
			for k, want := range keep {
				if want && v.Get(k) != tt.set.Get(k) {
					t.Errorf("field %s = %q after the error, want %q kept", k, v.Get(k), tt.set.Get(k))
				}
			}
			// Still at step 3: a valid answer moves on.
			b.submit(p, url.Values{"who": {"self"}}).mustBe(t, http.StatusOK, "I Agree")
		})
	}
}

func TestRelationshipsAreTheDocs(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atRelation(t, b)
	for _, want := range []string{"Self", "Personal Representative", "Parent or guardian of a minor",
		"Active healthcare power of attorney", "Court ordered guardianship", "Other", "Your full name"} {
		p.mustBe(t, http.StatusOK, want)
	}
}
