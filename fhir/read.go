package fhir

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// read serves GET {Type}/{id}. Only the token's member's resources exist
// for it: another member's resource or an unknown id is a 404 alike
// (README, "FHIR"), so ids cannot be probed.
func (a *API) read(c echo.Context, t *resourceType, g Grant) error {
	if err := checkFormat(c.Request()); err != nil {
		return a.writeError(c, err)
	}
	id := c.Param("id")
	if !validID(id) {
		return a.writeError(c, notFound("no "+t.Name+" has that id"))
	}
	if t.Name == "RelatedPerson" {
		return a.readRelatedPerson(c, id, g)
	}
	m, ok := a.cfg.Members(g.Patient)
	if !ok {
		return a.writeError(c, notFound("the token's patient is not found"))
	}
	for i := range m.Resources {
		r := &m.Resources[i]
		if r.Type == t.Name && r.ID == id {
			if !r.LastUpdated.IsZero() {
				c.Response().Header().Set(echo.HeaderLastModified, r.LastUpdated.UTC().Format(http.TimeFormat))
			}
			return writeFHIR(c, r.JSON)
		}
	}
	return a.writeError(c, notFound(t.Name+"/"+id+" is not found"))
}

// checkFormat rejects a _format the API does not serve on a read or metadata.
func checkFormat(r *http.Request) *statusError {
	for _, f := range r.URL.Query()["_format"] {
		if !validFormat(f) {
			return badRequest("_format must be json, application/fhir+json or application/json+fhir, got " + quote(f))
		}
	}
	return nil
}

// validID reports whether s is a FHIR R4 id: [A-Za-z0-9\-\.]{1,64} (R4
// §2.24.0.1, Data Types "id").
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.':
		default:
			return false
		}
	}
	return true
}
