// Package page is the one look of every HTML page the sandbox serves: the
// console's, the member's consent screens and the error pages share its
// layout template, its stylesheet and its favicon, so they read as one
// site on a phone and on a desktop.
package page

import (
	"embed"
	"html/template"
	"io/fs"
)

//go:embed layout.html
var layoutFS embed.FS

// CSS is the stylesheet, a string so no handler can change it.
//
//go:embed style.css
var CSS string

// Favicon is the site icon (an ICO holding one 32×32 PNG).
//
//go:embed favicon.ico
var Favicon string

// CSSType and FaviconType are the media types to serve them with.
const (
	CSSType     = "text/css; charset=utf-8"
	FaviconType = "image/x-icon"
)

// CSP is the Content-Security-Policy of a page without script: nothing but
// the site's own stylesheet and images (CSP Level 3 §6.1), no base
// rewriting, no framing (RFC 6749 §10.13, clickjacking).
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"

// ScriptCSP is CSP for a page that loads the site's own script files; no
// inline script runs, so markup injected into the page stays inert.
const ScriptCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"

// Chrome is what the layout needs around a page's own content: where the
// stylesheet, favicon, home page and any script are as the browser sees
// them, and the console's navigation (none on the member's screens).
type Chrome struct {
	Style, Favicon, Home, Script string
	Nav                          []Link
	// Narrow keeps the content to a reading width, as the member's screens.
	Narrow bool
}

// Link is one entry of the navigation.
type Link struct {
	Href, Text string
	Current    bool
}

// New returns the layout, "layout", with funcs, ready for a page's
// templates to define "title" and "main" (clone it once per page). Data
// given to "layout" must have a Chrome field.
func New(funcs template.FuncMap) (*template.Template, error) {
	return template.New("layout").Funcs(funcs).ParseFS(layoutFS, "layout.html")
}

// Pages parses each of names (files of files, e.g. "templates/home.html")
// on its own clone of the layout, keyed by name.
func Pages(files fs.FS, funcs template.FuncMap, names ...string) (map[string]*template.Template, error) {
	layout, err := New(funcs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		t, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(files, name); err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}
