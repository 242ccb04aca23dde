package app

import (
	"context"
	"crypto/rsa"
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
	"github.com/bcbsnc-sandbox/sandbox/internal/finder"
	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// app is the wired sandbox: every package built from one config. Its
// handler serves the root sandbox and, under /w/{name}/, the workspaces
// (workspaces.go), each a whole sandbox of its own over the same members.
type app struct {
	handler    http.Handler
	catalog    *fixtures.Catalog
	clients    []oauth.Client
	workspaces *workspaces // nil when --workspaces=0
	shared     store.Store // nil under --store memory
}

// close stops what the app runs beside its handler: the shared store's
// subscription and client.
func (a *app) close() {
	if a.shared != nil {
		_ = a.shared.Close()
	}
}

// maxBody bounds every request body; the largest legitimate one is a token
// or _search form of a few hundred bytes.
const maxBody = "1M"

// shared is what the root sandbox and every workspace have in common: the
// settings, the signing key, the clients, the members as built (each
// instance lays its own edits over them) and the cache of rendered pages.
type shared struct {
	cfg       config
	logger    *serverLog
	key       *rsa.PrivateKey
	clients   []oauth.Client
	catalog   *fixtures.Catalog // the root's; workspaces read through overlays of it
	pages     *fhir.PageCache
	indexes   *fhir.IndexCache
	fhirTypes []fhir.TypeInfo
	base      func(*http.Request) string // the root's base URL
	// finder summarises members as the seed makes them, for every
	// instance's home page and control API: one cache for all.
	finder *finder.Finder
	// store is the state shared with the other replicas (--store), nil
	// when this process is the only one.
	store store.Store
}

// instance is what makes one wired sandbox what it is: the root, or a
// workspace with its own settings.
type instance struct {
	name        string // the workspace's; "" for the root
	profile     profile.Profile
	autoApprove string
	tokenTTL    time.Duration
	catalog     *fixtures.Catalog // the root's catalog, or a workspace's overlay of it
	// notBefore is when a workspace of the same name was last forgotten:
	// nothing minted before it opens (oauth.Config.NotBefore).
	notBefore time.Time
	// workspaces are served under the root, and managed from its control
	// API; nil in a workspace, and when there are none.
	workspaces *workspaces
}

// prefix is the instance's path below the root's base URL.
func (in instance) prefix() string {
	if in.name == "" {
		return ""
	}
	return workspacePrefix + in.name
}

// keyLabel is the purpose a key of the instance is derived for: the root's
// labels are unchanged, a workspace's name it, so no value sealed or MACed
// in one instance opens in another (RFC 5869 §3.2).
func (in instance) keyLabel(purpose string) string {
	if in.name == "" {
		return purpose
	}
	return purpose + " of workspace " + in.name
}

// wired is one instance built: its router and what its callers reach.
type wired struct {
	echo *echo.Echo
	ctl  *control.Control
	// close stops the instance hearing the shared store (a forgotten
	// workspace's).
	close func()
}

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
		if _, ok := catalog.Identity(cfg.AutoApprove); !ok {
			return nil, fmt.Errorf("%w: --auto-approve: no account %q", ErrUsage, cfg.AutoApprove)
		}
	}
	replicas := cfg.shared
	if replicas == nil && cfg.Store != "memory" {
		if replicas, err = store.NewRedis(cfg.Store, logger.Logger); err != nil {
			return nil, fmt.Errorf("%w: --store: %v", ErrUsage, err)
		}
	}
	sh := &shared{
		cfg: cfg, logger: logger, key: key, clients: clients, catalog: catalog, store: replicas,
		pages: fhir.NewPageCache(pageCacheBytes), indexes: fhir.NewIndexCache(),
		fhirTypes: fhir.Types(), base: baseURLFunc(cfg.BaseURL),
		finder: newFinder(cfg.Seed, cfg.Members, catalog),
	}
	a := &app{catalog: catalog, clients: clients, shared: replicas}
	root := instance{profile: cfg.Profile, autoApprove: cfg.AutoApprove, tokenTTL: cfg.TokenTTL, catalog: catalog}
	if cfg.Workspaces > 0 {
		a.workspaces = newWorkspaces(sh, cfg.Workspaces, cfg.WorkspaceIdle)
		root.workspaces = a.workspaces
	}
	w, err := sh.wire(root)
	if err != nil {
		if cfg.shared == nil {
			a.close() // the Redis client this call made
		}
		return nil, err
	}
	a.handler = w.echo
	return a, nil
}

