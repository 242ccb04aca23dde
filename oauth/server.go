// Package oauth is the sandbox's authorization server: the SMART App Launch
// and OpenID Connect protocol the Blue Cross NC docs describe (authorize,
// token, PKCE, refresh, revoke, introspect, userinfo, discovery, JWKS and
// the id_token). The member's screens live in package consent; this package
// validates a request, seals it into a handle, and implements consent.Flow
// to turn the member's decision into a code.
//
// Codes, access tokens and refresh tokens are self-contained: AES-GCM sealed
// with a key derived from the RSA signing key, so servers built from the same
// key accept each other's tokens. What must be remembered (spent codes,
// rotated refresh tokens, revocations) lives in one store per Server.
package oauth

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/seal"
	sharedstore "github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/labstack/echo/v4"
)

// IssuerPath is the issuer's path below the base URL (README, "Endpoints").
const IssuerPath = "/fhirmember/sps/oauth/oauth20"

// Lifetimes. Codes live 1 hour as the docs say; refresh tokens keep the
// expiry of the grant they started through every rotation.
const (
	codeTTL          = time.Hour
	requestTTL       = time.Hour
	refreshTTL       = 30 * 24 * time.Hour
	defaultTokenTTL  = time.Hour
	maxTokenBodySize = 64 << 10
)

// Account is what the server knows of a member's login, for id_token and userinfo.
type Account struct{ Username, PatientID, GivenName, FamilyName, Email, Created string }

// Config is what New needs.
type Config struct {
	Profile     profile.Profile // the zero value is profile.BCBSNC (README, "Profiles")
	BaseURL     func(*http.Request) string
	Key         *rsa.PrivateKey
	Clients     []Client
	Accounts    func(username string) (Account, bool)
	AutoApprove string        // username, see README, "Settings"
	TokenTTL    time.Duration // access tokens; zero means 1 h; codes live 1 h
	Now         func() time.Time
	// FHIRBasePath is the FHIR API's base below the base URL (fhir.BasePath):
	// the server names it in aud, fhirUser and SMART discovery, and serves
	// the SMART configuration and UserInfo under it.
	FHIRBasePath string
	// ResourceTypes are the FHIR types the FHIR API serves (its route
	// table): the server grants and advertises patient/{Type}.* and
	// user/{Type}.* (SMART App Launch 2 §3) for exactly these.
	ResourceTypes []string
	// KeyScope, when set, gives the server a sealing key of its own, derived
	// for that scope: codes, tokens and consent handles of a server with
	// another scope (or none) never open here, nor its here. A sandbox
	// workspace's name.
	KeyScope string
	// Limits bound what the server remembers; a zero field takes its default.
	Limits Limits
	// NotBefore refuses, as spent or revoked, every value minted (in real
	// time) before it: a server built in place of one that was dropped sets
	// it to when that one was, so that nothing the other spent or revoked
	// opens again here.
	NotBefore time.Time
	// Shared, when set, is the state the server shares with its replicas
	// in other processes, under KeyScope's namespace: single uses are
	// decided there, and revocations recorded there and heard from it.
	// Nil when the process is the only replica.
	Shared sharedstore.Store
}

// Limits bound what a Server remembers (README, "Limits").
type Limits struct {
	// Records bounds each of the store's ledgers, spent values and
	// revocations; zero means 100,000.
	Records int
	// Grants bounds the grants recorded for the members' apps page and the
	// control API; zero means 10,000.
	Grants int
	// OpenedTokens bounds the opened access tokens kept; zero means 4,096.
	OpenedTokens int
}

// orDefault is n, or def when n is zero or less.
func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// Grant is what an access token allows, as the FHIR API needs it.
type Grant struct {
	ClientID, Username, Patient, FHIRUser string // FHIRUser "Patient/{id}" or "RelatedPerson/{id}"
	Scopes                                []string
	Representative                        *consent.Representative // nil for Self
	RelatedPersonID                       string
	ExpiresAt                             time.Time
}

// Server is the authorization server. It is safe for concurrent use.
type Server struct {
	cfg     Config
	scopes  scopeRules
	clients map[string]Client
	seal    *seal.Sealer
	signer  *idTokenSigner
	store   *store
	opened  *openedTokens
	page    *template.Template
}

var _ consent.Flow = (*Server)(nil)

