// Package console serves the pages a developer opens in a browser: the home
// page with the accounts, the clients, a member finder and "Try it"; the
// debugger that the docs' client redirects to, which shows the code it got,
// exchanges it with one click, and then refreshes, introspects, revokes and
// calls userinfo with the tokens; the pages of the request log, the armed
// faults and the clock; and the Postman collection.
//
// It speaks no OAuth itself: every call to the token, introspection,
// revocation, userinfo, JWKS and control endpoints goes through Call, which
// main wires to the sandbox's own router.
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/bcbsnc-sandbox/sandbox/internal/finder"
	"github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Account is a test account as the home page lists it.
type Account struct {
	Username, Password, PatientID, Description string
}

// Client is a registered client as the home page lists it. Secret is never
// shown: the debugger sends it when it exchanges a code for the client.
type Client struct {
	ID, Name     string
	Secret       string
	Public       bool
	RedirectURIs []string
}

// Call makes one request to the sandbox's own router on behalf of the page
// the browser asked for (from): method and path (with any query), a form
// body when form is non-nil, and header. It returns the status and body.
type Call func(ctx context.Context, from *http.Request, method, path string, header http.Header, form url.Values) (status int, body []byte, err error)

// Config is what the pages need.
type Config struct {
	BaseURL    func(*http.Request) string
	IssuerPath string
	FHIRPath   string
	// ControlPath is where the control API lives ("/sandbox").
	ControlPath string
	Profile     profile.Profile
	Accounts    []Account
	Clients     []Client
	// DebugClientID is the client whose "{base}/debug" redirect the
	// debugger serves by default: the docs' client.
	DebugClientID string
	Call          Call
	// ClientChecks returns what the /authorize request with this state got
	// wrong (the control API's request log); nil turns the panel off.
	ClientChecks func(state string) []string
	// Key keys the debugger's CSRF tokens and flow cookies (32 bytes).
	Key []byte
	// FHIRTypes are the types the FHIR API serves, from its route table:
	// the Postman collection reads and searches each of them.
	FHIRTypes []FHIRType
	// Finder finds members for the home page; nil leaves the finder out.
	Finder *finder.Finder
	// FinderConsents tells the finder which members' data a personal
	// representative shared, or was shared without demographics, with an
	// app now holding access; nil leaves those filters out.
	FinderConsents finder.Consents
	// AppsPath is the members' apps page, relative to IssuerPath, which
	// the home page and the debugger link; "" links none.
	AppsPath string
	// Workspaces says the control API here manages workspaces (the root's),
	// for the Postman collection.
	Workspaces bool
}

// Console serves the home page and the debugger.
type Console struct {
	cfg   Config
	pages map[string]*template.Template
	mac   *seal.MAC
}

// The pages, each a template on the shared layout.
const (
	pageHome     = "templates/home.html"
	pageDebug    = "templates/debug.html"
	pageRequests = "templates/requests.html"
	pageFaults   = "templates/faults.html"
	pageClock    = "templates/clock.html"
	pageNotFound = "templates/notfound.html"
)

// New parses the embedded templates once.
func New(cfg Config) (*Console, error) {
	if cfg.Call == nil {
		return nil, errors.New("console: Call is required")
	}
	mac, err := seal.NewMAC(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if err := checkFHIRTypes(cfg.FHIRTypes); err != nil {
		return nil, err
	}
	if cfg.ControlPath == "" {
		cfg.ControlPath = "/sandbox"
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	return &Console{cfg: cfg, pages: pages, mac: mac}, nil
}

// parsePages parses the embedded templates once per process: they never
// change and a parsed template is safe for concurrent use, so every Console
// (the root's and each workspace's) shares them.
var parsePages = sync.OnceValues(func() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"query": url.QueryEscape, "join": strings.Join, "try": tryURL, "findHref": findHref}
	return page.Pages(templateFS, funcs, pageHome, pageDebug, pageRequests, pageFaults, pageClock, pageNotFound)
})

// Register adds the pages to the root group.
func (c *Console) Register(g *echo.Group) {
	g.GET("/", c.home)
	g.GET("/debug", c.debug)
	g.POST("/debug", c.exchange)
	g.GET(startPath, c.start)
	g.POST(tokensPath, c.tokens)
	g.GET("/requests", c.requestsPage)
	g.GET("/faults", c.faultsPage)
	g.GET("/clock", c.clockPage)
	g.GET("/postman.json", c.postman)
	g.GET("/favicon.ico", func(ctx echo.Context) error {
		ctx.Response().Header().Set("Cache-Control", "public, max-age=86400")
		return ctx.Blob(http.StatusOK, page.FaviconType, []byte(page.Favicon))
	})
	g.GET("/static/style.css", func(ctx echo.Context) error {
		ctx.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return ctx.Blob(http.StatusOK, page.CSSType, []byte(page.CSS))
	})
	static, _ := fs.Sub(staticFS, "static")
	g.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))
}

func staticHandler(files fs.FS) http.Handler {
	h := http.FileServer(http.FS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// chrome is the layout's frame for the console page at path.
func (c *Console) chrome(path string, script bool) page.Chrome {
	ch := page.Chrome{Style: "/static/style.css", Favicon: "/favicon.ico", Home: "/"}
	if script {
		ch.Script = "/static/console.js"
	}
	for _, l := range []page.Link{
		{Href: "/", Text: "Home"},
		{Href: "/#finder", Text: "Find a member"},
		{Href: "/debug", Text: "Debugger"},
		{Href: "/requests", Text: "Requests"},
		{Href: "/faults", Text: "Faults"},
		{Href: "/clock", Text: "Clock"},
		{Href: "/postman.json", Text: "Postman collection"},
	} {
		l.Current = l.Href == path
		ch.Nav = append(ch.Nav, l)
	}
	return ch
}

// render writes a whole page or, on a template error, a clean 500: the page
// is rendered into a buffer first so a half page is never sent. A page
// with a script allows only the served script file, never inline script.
func (c *Console) render(ctx echo.Context, status int, name string, data any, script bool) error {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	h := ctx.Response().Header()
	if script {
		h.Set("Content-Security-Policy", page.ScriptCSP)
	} else {
		h.Set("Content-Security-Policy", page.CSP)
	}
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return ctx.HTMLBlob(status, buf.Bytes())
}

// WantsHTML reports whether r comes from a browser: its Accept names
// text/html (RFC 9110 §12.5.1). Clients that send */* or nothing get the
// path's JSON error.
func WantsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			continue
		}
		refused := false
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				refused = err != nil || q <= 0 // RFC 9110 §12.4.2: q=0 means "not acceptable"
			}
		}
		if !refused {
			return true
		}
	}
	return false
}

type notFoundPage struct {
	Chrome page.Chrome
	Path   string
	Status int
	Title  string
}

// NotFound answers a browser's request for a path the sandbox does not
// serve with a page that says so and links home. main's error handler
// calls it for a 404 or 405 when WantsHTML.
func (c *Console) NotFound(ctx echo.Context, status int) error {
	title := "Page not found"
	if status == http.StatusMethodNotAllowed {
		title = "This page does not take that request"
	}
	return c.render(ctx, status, pageNotFound, notFoundPage{
		Chrome: c.chrome("", false), Path: ctx.Request().URL.Path, Status: status, Title: title,
	}, false)
}