// pageCacheBytes bounds the rendered search pages the root and every
// workspace share: about 65 ten-claim pages of CARIN EOBs (some 60 KB
// each), many times what a test suite reads again, in 4 of the 64 MB the
// whole server aims at.
const pageCacheBytes = 4 << 20

// The bounds of a workspace's state, smaller than the root's so that
// --workspaces of them stay within README, "Limits": one at every bound
// holds about 2 MB (TestFullWorkspaceMemory).
const (
	workspaceRecords       = 2_500 // spent values, and revocations, each
	workspaceGrants        = 500
	workspaceOpenedTokens  = 256
	workspaceFlows         = 1_000
	workspaceLogins        = 1_000
	workspaceRequestLog    = 100
	workspaceEditedMembers = 20
	workspaceEdits         = 50
)

// wire builds one instance: every package from the shared parts and the
// instance's own settings, state and keys.
func (sh *shared) wire(in instance) (*wired, error) {
	cfg, key, catalog := sh.cfg, sh.key, in.catalog
	base := sh.base
	if p := in.prefix(); p != "" {
		root := sh.base
		base = func(r *http.Request) string { return root(r) + p }
	}
	clock := &control.Clock{}
	// One writer shapes the router's errors and the injected faults, by
	// path, as the packages shape their own.
	errs := httperr.New(httperr.Config{Profile: in.profile, IssuerPath: oauth.IssuerPath, FHIRPath: fhir.BasePath})

	fhirTypes := sh.fhirTypes
	ocfg := oauth.Config{
		Profile:       in.profile,
		BaseURL:       base,
		Key:           key,
		Clients:       sh.clients,
		Accounts:      accountLookup(catalog),
		AutoApprove:   in.autoApprove,
		TokenTTL:      in.tokenTTL,
		Now:           clock.Now,
		FHIRBasePath:  fhir.BasePath,
		ResourceTypes: fhirTypeNames(fhirTypes),
		KeyScope:      in.name,
		NotBefore:     in.notBefore,
		Shared:        sh.store,
	}
	ccfg := consent.Config{
		Shared:        sh.store,
		Namespace:     store.Namespace(in.name),
		Authenticate:  catalog.Authenticate,
		Key:           seal.FromSigningKey(key, in.keyLabel("consent cookie")),
		BaseURL:       base,
		Now:           clock.Now,
		ResourceWords: fhirTypeWords(fhirTypes),
		MemberName: func(username string) string {
			if id, ok := catalog.Identity(username); ok {
				return id.GivenName + " " + id.FamilyName
			}
			return ""
		},
	}
	logSize, delegated := 0, ""
	var manage control.Workspaces // nil, not a nil *workspaces: the control API adds the routes for a non-nil one
	if in.workspaces != nil {
		manage = in.workspaces
		delegated = workspacePrefix // the workspaces' own control APIs log and fault their requests
	}
	if in.name != "" {
		ocfg.Limits = oauth.Limits{Records: workspaceRecords, Grants: workspaceGrants, OpenedTokens: workspaceOpenedTokens}
		ccfg.Limits = consent.Limits{Flows: workspaceFlows, Logins: workspaceLogins}
		logSize = workspaceRequestLog
	}
	authServer, err := oauth.New(ocfg)
	if err != nil {
		return nil, err
	}
	ccfg.Flow, ccfg.Apps = authServer, authServer
	screens, err := consent.New(ccfg)
	if err != nil {
		return nil, err
	}
	api, err := fhir.New(fhir.Config{
		Profile:    in.profile,
		BaseURL:    base,
		IssuerPath: oauth.IssuerPath,
		Authorize:  fhirAuthorizer(authServer),
		Members:    catalog.Member,
		Pages:      sh.pages,
		Indexes:    sh.indexes,
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
		Mint:          mintHook(authServer),
		Grants:        grantsHook(catalog, authServer),
		RevokeGrants:  grantActionHook(catalog, authServer.RevokeGrants),
		ExpireRefresh: grantActionHook(catalog, authServer.ExpireRefresh),
		OnReset: []func(){
			screens.ResetThrottle,
			func() {
				for _, id := range catalog.Reset() {
					api.Invalidate(id)
				}
			},
		},
		Warn: func(ctx context.Context, msg string, args ...any) {
			sh.logger.WarnContext(ctx, msg, args...)
		},
		Errors:         errs,
		Hosts:          cfg.controlHosts(),
		Off:            !cfg.Control,
		RequestLogSize: logSize,
		Workspaces:     manage,
		Delegated:      delegated,
		Shared:         sh.store,
		Namespace:      store.Namespace(in.name),
	})

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if in.name == "" {
		e.Use(requestLog(sh.logger))
	} // a workspace's requests reach it through the root's router, which logged them by their full path
	e.Use(middleware.Recover(), bodyLimit(), baseHeaders, ctl.Middleware())
	e.GET("/health", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	authServer.Register(e.Group(""))
	screens.Register(e.Group(oauth.IssuerPath))
	api.Register(e.Group(fhir.BasePath))

	pages, err := console.New(console.Config{
		BaseURL:        base,
		IssuerPath:     oauth.IssuerPath,
		FHIRPath:       fhir.BasePath,
		Profile:        in.profile,
		Accounts:       consoleAccounts(catalog),
		Clients:        consoleClients(sh.clients),
		ControlPath:    control.Prefix,
		DebugClientID:  fixtures.DocsClientID,
		Call:           inProcessCall(e),
		ClientChecks:   ctl.ClientChecks,
		Key:            seal.FromSigningKey(key, in.keyLabel("debugger csrf")),
		FHIRTypes:      consoleFHIRTypes(fhirTypes),
		Finder:         sh.finder,
		FinderConsents: grantConsents(authServer),
		AppsPath:       consent.AppsPath,
		Workspaces:     in.workspaces != nil,
	})
	if err != nil {
		return nil, err
	}
	e.HTTPErrorHandler = errorHandler(sh.logger.Logger, errs, pages)
	pages.Register(e.Group(""))
	ctl.Register(e.Group(""))
	ctl.RegisterFinder(e.Group(""), sh.finder.Handler(control.Problem, grantConsents(authServer)))
	if in.workspaces != nil {
		// Any method: each workspace's router answers as the root's would.
		e.Any(workspacePrefix+"*", in.workspaces.serve)
	}
	return &wired{echo: e, ctl: ctl, close: func() { authServer.Close(); ctl.Close() }}, nil
}

func consoleAccounts(c *fixtures.Catalog) []console.Account {
	var out []console.Account
	for _, a := range c.Accounts() { // the docs' and the edge cases'
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
	case errors.Is(err, fixtures.ErrRecordEnded):
		return fmt.Errorf("%w: %v", control.ErrConflict, err)
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
// for id_tokens and userinfo: the identity alone, so that logging in as
// thousands of members builds none of their records.
func accountLookup(c *fixtures.Catalog) func(string) (oauth.Account, bool) {
	return func(username string) (oauth.Account, bool) {
		id, ok := c.Identity(username)
		if !ok {
			return oauth.Account{}, false
		}
		return oauth.Account{
			Username:   id.Username,
			PatientID:  id.PatientID,
			GivenName:  id.GivenName,
			FamilyName: id.FamilyName,
			Email:      id.Email,
			Created:    id.Created,
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
		if errors.Is(err, store.ErrUnavailable) {
			// The replicas' shared store is down: refuse, say why, and
			// say when to try again (RFC 9110 §10.2.3).
			c.Response().Header().Set("Retry-After", "1")
			e.Status, e.Message = http.StatusServiceUnavailable, err.Error()
		} else if errors.As(err, &he) {
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