// New checks cfg and builds a Server.
func New(cfg Config) (*Server, error) {
	if !cfg.Profile.Valid() {
		return nil, fmt.Errorf("oauth: unknown profile %v (want %s)", cfg.Profile, profile.Names())
	}
	if cfg.Key == nil {
		return nil, errors.New("oauth: no signing key")
	}
	if cfg.Accounts == nil {
		return nil, errors.New("oauth: no account lookup")
	}
	if cfg.TokenTTL < 0 {
		return nil, fmt.Errorf("oauth: negative token TTL %v", cfg.TokenTTL)
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = defaultTokenTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BaseURL == nil {
		return nil, errors.New("oauth: no BaseURL function")
	}
	if cfg.AutoApprove != "" {
		if _, ok := cfg.Accounts(cfg.AutoApprove); !ok {
			return nil, fmt.Errorf("oauth: auto-approve user %q is not a known account", cfg.AutoApprove)
		}
	}
	if err := checkClients(cfg.Clients); err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	if err := checkFHIRBasePath(cfg.FHIRBasePath); err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	scopes, err := newScopeRules(cfg.ResourceTypes)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	clients := make(map[string]Client, len(cfg.Clients))
	for _, c := range cfg.Clients {
		if c.Name == "" {
			c.Name = c.ID
		}
		clients[c.ID] = c
	}
	sealer, err := seal.New(seal.FromSigningKey(cfg.Key, tokenKeyLabel(cfg.KeyScope)))
	if err != nil {
		return nil, err
	}
	signer, err := newIDTokenSigner(cfg.Key)
	if err != nil {
		return nil, err
	}
	page, err := parseErrorPage()
	if err != nil {
		return nil, err
	}
	st := newStore(cfg.Now, time.Now, orDefault(cfg.Limits.Records, maxRecords))
	st.grants.max = orDefault(cfg.Limits.Grants, maxGrants)
	st.setFloor(cfg.NotBefore)
	if cfg.Shared != nil {
		st.share(cfg.Shared, sharedstore.Namespace(cfg.KeyScope))
	}
	return &Server{cfg: cfg, scopes: scopes, clients: clients, seal: sealer, signer: signer, store: st,
		opened: newOpenedTokens(orDefault(cfg.Limits.OpenedTokens, openedTokensMax)), page: page}, nil
}

// Register adds every route of the server to g, the root group: the issuer's
// endpoints, both discovery documents, userinfo and the SMART configuration.
func (s *Server) Register(g *echo.Group) {
	iss := IssuerPath
	for _, p := range []string{iss + "/authorize", iss + "/authorize/"} {
		g.GET(p, s.authorize)
		g.POST(p, s.authorize)
	}
	routes := []struct {
		method, path string
		h            echo.HandlerFunc
	}{
		{http.MethodPost, iss + "/token", s.tokenEndpoint},
		{http.MethodPost, iss + "/revoke", s.revoke},
		{http.MethodPost, iss + "/introspect", s.introspect},
		{http.MethodGet, iss + "/jwks", s.jwks},
		{http.MethodGet, iss + "/.well-known/openid-configuration", s.openIDConfiguration},
		{http.MethodGet, "/.well-known/openid-configuration", s.openIDConfiguration},
		{http.MethodGet, s.cfg.FHIRBasePath + "/.well-known/smart-configuration", s.smartConfiguration},
		{http.MethodGet, "/v1/connect/userinfo", s.userinfo},
		{http.MethodPost, "/v1/connect/userinfo", s.userinfo},
		{http.MethodGet, s.cfg.FHIRBasePath + "/UserInfo", s.userinfo},
		{http.MethodPost, s.cfg.FHIRBasePath + "/UserInfo", s.userinfo},
	}
	preflight := map[string]bool{}
	allowed := map[string][]string{}
	for _, rt := range routes {
		g.Add(rt.method, rt.path, rt.h, cors)
		allowed[rt.path] = append(allowed[rt.path], rt.method)
		if !preflight[rt.path] {
			preflight[rt.path] = true
			g.OPTIONS(rt.path, func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, cors)
		}
	}
	// Under the FHIR base the FHIR API's catch-all would answer any other
	// method with a 404; these routes exist, so it is a 405 that says which
	// methods they take (RFC 9110 §15.5.6).
	for path, methods := range allowed {
		if !strings.HasPrefix(path, s.cfg.FHIRBasePath) {
			continue
		}
		allow := strings.Join(append(methods, http.MethodOptions), ", ")
		g.Match(otherMethods(methods), path, methodNotAllowed(allow))
	}
}

// otherMethods are the methods echo routes that are not in served and not
// OPTIONS.
func otherMethods(served []string) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodTrace, "PROPFIND", "REPORT"} {
		if !slices.Contains(served, m) {
			out = append(out, m)
		}
	}
	return out
}

// methodNotAllowed answers 405 with Allow. The body is the router's error
// writer's, in the FHIR base's shape for the profile.
func methodNotAllowed(allow string) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Allow", allow)
		return echo.NewHTTPError(http.StatusMethodNotAllowed, "this endpoint takes "+allow)
	}
}

// issuer is the issuer URL for r (README, "Endpoints").
func (s *Server) issuer(base string) string { return base + IssuerPath }

// fhirBase is the FHIR base URL for a base URL.
func (s *Server) fhirBase(base string) string { return base + s.cfg.FHIRBasePath }

// checkFHIRBasePath accepts a path below the base URL that echo routes as
// written: a leading slash, no trailing one, no route parameter or wildcard.
func checkFHIRBasePath(p string) error {
	if len(p) < 2 || p[0] != '/' || strings.HasSuffix(p, "/") || strings.ContainsAny(p, ":*?#") {
		return fmt.Errorf("FHIR base path %q must be an absolute path like /fhir/r4, without a trailing slash", p)
	}
	return nil
}
