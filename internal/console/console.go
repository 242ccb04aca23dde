// Package console serves the pages a developer opens in a browser: the home
// page with the accounts, the clients and a "Try it" button, and the
// debugger that the docs' client redirects to, which shows the code it got,
// exchanges it with one click and prints ready-to-paste curl commands.
//
// It speaks no OAuth itself: the code exchange is a func that main wires to
// the authorization server's real token endpoint.
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

// Client is a registered client as the home page lists it.
type Client struct {
	ID, Name     string
	Public       bool
	RedirectURIs []string
}

// Exchange posts form to the sandbox's token endpoint on behalf of the
// debugger and returns the status and body the endpoint answered.
type Exchange func(ctx context.Context, r *http.Request, form url.Values) (status int, body []byte, err error)

// Config is what the pages need.
type Config struct {
	BaseURL    func(*http.Request) string
	IssuerPath string
	FHIRPath   string
	Profile    profile.Profile
	Accounts   []Account
	Clients    []Client
	// DebugClientID and DebugClientSecret are the client whose "{base}/debug"
	// redirect the debugger serves: the docs' client.
	DebugClientID, DebugClientSecret string
	Exchange                         Exchange
	// ClientChecks returns what the /authorize request with this state got
	// wrong (the control API's request log); nil turns the panel off.
	ClientChecks func(state string) []string
	// Key keys the debugger's CSRF token (32 bytes).
	Key []byte
	// FHIRTypes are the types the FHIR API serves, from its route table:
	// the Postman collection reads and searches each of them.
	FHIRTypes []FHIRType
	// Workspaces says the control API here manages workspaces (the root's),
	// for the Postman collection.
	Workspaces bool
}

// Console serves the home page and the debugger.
type Console struct {
	cfg   Config
	pages *template.Template
	csrf  *seal.MAC
}

// New parses the embedded templates once.
func New(cfg Config) (*Console, error) {
	if cfg.Exchange == nil {
		return nil, errors.New("console: Exchange is required")
	}
	csrf, err := seal.NewMAC(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	if err := checkFHIRTypes(cfg.FHIRTypes); err != nil {
		return nil, err
	}
	t, err := template.New("").Funcs(template.FuncMap{"query": url.QueryEscape}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Console{cfg: cfg, pages: t, csrf: csrf}, nil
}

// Register adds the pages to the root group.
func (c *Console) Register(g *echo.Group) {
	g.GET("/", c.home)
	g.GET("/debug", c.debug)
	g.POST("/debug", c.exchange)
	g.GET("/postman.json", c.postman)
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

// pageCSP allows no script at all and only the sandbox's own stylesheet.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"

// render writes a whole page or, on a template error, a clean 500: the page
// is rendered into a buffer first so a half page is never sent.
func (c *Console) render(ctx echo.Context, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := c.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	h := ctx.Response().Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return ctx.HTMLBlob(status, buf.Bytes())
}
