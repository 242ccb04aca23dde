package httperr

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

const (
	issuer = "/fhirmember/sps/oauth/oauth20"
	fhir   = "/fhir/sb/R4/patientaccess"
)

// TestWriteBytes pins the bytes and headers of each shape.
func TestWriteBytes(t *testing.T) {
	cases := []struct {
		name         string
		shape        Shape
		err          Error
		status       int
		body         string
		contentType  string
		cacheControl string
		pragma       string
	}{
		{name: "detail as the docs print it", shape: Detail, err: Error{Status: 400, Message: "not a valid value"},
			status: 400, body: `{"detail": "not a valid value"}`, contentType: "application/json"},
		{name: "operation outcome", shape: OperationOutcome, err: Error{Status: 404, Message: "Patient/x is not found", IssueCode: "not-found"},
			status: 404, body: `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Patient/x is not found"}]}`,
			contentType: "application/fhir+json"},
		{name: "oauth", shape: OAuth, err: Error{Status: 400, Message: "grant_type is missing", OAuthCode: "invalid_request"},
			status: 400, body: `{"error":"invalid_request","error_description":"grant_type is missing"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "oauth code from 503", shape: OAuth, err: Error{Status: 503},
			status: 503, body: `{"error":"temporarily_unavailable","error_description":"Service Unavailable"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "oauth code from 429", shape: OAuth, err: Error{Status: 429, Message: "m"},
			status: 429, body: `{"error":"temporarily_unavailable","error_description":"m"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "oauth code from 401", shape: OAuth, err: Error{Status: 401, Message: "m"},
			status: 401, body: `{"error":"invalid_client","error_description":"m"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "oauth code from 413", shape: OAuth, err: Error{Status: 413, Message: "m"},
			status: 413, body: `{"error":"invalid_request","error_description":"m"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "issue code from 429", shape: OperationOutcome, err: Error{Status: 429, Message: "slow down"},
			status: 429, body: `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"throttled","diagnostics":"slow down"}]}`,
			contentType: "application/fhir+json"},
		{name: "zero status is a 500", shape: Detail, err: Error{},
			status: 500, body: `{"detail": "Internal Server Error"}`, contentType: "application/json"},
		{name: "zero status oauth", shape: OAuth, err: Error{Message: "boom"},
			status: 500, body: `{"error":"server_error","error_description":"boom"}`,
			contentType: "application/json", cacheControl: "no-store", pragma: "no-cache"},
		{name: "markup and quotes escaped", shape: Detail, err: Error{Status: 400, Message: `<script>"x"&`},
			status: 400, body: `{"detail": "\u003cscript\u003e\"x\"\u0026"}`, contentType: "application/json"},
		{name: "invalid UTF-8 replaced", shape: OperationOutcome, err: Error{Status: 400, Message: "a\xffb"},
			status: 400, body: `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"a\ufffdb"}]}`,
			contentType: "application/fhir+json"},
		{name: "unknown shape is detail", shape: Shape(9), err: Error{Status: 404, Message: "m"},
			status: 404, body: `{"detail": "m"}`, contentType: "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := Write(rec, tc.shape, tc.err); err != nil {
				t.Fatal(err)
			}
			h := rec.Header()
			if rec.Code != tc.status || rec.Body.String() != tc.body {
				t.Errorf("got %d %s\nwant %d %s", rec.Code, rec.Body, tc.status, tc.body)
			}
			if h.Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), tc.contentType)
			}
			if h.Get("Content-Length") != strconv.Itoa(len(tc.body)) {
				t.Errorf("Content-Length %q for %d bytes", h.Get("Content-Length"), len(tc.body))
			}
			if h.Get("Cache-Control") != tc.cacheControl || h.Get("Pragma") != tc.pragma {
				t.Errorf("Cache-Control %q, Pragma %q; want %q, %q", h.Get("Cache-Control"), h.Get("Pragma"), tc.cacheControl, tc.pragma)
			}
		})
	}
}

// TestOperationOutcomeIsValidR4: whatever the status, the issue code the
// writer derives is one R4's issue-type value set holds.
func TestOperationOutcomeIsValidR4(t *testing.T) {
	for status := 400; status <= 599; status++ {
		if http.StatusText(status) == "" {
			continue
		}
		rec := httptest.NewRecorder()
		if err := Write(rec, OperationOutcome, Error{Status: status, Message: "fault 1 injected"}); err != nil {
			t.Fatal(err)
		}
		if err := r4check.Validate(rec.Body.Bytes()); err != nil {
			t.Errorf("%d: %v: %s", status, err, rec.Body)
		}
	}
}

func TestFHIRShapeFollowsTheProfile(t *testing.T) {
	want := map[profile.Profile]Shape{profile.BCBSNC: Detail, profile.Strict: OperationOutcome}
	for _, p := range profile.All() {
		w, ok := want[p]
		if !ok {
			t.Errorf("profile %v has no FHIR error shape in this test", p)
			continue
		}
		if got := FHIRShape(p); got != w {
			t.Errorf("FHIRShape(%v) = %d, want %d", p, got, w)
		}
	}
}

// TestShapeOfPath: the OAuth shape on exactly the three endpoints, the
// profile's FHIR shape at and below the FHIR base, detail elsewhere.
func TestShapeOfPath(t *testing.T) {
	const fhirShape = Shape(255) // stands for the profile's FHIR shape
	cases := []struct {
		path string
		want Shape
	}{
		{issuer + "/token", OAuth},
		{issuer + "/revoke", OAuth},
		{issuer + "/introspect", OAuth},
		{issuer + "/token/", Detail},
		{issuer + "/tokens", Detail},
		{issuer + "/authorize", Detail},
		{issuer + "/consent", Detail},
		{issuer + "/jwks", Detail},
		{issuer + "/.well-known/openid-configuration", Detail},
		{issuer, Detail},
		{"/token", Detail},
		{fhir, fhirShape},
		{fhir + "/", fhirShape},
		{fhir + "/Patient/1", fhirShape},
		{fhir + "/UserInfo", fhirShape},
		{fhir + "/.well-known/smart-configuration", fhirShape},
		{fhir + "ory/Patient", Detail},
		{"/fhir/sb/R4", Detail},
		{"/v1/connect/userinfo", Detail},
		{"/.well-known/openid-configuration", Detail},
		{"/sandbox/faults", Detail},
		{"/health", Detail},
		{"/", Detail},
		{"", Detail},
	}
	for _, p := range profile.All() {
		w := New(Config{Profile: p, IssuerPath: issuer, FHIRPath: fhir})
		for _, tc := range cases {
			want := tc.want
			if want == fhirShape {
				want = FHIRShape(p)
			}
			if got := w.Shape(tc.path); got != want {
				t.Errorf("%v %q: shape %d, want %d", p, tc.path, got, want)
			}
		}
	}
}

func TestWriterWithoutPathsAnswersDetail(t *testing.T) {
	w := New(Config{Profile: profile.Strict})
	for _, path := range []string{"/token", "/revoke", "/", "/Patient/1", ""} {
		if got := w.Shape(path); got != Detail {
			t.Errorf("%q: shape %d, want detail", path, got)
		}
	}
}

// TestWriterChallenge: a 401 carries WWW-Authenticate (RFC 9110 §15.5.2),
// the scheme the path takes, unless the caller set its own.
func TestWriterChallenge(t *testing.T) {
	w := New(Config{Profile: profile.Strict, IssuerPath: issuer, FHIRPath: fhir})
	cases := []struct {
		name, path, preset string
		status             int
		want               string
	}{
		{"token", issuer + "/token", "", 401, `Basic realm="sandbox"`},
		{"fhir", fhir + "/Patient/1", "", 401, `Bearer realm="fhir"`},
		{"userinfo", "/v1/connect/userinfo", "", 401, `Bearer realm="sandbox"`},
		{"caller's own kept", fhir + "/Patient/1", `Bearer error="invalid_token"`, 401, `Bearer error="invalid_token"`},
		{"not a 401", fhir + "/Patient/1", "", 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if tc.preset != "" {
				rec.Header().Set("WWW-Authenticate", tc.preset)
			}
			if err := w.Write(rec, httptest.NewRequest(http.MethodGet, tc.path, nil), Error{Status: tc.status}); err != nil {
				t.Fatal(err)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.want {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.want)
			}
		})
	}
}

// TestWriterHead: a HEAD answer has the status and the shape's headers but
// no body (RFC 9110 §9.3.2).
func TestWriterHead(t *testing.T) {
	w := New(Config{Profile: profile.Strict, IssuerPath: issuer, FHIRPath: fhir})
	rec := httptest.NewRecorder()
	if err := w.Write(rec, httptest.NewRequest(http.MethodHead, fhir+"/Patient/1", nil), Error{Status: 404}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 404 || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "application/fhir+json" {
		t.Errorf("HEAD: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// TestWriterUsesThePathShape: Writer.Write and Write agree byte for byte.
func TestWriterUsesThePathShape(t *testing.T) {
	for _, p := range profile.All() {
		w := New(Config{Profile: p, IssuerPath: issuer, FHIRPath: fhir})
		for _, path := range []string{issuer + "/token", fhir + "/Coverage", "/health"} {
			e := Error{Status: 500, Message: "fault 3 injected"}
			got, want := httptest.NewRecorder(), httptest.NewRecorder()
			if err := w.Write(got, httptest.NewRequest(http.MethodGet, path, nil), e); err != nil {
				t.Fatal(err)
			}
			if err := Write(want, w.Shape(path), e); err != nil {
				t.Fatal(err)
			}
			if got.Body.String() != want.Body.String() || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("%v %s: %s, want %s", p, path, got.Body, want.Body)
			}
		}
	}
}
