package fhir

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// readRelatedPerson serves RelatedPerson/{id}: only the representative who
// holds the token, rendered from the grant (README, "Tokens": fhirUser is
// RelatedPerson/{id}, readable with the token). Any other id is a 404.
func (a *API) readRelatedPerson(c echo.Context, id string, g Grant) error {
	rp := g.RelatedPerson
	if rp == nil || rp.ID != id {
		return a.writeError(c, notFound("RelatedPerson/"+id+" is not found"))
	}
	m, _ := a.cfg.Members(g.Patient)
	return writeFHIR(c, appendRelatedPerson(nil, rp, g.Patient, relatedPersonUpdated(m)))
}

// relatedPersonUpdated is the lastUpdated of the member's representative:
// the Patient's, so the same grant gives the same bytes.
func relatedPersonUpdated(m *generator.Member) time.Time {
	if m != nil {
		for i := range m.Resources {
			if r := &m.Resources[i]; r.Type == "Patient" && !r.LastUpdated.IsZero() {
				return r.LastUpdated
			}
		}
	}
	return time.Date(2020, 2, 12, 0, 0, 0, 0, time.UTC)
}

// relatedPersonMember is what a RelatedPerson search looks through: the
// representative holding the token, if one does, as the only resource.
func relatedPersonMember(g Grant, m *generator.Member) *generator.Member {
	out := &generator.Member{PatientID: g.Patient}
	if rp := g.RelatedPerson; rp != nil {
		updated := relatedPersonUpdated(m)
		out.Resources = []generator.Resource{{Type: "RelatedPerson", ID: rp.ID, LastUpdated: updated,
			JSON: appendRelatedPerson(nil, rp, g.Patient, updated)}}
	}
	return out
}

// appendRelatedPerson renders rp as an R4 RelatedPerson of patient. The
// relationship is coded from v3 RoleCode where package representative gives
// one, with the docs' wording as its text, and is text only, in the member's
// words, for Other.
func appendRelatedPerson(dst []byte, rp *RelatedPerson, patient string, updated time.Time) []byte {
	dst = append(dst, `{"resourceType":"RelatedPerson","id":`...)
	dst = appendString(dst, rp.ID)
	dst = append(dst, `,"meta":{"lastUpdated":`...)
	dst = appendInstant(dst, updated)
	dst = append(dst, `},"active":true,"patient":{"reference":`...)
	dst = appendString(dst, "Patient/"+patient)
	dst = append(dst, '}')
	code, display, text := relationship(rp)
	if code != "" || text != "" {
		dst = append(dst, `,"relationship":[{`...)
		if code != "" {
			dst = append(dst, `"coding":[{"system":"`+representative.RoleCodeSystem+`","code":"`...)
			dst = append(dst, code...)
			dst = append(dst, `","display":"`...)
			dst = append(dst, display...)
			dst = append(dst, `"}]`...)
			if text != "" {
				dst = append(dst, ',')
			}
		}
		if text != "" {
			dst = append(dst, `"text":`...)
			dst = appendString(dst, text)
		}
		dst = append(dst, `}]`...)
	}
	if name := strings.TrimSpace(rp.Name); name != "" {
		dst = append(dst, `,"name":[{"text":`...)
		dst = appendString(dst, name)
		dst = append(dst, `}]`...)
	}
	return append(dst, '}')
}

// relationship maps a representative's relationship to a RoleCode code,
// its display, and the text the member chose.
func relationship(rp *RelatedPerson) (code, display, text string) {
	if r, ok := representative.Lookup(rp.Relationship); ok && r.RoleCode != "" {
		return r.RoleCode, r.RoleDisplay, r.Display
	}
	// Other, and any code the list does not know: the member's words.
	if t := strings.TrimSpace(rp.RelationshipText); t != "" {
		return "", "", t
	}
	other, _ := representative.Lookup(representative.Other)
	return "", "", other.Display
}
