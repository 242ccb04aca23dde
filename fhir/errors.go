package fhir

import (
	"net/http"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/labstack/echo/v4"
)

// statusError is a FHIR API error with its wire form: the HTTP status, the
// OperationOutcome issue code (FHIR R4 issue-type) and a message for the
// client. Detail never holds raw input unquoted.
type statusError struct {
	Status int
	Code   string
	Detail string
}

func (e *statusError) Error() string { return e.Detail }

// Issue codes used here (FHIR R4 ValueSet issue-type).
const (
	codeSecurity     = "security"
	codeForbidden    = "forbidden"
	codeNotFound     = "not-found"
	codeInvalid      = "invalid"
	codeNotSupported = "not-supported"
	codeTooLong      = "too-long"
	codeTransient    = "transient"
)

func badRequest(detail string) *statusError {
	return &statusError{http.StatusBadRequest, codeInvalid, detail}
}

func notFound(detail string) *statusError {
	return &statusError{http.StatusNotFound, codeNotFound, detail}
}

func forbidden(detail string) *statusError {
	return &statusError{http.StatusForbidden, codeForbidden, detail}
}

// errNotValidValue is the docs' answer to a bad claim type: status 400 and,
// in the bcbsnc profile, exactly this detail.
const errNotValidValue = "not a valid value"

// quote renders client input for an error message: quoted, cut to a
// readable length; writeError then escapes it as JSON, markup included.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return string(appendString(nil, s))
}

// writeError writes e in the profile's shape: the docs' {"detail": ...}
// JSON in bcbsnc, a FHIR R4 OperationOutcome in strict. The bytes are the
// sandbox's one error writer's, so the router's errors and injected faults
// under the FHIR base answer alike.
func (a *API) writeError(c echo.Context, e *statusError) error {
	return httperr.Write(c.Response(), httperr.FHIRShape(a.cfg.Profile),
		httperr.Error{Status: e.Status, Message: e.Detail, IssueCode: e.Code})
}
