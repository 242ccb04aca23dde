package oauth

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/labstack/echo/v4"
)

// errorPageHTML is shown when the client or its redirect_uri cannot be
// trusted: RFC 6749 §4.1.2.1 forbids redirecting then, so the person in the
// browser reads why, in two ways: in plain words for a member, and with
// what the request sent and what is registered for the app's developer.
// It uses the site's layout and stylesheet (the consent screens serve it).
const errorPageHTML = `{{define "title"}}This app's sign-in request can't be completed{{end}}
{{define "main" -}}
<h1>This app&rsquo;s sign-in request can&rsquo;t be completed</h1>
<p class="error" role="alert">{{.Message}}</p>
<p>Nothing was shared. Go back to the app and try again, or contact the app&rsquo;s developer: the app asked in a way this sandbox cannot accept.</p>
<div class="actions"><a class="button secondary" href="{{.Chrome.Home}}">Go to the sandbox home page</a></div>
<section class="panel" aria-labelledby="dev-heading">
<h2 id="dev-heading">For the app&rsquo;s developer</h2>
<dl class="facts">
<dt>client_id sent</dt><dd>{{if .ClientID}}<code>{{.ClientID}}</code>{{else}}<em>none</em>{{end}}</dd>
<dt>redirect_uri sent</dt><dd>{{if .RedirectURI}}<code>{{.RedirectURI}}</code>{{else}}<em>none</em>{{end}}</dd>
{{if .Known}}<dt>Registered redirect URIs</dt><dd>{{range .Registered}}<code>{{.}}</code><br>{{end}}</dd>{{end}}
</dl>
<p>{{if .Known}}The redirect_uri must equal one of the registered URIs exactly, as a string (RFC 6749 §3.1.2).{{else}}This client_id is not registered with this sandbox.{{end}}
Register clients and their redirect URIs by starting the sandbox with <code>--clients clients.json</code>:</p>
<pre tabindex="0">[{"client_id": "{{if .ClientID}}{{.ClientID}}{{else}}my-app{{end}}", "client_secret": "…", "client_name": "My app",
  "redirect_uris": ["{{if .RedirectURI}}{{.RedirectURI}}{{else}}http://localhost:3000/callback{{end}}"]}]</pre>
<p class="hint">Leave out client_secret for a public client (it must then use PKCE). The home page lists every registered client.</p>
</section>
{{- end}}`

// errorPageData is what the page shows.
type errorPageData struct {
	Chrome                page.Chrome
	Message               string
	ClientID, RedirectURI string
	Known                 bool
	Registered            []string
}

func parseErrorPage() (*template.Template, error) {
	layout, err := page.New(nil)
	if err != nil {
		return nil, err
	}
	return layout.New("error page").Parse(errorPageHTML)
}

// maxShown bounds what the page repeats of a parameter it was sent.
const maxShown = 300

// errorPage answers 400 with the error page, rendered into a buffer so a
// template failure is a clean 500 and never half a page. The request's
// form is already parsed.
func (s *Server) errorPage(c echo.Context, msg string) error {
	r := c.Request()
	base := s.cfg.BaseURL(r)
	root := basePath(base)
	d := errorPageData{
		Chrome: page.Chrome{
			Style: root + IssuerPath + consent.StartPath + "/style.css", Favicon: root + IssuerPath + consent.StartPath + "/favicon.ico",
			Home: root + "/", Narrow: true,
		},
		Message:     msg,
		ClientID:    shorten(r.Form.Get("client_id")),
		RedirectURI: shorten(r.Form.Get("redirect_uri")),
	}
	if cl, ok := s.clients[r.Form.Get("client_id")]; ok && len(r.Form["client_id"]) == 1 {
		d.Known = true
		for _, u := range cl.RedirectURIs {
			d.Registered = append(d.Registered, strings.ReplaceAll(u, "{base}", base))
		}
	}
	var buf bytes.Buffer
	if err := s.page.ExecuteTemplate(&buf, "layout", d); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", errorPageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	return c.HTMLBlob(http.StatusBadRequest, buf.Bytes())
}

// errorPageCSP runs no script at all, loads only the site's stylesheet and
// icon, sends no form and forbids framing: the page answers a link anyone
// can craft, so no other site may frame it (RFC 6749 §10.13,
// clickjacking).
const errorPageCSP = page.CSP + "; form-action 'none'"

// basePath is the path of the base URL, without a trailing slash: where a
// proxy mounts the sandbox.
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.EscapedPath(), "/")
}

func shorten(s string) string {
	if len(s) > maxShown {
		return s[:maxShown] + "…"
	}
	return s
}
