// Package httperr writes every error body the sandbox sends in JSON. A
// Writer, built with the issuer path, the FHIR base path and the profile,
// picks the body's shape from the request's path, so that the router's own
// errors, the control API's injected faults and the handlers' errors answer
// alike on each path:
//
//   - {issuer}/token, /revoke and /introspect: RFC 6749 §5.2 JSON
//     {"error", "error_description"}, not cached;
//   - the FHIR base and everything under it: an R4 OperationOutcome in
//     profile strict, the vendor docs' {"detail": …} in profile bcbsnc;
//   - everywhere else: {"detail": …}.
//
// Write, the function, writes one shape whatever the path; handlers whose
// errors a protocol fixes (userinfo's RFC 6750 errors) and the FHIR API use
// it, so the bytes of each shape are made in this file only.
//
// It imports neither the authorization server nor the FHIR API: the app
// gives it their paths.
package httperr

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// Shape is the form of an error body.
type Shape uint8

const (
	// Detail is {"detail": "…"}, the vendor docs' error body.
	Detail Shape = iota
	// OAuth is {"error": code, "error_description": "…"} (RFC 6749 §5.2,
	// RFC 6750 §3), sent with Cache-Control: no-store and Pragma: no-cache.
	OAuth
	// OperationOutcome is an R4 OperationOutcome with one issue
	// (severity, code, diagnostics), as application/fhir+json.
	OperationOutcome
)

// Media types of the bodies.
const (
	contentJSON = "application/json"
	contentFHIR = "application/fhir+json"
)

// Error is one error answer before it takes a shape.
type Error struct {
	// Status is the HTTP status; zero means 500.
	Status int
	// Message is the detail, error_description or diagnostics; empty means
	// the status text. It is escaped as JSON, markup included, so echoed
	// input never runs in a browser.
	Message string
	// OAuthCode is the RFC 6749 §5.2 or RFC 6750 §3.1 error code of the
	// OAuth shape; empty means the code the status implies.
	OAuthCode string
	// IssueCode is the FHIR R4 issue-type code of the OperationOutcome
	// shape; empty means the code the status implies.
	IssueCode string
}

func (e Error) status() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

func (e Error) message() string {
	if e.Message == "" {
		return http.StatusText(e.status())
	}
	return e.Message
}

// FHIRShape is the shape of the FHIR API's errors in profile p (README,
// "Profiles").
func FHIRShape(p profile.Profile) Shape {
	if p == profile.Strict {
		return OperationOutcome
	}
	return Detail
}

// Write answers e in shape on w: headers, status and body.
func Write(w http.ResponseWriter, shape Shape, e Error) error {
	return write(w, shape, e, true)
}

// write sets the shape's headers and the status, then the body unless
// withBody is false (a HEAD request).
func write(w http.ResponseWriter, shape Shape, e Error, withBody bool) error {
	status := e.status()
	msg := jsonString(e.message())
	h := w.Header()
	var body []byte
	switch shape {
	case OAuth:
		code := e.OAuthCode
		if code == "" {
			code = oauthCode(status)
		}
		h.Set("Content-Type", contentJSON)
		// RFC 6749 §5.1 (and §5.2 after it): nothing the endpoint answers
		// may be cached.
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
		body = make([]byte, 0, 48+len(code)+len(msg))
		body = append(body, `{"error":`...)
		body = append(body, jsonString(code)...)
		body = append(body, `,"error_description":`...)
		body = append(body, msg...)
		body = append(body, '}')
	case OperationOutcome:
		code := e.IssueCode
		if code == "" {
			code = issueCode(status)
		}
		h.Set("Content-Type", contentFHIR)
		body = make([]byte, 0, 128+len(msg))
		body = append(body, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":`...)
		body = append(body, jsonString(code)...)
		body = append(body, `,"diagnostics":`...)
		body = append(body, msg...)
		body = append(body, `}]}`...)
	default:
		// The docs print the body as { "detail": "not a valid value" }.
		h.Set("Content-Type", contentJSON)
		body = make([]byte, 0, 16+len(msg))
		body = append(body, `{"detail": `...)
		body = append(body, msg...)
		body = append(body, '}')
	}
	if !withBody {
		w.WriteHeader(status)
		return nil
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// jsonString is s as a JSON string. encoding/json escapes <, > and & and
// replaces invalid UTF-8, and marshalling a string cannot fail.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// oauthCode is the RFC 6749 code for an error that came with a status only.
func oauthCode(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_client" // RFC 6749 §5.2: the one code answered with 401
	case status == http.StatusServiceUnavailable, status == http.StatusTooManyRequests:
		return "temporarily_unavailable" // RFC 6749 §4.1.2.1
	case status >= 500:
		return "server_error" // RFC 6749 §4.1.2.1
	}
	return "invalid_request" // RFC 6749 §5.2: the catch-all of a malformed request
}

// issueCode is the FHIR R4 issue-type code (ValueSet issue-type) for an
// error that came with a status only.
func issueCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "security"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusGone:
		return "deleted"
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusUnsupportedMediaType, http.StatusNotImplemented:
		return "not-supported"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too-long"
	case http.StatusTooManyRequests:
		return "throttled"
	case http.StatusRequestTimeout, http.StatusGatewayTimeout:
		return "timeout"
	case http.StatusServiceUnavailable:
		return "transient"
	}
	if status >= 500 {
		return "exception"
	}
	return "processing"
}

