package app

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// routesOf lists the routes of the echo router that newApp built.
func routesOf(tb testing.TB, a *app) []*echo.Route {
	tb.Helper()
	e, ok := a.handler.(*echo.Echo)
	if !ok {
		tb.Fatalf("the app's handler is a %T, not the echo router", a.handler)
	}
	return e.Routes()
}

// serve sends req through h in process.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// mediaType is the response's media type without parameters, lower case.
func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// isJSONType reports whether a media type is JSON (application/json,
// application/fhir+json, ...).
func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// isTokenEndpoint reports whether RFC 6749 §5.2 errors are owed at path:
// the token endpoint and its RFC 7009 / RFC 7662 siblings.
func isTokenEndpoint(path string) bool {
	switch path {
	case issuerPath + "/token", issuerPath + "/revoke", issuerPath + "/introspect":
		return true
	}
	return false
}

// isOAuthResource reports whether path is userinfo, which answers RFC 6750
// bearer errors ({"error", "error_description"}) although one copy lives
// under the FHIR base.
func isOAuthResource(path string) bool {
	return path == "/v1/connect/userinfo" || path == fhirPath+"/UserInfo"
}

// checkContract asserts what every answer of the sandbox owes whatever the
// request: no 5xx, a Location without CR or LF, JSON that parses, the error
// shape the contract names for the path, and HTML that carries no script
// (the pages have none but the debugger's served file, so any other
// "<script" came from the input). It returns a
// description of the first breach, or "".
// servedScript is the one script tag a page may carry: the debugger's
// copy buttons, a file the Content-Security-Policy admits by origin.
const servedScript = `<script src="/static/console.js" defer></script>`

func checkContract(method, path string, rec *httptest.ResponseRecorder) string {
	status, h, body := rec.Code, rec.Header(), rec.Body.Bytes()
	if status >= 500 {
		return "a 5xx answer"
	}
	if loc := h.Get("Location"); strings.ContainsAny(loc, "\r\n") {
		return "a Location header with CR or LF (header injection)"
	}
	for k, vs := range h {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				return "header " + k + " holds CR or LF"
			}
		}
	}
	mt := mediaType(h)
	if method == http.MethodHead {
		return ""
	}
	if mt == "text/html" {
		if bytes.Contains(bytes.ToLower(bytes.ReplaceAll(body, []byte(servedScript), nil)), []byte("<script")) {
			return "an HTML page reflects <script"
		}
		return ""
	}
	if !isJSONType(mt) {
		if status >= 400 && len(body) > 0 {
			return "an error body of type " + h.Get("Content-Type") + ", not JSON"
		}
		return ""
	}
	if len(body) == 0 {
		return ""
	}
	if !utf8.Valid(body) {
		return "JSON that is not valid UTF-8"
	}
	var obj map[string]any
	if err := json.Unmarshal(body, &obj); err != nil {
		var arr []any
		if json.Unmarshal(body, &arr) == nil {
			return ""
		}
		return "a JSON body that does not parse: " + err.Error()
	}
	if status < 400 {
		return ""
	}
	switch {
	case isTokenEndpoint(path), isOAuthResource(path) && status != http.StatusNotFound && status != http.StatusMethodNotAllowed:
		// RFC 6749 §5.2, RFC 6750 §3: the token, revocation and introspection
		// endpoints answer every error in OAuth's shape, whatever the method.
		if s, _ := obj["error"].(string); s == "" {
			return "an OAuth error without an error code"
		}
		if _, ok := obj["error_description"].(string); !ok {
			return "an OAuth error without error_description"
		}
	default:
		// README, "FHIR" (profile bcbsnc) and the app's own error handler: {"detail": ...}.
		if s, _ := obj["detail"].(string); s == "" {
			return `an error without "detail"`
		}
	}
	return ""
}
