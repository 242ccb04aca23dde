package consent

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
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

// TestRelationErrorMarksItsField: the error is tied to the one field or
// group it is about (aria-invalid and aria-describedby on it), and no
// other control claims it (WCAG 2.1 SC 3.3.1, 1.3.1).
func TestRelationErrorMarksItsField(t *testing.T) {
	tests := []struct {
		name    string
		set     url.Values
		invalid string // id of the input, or of a radio inside the group, marked invalid
	}{
		{"no choice", url.Values{}, "who-self"},
		{"no relationship", url.Values{"who": {"representative"}, "full_name": {"Pat Doe"}}, "rel-" + RelParent},
		{"no name", url.Values{"who": {"representative"}, "relationship": {RelParent}}, "full_name"},
		{"other without text", url.Values{"who": {"representative"}, "relationship": {RelOther}, "full_name": {"Pat Doe"}}, "other_relationship"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			p := b.submit(atRelation(t, b), tt.set)
			var marked []string
			for _, n := range findAll(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, "aria-invalid") == "true" }) {
				if attr(n, "aria-describedby") != "form-error" {
					t.Errorf("<%s id=%q> is invalid but described by %q", n.Data, attr(n, "id"), attr(n, "aria-describedby"))
				}
				if n.Data == "fieldset" {
					for _, in := range findAll(n, isElement("input")) {
						marked = append(marked, attr(in, "id"))
					}
				} else {
					marked = append(marked, attr(n, "id"))
				}
			}
			if !slices.Contains(marked, tt.invalid) {
				t.Errorf("%s is not marked invalid; marked: %v", tt.invalid, marked)
			}
			for _, n := range findAll(p.doc, func(n *html.Node) bool {
				return n.Type == html.ElementNode && attr(n, "aria-describedby") == "form-error"
			}) {
				if attr(n, "aria-invalid") != "true" {
					t.Errorf("<%s id=%q> is described by the error but not marked invalid", n.Data, attr(n, "id"))
				}
			}
		})
	}
}

// TestRepresentativeScreensNameTheMember: once logged in, the relation
// and consent screens say whose data it is, by the member's name.
func TestRepresentativeScreensNameTheMember(t *testing.T) {
	h := newHarness(t, Config{MemberName: func(u string) string {
		if u == "BCNCUser03" {
			return "Jane X Doe"
		}
		return ""
	}})
	b := newBrowser(t, h.srv.URL)
	p := atRelation(t, b)
	p.mustBe(t, http.StatusOK, "Personal Representative of Jane X Doe")
	p = b.submit(p, url.Values{"who": {"representative"}, "relationship": {RelParent}, "full_name": {"Pat Doe"}})
	for _, want := range []string{"acting for <strong>Jane X Doe</strong>", "Share all of Jane X Doe&rsquo;s data", "Share Jane X Doe&rsquo;s health data"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the representative's consent screen lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "Share all my data") {
		t.Error("the representative's consent screen offers to share 'my' data")
	}
}
