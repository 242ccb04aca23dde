package consent

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"

	site "github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFiles embed.FS

// The views the screens render; each is templates/NAME.html on top of
// templates/layout.html.
const (
	viewDisclaimer = stepDisclaimer
	viewLogin      = stepLogin
	viewRelation   = stepRelation
	viewConsent    = stepConsent
	viewError      = "error"
	viewApps       = "apps" // the members' apps page (apps.go)
)

// view is everything a template may show. html/template escapes every
// field for its context, so a client name, username or login_hint holding
// markup comes out inert.
type view struct {
	// Chrome is the site's layout around the screen: the shared
	// stylesheet and favicon, served under Action.
	Chrome site.Chrome
	// Root is the issuer path as the browser sees it; Action, the form
	// target, is Root + StartPath and the stylesheet hangs off it.
	Root   string
	Action string
	// Flow is the flow's sealed state, which the form posts back.
	Flow   string
	Step   string
	CSRF   string
	Client string
	// Error is a message about the last post, shown above the form and
	// linked with aria-describedby to the field it concerns, ErrorField
	// (an input's or a radio group's id; "" for the whole form).
	Error      string
	ErrorField string

	Username string // login: kept after a wrong password; the password never is
	// Member is the name of the member whose account logged in, which a
	// representative's screens name: whose data is shared.
	Member string

	// relation: the member's choices, kept when the step is shown again.
	Who               string
	Relationship      string
	FullName          string
	OtherRelationship string
	Relationships     []relationship

	// consent; Share is the member's last choice, "" for the default (all).
	Share          string
	Asks           []string
	Representative *Representative
	RelDisplay     string
	// AppsHref links the members' apps page, where the access is removed;
	// "" when the sandbox serves none.
	AppsHref string

	// error page; on the apps page, what the last post did
	Title   string
	Message string
	Home    string

	// the apps page: AppsAction is its form target
	AppsAction string
	LoggedIn   bool
	LogOutCSRF string
	Apps       []appView
}

// pages holds one parsed template per view, built once by parsePages.
type pages map[string]*template.Template

// parsePages parses the embedded templates once per process: they never
// change, and a parsed template is safe for concurrent use, so every
// Screens (the root's and each workspace's) shares them.
var parsePages = sync.OnceValues(parseAllPages)

func parseAllPages() (pages, error) {
	names := []string{viewDisclaimer, viewLogin, viewRelation, viewConsent, viewError, viewApps}
	files := make([]string, len(names))
	for i, name := range names {
		files[i] = "templates/" + name + ".html"
	}
	parsed, err := site.Pages(templateFiles, nil, files...)
	if err != nil {
		return nil, err
	}
	p := make(pages)
	for i, name := range names {
		p[name] = parsed[files[i]]
	}
	return p, nil
}

// render executes a view into a buffer first, so a template error becomes a
// clean 500 page instead of half a page with a 200.
func (s *Screens) render(c echo.Context, status int, name string, v view) error {
	v.Action = v.Root + StartPath
	v.Chrome = site.Chrome{Style: v.Action + "/style.css", Favicon: v.Action + "/favicon.ico", Home: s.home(c), Narrow: true}
	v.Home = v.Chrome.Home
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.Logger().Errorf("consent: rendering %s: %v", name, err)
		return c.String(http.StatusInternalServerError, "The sandbox could not show this page.\n")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// fail shows the error page. Messages are fixed strings chosen here, never
// echoed input.
func (s *Screens) fail(c echo.Context, status int, title, message string) error {
	return s.render(c, status, viewError, view{
		Root:    s.root(c),
		Title:   title,
		Message: message,
	})
}

// home is the sandbox's home page as the browser sees it: the base URL's
// path, where a proxy may mount the sandbox.
func (s *Screens) home(c echo.Context) string {
	if s.baseURL == nil {
		return "/"
	}
	u, err := url.Parse(s.baseURL(c.Request()))
	if err != nil {
		return "/"
	}
	return strings.TrimSuffix(u.EscapedPath(), "/") + "/"
}

// securityHeaders is set on every page the screens serve. The policy allows
// no script at all and only our own stylesheet; it has no form-action
// directive because Chrome applies form-action to the redirect that follows
// the last post, which goes to the app's origin.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", site.CSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store") // style overrides it
		return next(c)
	}
}

// style serves the site's one stylesheet. It never changes within a
// build, so it may be cached for a day.
func (s *Screens) style(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, site.CSSType, []byte(site.CSS))
}

// favicon serves the site's icon beside the stylesheet.
func (s *Screens) favicon(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, site.FaviconType, []byte(site.Favicon))
}
