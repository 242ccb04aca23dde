package consent

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// maxNameLen bounds the free-text fields of a representative.
const maxNameLen = 200

// relationship is one of the docs' choices for a representative; the list
// lives in package representative, which the FHIR API renders from too.
type relationship = representative.Relationship

// relationships lists the docs' choices in the docs' order.
func relationships() []relationship { return representative.Relationships() }

// relationshipDisplay is how the member reads rep's relationship.
func relationshipDisplay(rep *Representative) string {
	if rep.Relationship == RelOther {
		return rep.OtherRelationship
	}
	r, _ := representative.Lookup(rep.Relationship)
	return r.Display
}

// knownRelationship reports whether code is one of the docs' choices.
func knownRelationship(code string) bool {
	_, ok := representative.Lookup(code)
	return ok
}

// chooseRelation is step 3: "Self" or "Personal Representative". A missing
// or invalid choice shows the step again with the member's answers kept.
func (s *Screens) chooseRelation(c echo.Context, st state, req Request, form url.Values) error {
	again := view{
		Who:               form.Get("who"),
		Relationship:      form.Get("relationship"),
		FullName:          form.Get("full_name"),
		OtherRelationship: form.Get("other_relationship"),
	}
	member := s.nameOf(st.Username)
	switch again.Who {
	case "self":
		st.Representative = nil
	case "representative":
		rep, field, problem := parseRepresentative(form, member)
		if problem != "" {
			again.Error, again.ErrorField = problem, field
			return s.show(c, http.StatusUnprocessableEntity, st, req, again)
		}
		st.Representative = &rep
	default:
		again.Error, again.ErrorField = "Choose whether you are "+member+" (Self) or act for "+member+" as a Personal Representative.", "who"
		return s.show(c, http.StatusUnprocessableEntity, st, req, again)
	}
	return s.advance(c, st, req, stepConsent)
}

// parseRepresentative reads and checks a representative's answers: one of
// the docs' relationships, a full name, and for Other the member's own
// words for the relationship; a problem names member, whose data it is.
// problem is "" when they are acceptable;
// otherwise field is the id of the input or group it concerns, so the
// screen can mark that one invalid (WCAG 2.1 SC 3.3.1).
func parseRepresentative(form url.Values, member string) (rep Representative, field, problem string) {
	rep.Relationship = form.Get("relationship")
	if !knownRelationship(rep.Relationship) {
		return Representative{}, "relationship", "Choose your relationship to " + member + "."
	}
	var ok bool
	if rep.Relationship == RelOther {
		if rep.OtherRelationship, ok = cleanText(form.Get("other_relationship")); !ok {
			return Representative{}, "other_relationship", "Enter your relationship to " + member + ", up to 200 characters."
		}
	}
	if rep.FullName, ok = cleanText(form.Get("full_name")); !ok {
		return Representative{}, "full_name", "Enter your full name, up to 200 characters."
	}
	return rep, "", ""
}

// cleanText trims a free-text answer and accepts it when it is non-empty,
// valid UTF-8, short enough and free of control characters (which would
// travel into the RelatedPerson resource and the id_token).
func cleanText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNameLen || !utf8.ValidString(s) {
		return "", false
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", false
	}
	return s, true
}