// Config is what a Writer needs from the app.
type Config struct {
	// Profile decides the shape under the FHIR base.
	Profile profile.Profile
	// IssuerPath is the authorization server's path below the base URL;
	// empty means no path has the OAuth shape.
	IssuerPath string
	// FHIRPath is the FHIR base path below the base URL; empty means no
	// path is under it.
	FHIRPath string
}

// Writer answers errors in the shape of the request's path. It holds no
// state after New and is safe for concurrent use.
type Writer struct {
	fhirShape  Shape
	fhirPath   string
	oauthPaths []string
}

// New returns the Writer for cfg.
func New(cfg Config) *Writer {
	w := &Writer{fhirShape: FHIRShape(cfg.Profile), fhirPath: strings.TrimSuffix(cfg.FHIRPath, "/")}
	if iss := strings.TrimSuffix(cfg.IssuerPath, "/"); iss != "" {
		w.oauthPaths = []string{iss + "/token", iss + "/revoke", iss + "/introspect"}
	}
	return w
}

// Shape is the shape of every error on path.
func (w *Writer) Shape(path string) Shape {
	switch {
	case w.oauthEndpoint(path):
		// RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 7662 §2.3: these endpoints
		// answer every error in OAuth's shape, even one raised before their
		// handler runs.
		return OAuth
	case w.underFHIR(path):
		return w.fhirShape
	}
	return Detail
}

// Write answers e in the shape of r's path. A 401 without a challenge gets
// the one a real 401 on that path carries (RFC 9110 §15.5.2: a 401 must
// send WWW-Authenticate). A HEAD request gets the headers and no body.
func (w *Writer) Write(rw http.ResponseWriter, r *http.Request, e Error) error {
	path := r.URL.Path
	if e.status() == http.StatusUnauthorized && rw.Header().Get("WWW-Authenticate") == "" {
		rw.Header().Set("WWW-Authenticate", w.challenge(path))
	}
	return write(rw, w.Shape(path), e, r.Method != http.MethodHead)
}

// challenge is the WWW-Authenticate of a 401 on path: client authentication
// on the OAuth endpoints (RFC 6749 §2.3.1), a bearer token elsewhere (RFC
// 6750 §3), in the realms the handlers name.
func (w *Writer) challenge(path string) string {
	switch {
	case w.oauthEndpoint(path):
		return `Basic realm="sandbox"`
	case w.underFHIR(path):
		return `Bearer realm="fhir"`
	}
	return `Bearer realm="sandbox"`
}

func (w *Writer) oauthEndpoint(path string) bool {
	return slices.Contains(w.oauthPaths, path)
}

// underFHIR reports whether path is the FHIR base or below it: a path that
// merely starts with the same characters is not.
func (w *Writer) underFHIR(path string) bool {
	rest, ok := strings.CutPrefix(path, w.fhirPath)
	return ok && w.fhirPath != "" && (rest == "" || rest[0] == '/')
}
