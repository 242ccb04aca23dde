package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/internal/console"
	"github.com/bcbsnc-sandbox/sandbox/internal/control"
	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// app is the wired sandbox: every package built from one config.
type app struct {
	handler http.Handler
	catalog *fixtures.Catalog
	clients []oauth.Client
}

// maxBody bounds every request body; the largest legitimate one is a token
// or _search form of a few hundred bytes.
const maxBody = "1M"

func newApp(cfg config, logger *serverLog) (*app, error) {
	key, err := loadSigningKey(cfg.SigningKey)
	if err != nil {
		return nil, err
	}
	clients := []oauth.Client{docsClient()}
	if cfg.ClientsFile != "" {
		extra, err := oauth.LoadClients(cfg.ClientsFile)
		if err != nil {
			return nil, fmt.Errorf("%w: --clients: %v", ErrUsage, err)
		}
		clients = append(clients, extra...)
	}
	catalog := fixtures.NewCatalogAsOf(cfg.Seed, cfg.Members, cfg.AsOf)
	if cfg.AutoApprove != "" {
		if _, ok := catalog.ByUsername(cfg.AutoApprove); !ok {
			return nil, fmt.Errorf("%w: --auto-approve: no account %q", ErrUsage, cfg.AutoApprove)
		}
	}
	base := baseURLFunc(cfg.BaseURL)
	clock := &control.Clock{}
	// One writer shapes the router's errors and the injected faults, by
	// path, as the packages shape their own.
	errs := httperr.New(httperr.Config{Profile: cfg.Profile, IssuerPath: oauth.IssuerPath, FHIRPath: fhir.BasePath})

	fhirTypes := fhir.Types()

	authServer, err := oauth.New(oauth.Config{
		Profile:       cfg.Profile,
		BaseURL:       base,
		Key:           key,
		Clients:       clients,
		Accounts:      accountLookup(catalog),
		AutoApprove:   cfg.AutoApprove,
		TokenTTL:      cfg.TokenTTL,
		Now:           clock.Now,
		FHIRBasePath:  fhir.BasePath,
		ResourceTypes: fhirTypeNames(fhirTypes),
	})
	if err != nil {
		return nil, err
	}
	screens, err := consent.New(consent.Config{
		Flow:          authServer,
		Authenticate:  catalog.Authenticate,
		Key:           seal.FromSigningKey(key, "consent cookie"),
		BaseURL:       base,
		Now:           clock.Now,
		ResourceWords: fhirTypeWords(fhirTypes),
		MemberName: func(username string) string {
			if m, ok := catalog.ByUsername(username); ok {
				return m.GivenName + " " + m.FamilyName
			}
			return ""
		},
	})
	if err != nil {
		return nil, err
	}
	api, err := fhir.New(fhir.Config{
		Profile:    cfg.Profile,
		BaseURL:    base,
		IssuerPath: oauth.IssuerPath,
		Authorize:  fhirAuthorizer(authServer),
		Members:    catalog.Member,
	})
	if err != nil {
		return nil, err
	}

	ctl := control.New(control.Config{
		Clock:      clock,
		IssuerPath: oauth.IssuerPath,
		FHIRPath:   fhir.BasePath,
		BaseURL:    base,
		// An injected /authorize error goes only where a real one would.
		AuthorizeError: authServer.ErrorRedirect,
		AddClaim: func(patientID, claimType string, now time.Time) (json.RawMessage, error) {
			r, err := catalog.AddClaim(patientID, claimType, now)
			if err != nil {
				return nil, controlError(err)
			}
			api.Invalidate(patientID)
			return r.JSON, nil
		},
		Touch: func(patientID, resourceType, id string, now time.Time) (json.RawMessage, error) {
			r, err := catalog.Touch(patientID, resourceType, id, now)
			if err != nil {
				return nil, controlError(err)
			}
			api.Invalidate(patientID)
			return r.JSON, nil
		},
		OnReset: []func(){
			screens.ResetThrottle,
			func() {
				for _, id := range catalog.Reset() {
					api.Invalidate(id)
				}
			},
		},
		Warn: func(ctx context.Context, msg string, args ...any) {
			logger.WarnContext(ctx, msg, args...)
		},
		Errors: errs,
		Hosts:  cfg.controlHosts(),
		Off:    !cfg.Control,
	})

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(requestLog(logger), middleware.Recover(), bodyLimit(), baseHeaders, ctl.Middleware())
	e.GET("/health", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	authServer.Register(e.Group(""))
	screens.Register(e.Group(oauth.IssuerPath))
	api.Register(e.Group(fhir.BasePath))

	members := newFinder(cfg.Seed, cfg.Members, catalog)
	pages, err := console.New(console.Config{
		BaseURL:       base,
		IssuerPath:    oauth.IssuerPath,
		FHIRPath:      fhir.BasePath,
		Profile:       cfg.Profile,
		Accounts:      consoleAccounts(catalog),
		Clients:       consoleClients(clients),
		ControlPath:   control.Prefix,
		DebugClientID: fixtures.DocsClientID,
		Call:          inProcessCall(e),
		ClientChecks:  ctl.ClientChecks,
		Key:           seal.FromSigningKey(key, "debugger csrf"),
		FHIRTypes:     consoleFHIRTypes(fhirTypes),
		Finder:        members,
	})
	if err != nil {
		return nil, err
	}
	e.HTTPErrorHandler = errorHandler(logger.Logger, errs, pages)
	pages.Register(e.Group(""))
	ctl.Register(e.Group(""))
	ctl.RegisterFinder(e.Group(""), members.Handler(control.Problem))
	return &app{handler: e, catalog: catalog, clients: clients}, nil
}

func consoleAccounts(c *fixtures.Catalog) []console.Account {
	var out []console.Account
	for _, a := range c.DocsAccounts() {
		out = append(out, console.Account{Username: a.Username, Password: a.Password, PatientID: a.PatientID, Description: a.Description})
	}
	return out
}

func consoleClients(clients []oauth.Client) []console.Client {
	out := make([]console.Client, len(clients))
	for i, c := range clients {
		out[i] = console.Client{ID: c.ID, Name: c.Name, Secret: c.Secret, Public: c.Secret == "", RedirectURIs: c.RedirectURIs}
	}
	return out
}

// controlError maps the catalog's edit errors to the control API's.
func controlError(err error) error {
	switch {
	case errors.Is(err, fixtures.ErrUnknownMember), errors.Is(err, fixtures.ErrUnknownResource):
		return fmt.Errorf("%w: %v", control.ErrNotFound, err)
	case errors.Is(err, fixtures.ErrBadClaimType):
		return fmt.Errorf("%w: %v", control.ErrInvalid, err)
	case errors.Is(err, fixtures.ErrEditLimit):
		return fmt.Errorf("%w: %v", control.ErrLimit, err)
	}
	return err
}

// docsClient is the client the vendor docs publish, registered as the docs
// say plus the sandbox's own debugger page.
func docsClient() oauth.Client {
	return oauth.Client{
		ID:           fixtures.DocsClientID,
		Secret:       fixtures.DocsClientSecret,
		Name:         "Blue Cross NC sandbox example app",
		RedirectURIs: []string{fixtures.DocsRedirectURI, "{base}/debug"},
	}
}

// accountLookup adapts the catalog to what the authorization server needs
// for id_tokens and userinfo.
func accountLookup(c *fixtures.Catalog) func(string) (oauth.Account, bool) {
	return func(username string) (oauth.Account, bool) {
		m, ok := c.ByUsername(username)
		if !ok {
			return oauth.Account{}, false
		}
		return oauth.Account{
			Username:   m.Username,
			PatientID:  m.PatientID,
			GivenName:  m.GivenName,
			FamilyName: m.FamilyName,
			Email:      m.Email,
			Created:    m.Created,
		}, true
	}
}

// fhirAuthorizer adapts token lookup to the FHIR API, which never imports
// the authorization server.
func fhirAuthorizer(s *oauth.Server) func(context.Context, string) (fhir.Grant, error) {
	return func(ctx context.Context, bearer string) (fhir.Grant, error) {
		g, err := s.Lookup(ctx, bearer)
		if err != nil {
			return fhir.Grant{}, err
		}
		fg := fhir.Grant{Patient: g.Patient, Scopes: g.Scopes, FHIRUser: g.FHIRUser}
		if r := g.Representative; r != nil {
			fg.RelatedPerson = &fhir.RelatedPerson{
				ID:               g.RelatedPersonID,
				Name:             r.FullName,
				Relationship:     r.Relationship,
				RelationshipText: r.OtherRelationship,
			}
		}
		return fg, nil
	}
}

// errorHandler answers what no package answered itself (an unknown path
// outside the FHIR base, a wrong method, a body over the limit, a panic) in
// the shape of the path's own errors, which errs decides. Unexpected errors
// are logged and become a plain 500 that reveals nothing. A browser asking
// for a page the sandbox does not have gets the console's page with a way
// home instead of JSON (RFC 9110 §12.5.1, Accept).
func errorHandler(logger *slog.Logger, errs *httperr.Writer, pages *console.Console) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := httperr.Error{Status: http.StatusInternalServerError, Message: "internal error"}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			e.Status, e.Message = he.Code, http.StatusText(he.Code)
			if m, ok := he.Message.(string); ok && m != "" {
				e.Message = m
			}
		} else {
			logger.Error("unhandled error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		if (e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed) && pages != nil &&
			console.WantsHTML(c.Request()) && !strings.HasPrefix(c.Request().URL.Path, fhir.BasePath) {
			if err := pages.NotFound(c, e.Status); err == nil {
				return
			}
		}
		_ = errs.Write(c.Response(), c.Request(), e)
	}
}

// bodyLimit refuses a body over maxBody with a 413. A request without a
// body (net/http gives it http.NoBody) has nothing to limit: skipping it
// spares most requests the limiter's wrapping.
func bodyLimit() echo.MiddlewareFunc {
	return middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   maxBody,
		Skipper: func(c echo.Context) bool { return c.Request().Body == http.NoBody },
	})
}

// baseHeaders sets what every response carries. HTML pages add their own
// Content-Security-Policy and frame rules.
func baseHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The canonical name, assigned directly, and one shared value, as
		// the FHIR API's CORS headers: no allocation on every answer.
		c.Response().Header()["X-Content-Type-Options"] = nosniff
		return next(c)
	}
}

var nosniff = []string{"nosniff"}
