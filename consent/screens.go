package consent

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// Config is what the screens need from main.
type Config struct {
	Flow         Flow
	Authenticate Authenticator
	// Key is 32 bytes: it seals the flow states and the browser cookie
	// and keys the CSRF MAC.
	// Replicas sharing it continue each other's flows.
	Key []byte
	// BaseURL is the public base URL without a trailing slash; only its
	// path is used, to build the form action and cookie path. Nil means
	// the sandbox is served at the root.
	BaseURL func(*http.Request) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ResourceWords says in plain words what each FHIR type the API serves
	// holds, by type name ("Coverage": "your coverage: plans, ..."): the
	// consent page says this for an app's patient/{Type}.* scope. main
	// passes the FHIR route table's words.
	ResourceWords map[string]string
	// MemberName is the name of the member who logs in as username, for
	// a representative's screens to say whose data is shared; nil or ""
	// means the screens name the account instead.
	MemberName func(username string) string
	// Apps, when set, serves the members' apps page at AppsPath.
	Apps Apps
	// Limits bound what the screens remember; a zero field takes its default.
	Limits Limits
	// Shared, when set, holds the login throttle for every replica, under
	// Namespace (throttle.go); nil keeps it in this process.
	Shared    store.Store
	Namespace string
}

// Limits bound the screens' memory (README, "Limits").
type Limits struct {
	// Flows bounds the flows whose progress the step ledger keeps; zero
	// means 50,000.
	Flows int
	// Logins bounds the login failure counters, and apart from them the
	// locked accounts; zero means 10,000 each (with 4,096 overflow locks,
	// fewer in proportion to a smaller bound).
	Logins int
}

// Screens serves the member's screens. It is safe for concurrent use; its
// only state in memory is the login throttle and how far each flow has got
// (so that a superseded step cannot run again), both per process.
type Screens struct {
	flow         Flow
	authenticate Authenticator
	baseURL      func(*http.Request) string
	now          func() time.Time
	sealer       sealer
	csrf         csrfMAC
	throttle     *throttle
	steps        *stepLedger
	pages        pages
	words        map[string]string
	memberName   func(string) string
	appsPage     *appsPage // nil: no apps page
}

// New checks cfg and parses the templates once.
func New(cfg Config) (*Screens, error) {
	switch {
	case cfg.Flow == nil:
		return nil, errors.New("consent: Config.Flow is nil")
	case cfg.Authenticate == nil:
		return nil, errors.New("consent: Config.Authenticate is nil")
	case len(cfg.Key) != 32:
		return nil, errors.New("consent: Config.Key must be 32 bytes")
	case len(cfg.ResourceWords) == 0:
		return nil, errors.New("consent: Config.ResourceWords is empty")
	}
	for _, typ := range slices.Sorted(maps.Keys(cfg.ResourceWords)) {
		if typ == "" || strings.TrimSpace(cfg.ResourceWords[typ]) == "" {
			return nil, fmt.Errorf("consent: Config.ResourceWords has no words for %q", typ)
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sl, err := newSealer(cfg.Key)
	if err != nil {
		return nil, err
	}
	csrf, err := newCSRF(cfg.Key)
	if err != nil {
		return nil, err
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Screens{
		flow:         cfg.Flow,
		authenticate: cfg.Authenticate,
		baseURL:      cfg.BaseURL,
		now:          now,
		sealer:       sl,
		csrf:         csrf,
		throttle:     newThrottle(now),
		steps:        newStepLedger(now, time.Now, positiveOr(cfg.Limits.Flows, maxFlows)),
		pages:        p,
		words:        maps.Clone(cfg.ResourceWords),
		memberName:   cfg.MemberName,
	}
	if n := cfg.Limits.Logins; n > 0 {
		// The overflow locks shrink with the lock table they back up.
		s.throttle = newThrottleSized(now, n, n, overflowSlots*n/maxLocked)
	}
	if cfg.Shared != nil {
		s.throttle.share(cfg.Shared, cfg.Namespace)
	}
	if cfg.Apps != nil {
		if s.appsPage, err = newAppsPage(cfg.Apps, cfg.Key); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// positiveOr is n, or def when n is zero or less.
func positiveOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// Register adds the screens to g, the issuer group (e.Group(oauth.IssuerPath)):
//
//	GET  {issuer}/consent?request=HANDLE  starts a flow at the disclaimer
//	POST {issuer}/consent                 posts one step's form
//	GET  {issuer}/consent/style.css       the site's stylesheet
//	GET  {issuer}/consent/favicon.ico     the site's icon
//	GET  {issuer}/apps                    the members' apps page (with Config.Apps)
//	POST {issuer}/apps                    its log in, remove and log out
func (s *Screens) Register(g *echo.Group) {
	g.GET(StartPath, s.start, securityHeaders)
	g.POST(StartPath, s.step, securityHeaders)
	g.GET(StartPath+"/style.css", s.style, securityHeaders)
	g.GET(StartPath+"/favicon.ico", s.favicon, securityHeaders)
	if s.appsPage != nil {
		g.GET(AppsPath, s.showApps, securityHeaders)
		g.POST(AppsPath, s.postApps, securityHeaders)
	}
}

// ResetThrottle forgets every account's wrong passwords, ending any
// cool-down. The control API calls it.
func (s *Screens) ResetThrottle() { s.throttle.reset() }

// root is the issuer path as the browser sees it: the base URL's path (a
// proxy may mount the sandbox under one) and the group's prefix, which is
// the matched route's path up to StartPath or AppsPath.
func (s *Screens) root(c echo.Context) string {
	route := c.Path()
	issuer := route[:max(strings.LastIndex(route, StartPath), 0)]
	if rest, ok := strings.CutSuffix(route, AppsPath); ok {
		issuer = rest
	}
	if s.baseURL == nil {
		return issuer
	}
	u, err := url.Parse(s.baseURL(c.Request()))
	if err != nil {
		return issuer
	}
	return strings.TrimSuffix(u.EscapedPath(), "/") + issuer
}
