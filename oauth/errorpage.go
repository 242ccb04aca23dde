package oauth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
)

// errorPageStyle is the page's only style, inline so the page needs no
// other route; errorPageCSP admits it by its hash.
const errorPageStyle = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.4rem;color:#0b4f8a}`

// errorPageHTML is shown when the client or its redirect_uri cannot be
// trusted: RFC 6749 §4.1.2.1 forbids redirecting then, so the member reads why.
const errorPageHTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorization error</title>
<style>` + errorPageStyle + `</style>
</head>
<body>
<main>
<h1>This app's sign-in request can't be completed</h1>
<p>{{.}}</p>
<p>Please return to the app and try again, or contact the app's developer.</p>
</main>
</body>
</html>
`

// errorPage answers 400 with the error page, rendered into a buffer so a
// template failure is a clean 500 and never half a page.
func (s *Server) errorPage(c echo.Context, msg string) error {
	var buf bytes.Buffer
	if err := s.page.Execute(&buf, msg); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", errorPageCSP())
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	return c.HTMLBlob(http.StatusBadRequest, buf.Bytes())
}

// errorPageCSP runs no script at all, loads nothing, admits the page's one
// inline style by its hash (CSP Level 3 §2.3.1 "hash-source") and forbids
// framing: the page answers a link anyone can craft, so no other site may
// frame it (RFC 6749 §10.13, clickjacking).
func errorPageCSP() string {
	sum := sha256.Sum256([]byte(errorPageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
