package oauth

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"
)

// errorPageHTML is shown when the client or its redirect_uri cannot be
// trusted: RFC 6749 §4.1.2.1 forbids redirecting then, so the member reads why.
const errorPageHTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorization error</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.4rem;color:#0b4f8a}</style>
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
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusBadRequest, buf.Bytes())
}
