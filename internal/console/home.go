package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/finder"
	"github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/labstack/echo/v4"
)

// startPath starts one of the debugger's flows: "Try it".
const startPath = "/debug/start"

// defaultScopes are what "Try it" asks for unless the developer chooses.
var defaultScopes = []string{"openid", "fhirUser", "profile", "offline_access", "patient/*.read"}

// scopeChoices are the scopes the Try it form offers, beyond one
// patient/{Type}.read per served type.
var scopeChoices = []string{"openid", "fhirUser", "profile", "offline_access", "launch/patient", "patient/*.read"}

type homePage struct {
	Chrome                      page.Chrome
	Base, Issuer, FHIR, Profile string
	Accounts                    []Account
	Clients                     []Client
	// Try it's choices.
	DebugClients []Client
	ScopeChoices []string
	TypeScopes   []string
	Defaults     map[string]bool
	// The finder: its form, as submitted, and its answer.
	Finder bool
	// Consents: the finder can filter by consent case.
	Consents    bool
	ClaimTypes  []string
	Find        finderForm
	Found       *finder.Result
	FinderError string
	Control     string
	// Apps is the members' apps page, "" when the sandbox serves none.
	Apps string
}

// finderForm is the finder's form as the page shows it again.
type finderForm struct {
	Asked      bool
	ClaimTypes map[string]bool
	Condition  string
	MinClaims  string
	From       string
	// The consent cases asked for.
	Representative, WithheldDemographics bool
}

func (c *Console) home(ctx echo.Context) error {
	r := ctx.Request()
	base := c.cfg.BaseURL(r)
	p := homePage{
		Chrome:       c.chrome("/", false),
		Base:         base,
		Issuer:       base + c.cfg.IssuerPath,
		FHIR:         base + c.cfg.FHIRPath,
		Profile:      c.cfg.Profile.String(),
		Accounts:     c.cfg.Accounts,
		Clients:      c.cfg.Clients,
		DebugClients: c.debugClients(base),
		ScopeChoices: scopeChoices,
		Defaults:     map[string]bool{},
		Finder:       c.cfg.Finder != nil,
		Control:      c.cfg.ControlPath,
		Apps:         c.appsURL(base),
	}
	for _, s := range defaultScopes {
		p.Defaults[s] = true
	}
	for _, t := range c.cfg.FHIRTypes {
		p.TypeScopes = append(p.TypeScopes, "patient/"+t.Name+".read")
	}
	if c.cfg.Finder != nil {
		p.ClaimTypes = c.cfg.Finder.ClaimTypes()
		p.Consents = c.cfg.FinderConsents != nil
		q := r.URL.Query()
		p.Find = finderForm{
			Asked:      q.Has("find"),
			ClaimTypes: map[string]bool{},
			Condition:  q.Get("condition"),
			MinClaims:  q.Get("min_claims"),
			From:       q.Get("from"),
		}
		for _, t := range q["claim_type"] {
			p.Find.ClaimTypes[t] = true
		}
		if p.Find.Asked {
			fq, err := finder.ParseQuery(q)
			p.Find.Representative, p.Find.WithheldDemographics = fq.Representative, fq.WithheldDemographics
			if err == nil {
				var res finder.Result
				if res, err = c.cfg.Finder.Find(fq, c.cfg.FinderConsents); err == nil {
					p.Found = &res
				}
			}
			if err != nil {
				p.FinderError = strings.TrimPrefix(err.Error(), finder.ErrQuery.Error()+": ")
			}
		}
	}
	return c.render(ctx, http.StatusOK, pageHome, p, false)
}

// appsURL is the members' apps page, or "" when there is none.
func (c *Console) appsURL(base string) string {
	if c.cfg.AppsPath == "" {
		return ""
	}
	return base + c.cfg.IssuerPath + c.cfg.AppsPath
}

// debugClients are the registered clients whose redirect URIs include the
// debugger, the docs' client first: the ones "Try it" can run as.
func (c *Console) debugClients(base string) []Client {
	var out []Client
	for _, cl := range c.cfg.Clients {
		if slices.ContainsFunc(cl.RedirectURIs, func(u string) bool { return u == "{base}/debug" || u == base+"/debug" }) {
			out = append(out, cl)
		}
	}
	slices.SortStableFunc(out, func(a, b Client) int {
		switch {
		case a.ID == c.cfg.DebugClientID:
			return -1
		case b.ID == c.cfg.DebugClientID:
			return 1
		}
		return 0
	})
	return out
}

// client finds a registered client the debugger may act for.
func (c *Console) client(base, id string) (Client, bool) {
	i := slices.IndexFunc(c.debugClients(base), func(cl Client) bool { return cl.ID == id })
	if i < 0 {
		return Client{}, false
	}
	return c.debugClients(base)[i], true
}

// start is "Try it": GET /debug/start with the developer's choices
// (client_id, scope, pkce, login_hint). It opens a flow of its own, with a
// fresh state and verifier kept in the flow's cookie, and sends the
// browser to /authorize. Nothing is set by merely viewing the home page.
func (c *Console) start(ctx echo.Context) error {
	r := ctx.Request()
	base := c.cfg.BaseURL(r)
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if clientID == "" {
		clientID = c.cfg.DebugClientID
	}
	cl, ok := c.client(base, clientID)
	if !ok {
		return c.startError(ctx, "The client "+clientID+" does not have the debugger ("+base+"/debug) among its redirect URIs. Register it with --clients to try it here.")
	}
	scopes := q["scope"]
	if len(scopes) == 0 {
		scopes = defaultScopes
	}
	state := randomString(16)
	f := flow{Client: cl.ID, Started: time.Now().Unix()}
	// A public client must use PKCE (RFC 7636 §4, RFC 8252 §8.1); for a
	// confidential one it is the developer's choice, on by default.
	if cl.Public || q.Get("pkce") != "off" {
		f.Verifier = randomString(32)
	}
	authorize := url.Values{
		"response_type": {"code"},
		"client_id":     {cl.ID},
		"redirect_uri":  {base + "/debug"},
		"scope":         {strings.Join(scopes, " ")},
		"state":         {state},
		"aud":           {base + c.cfg.FHIRPath},
	}
	if f.Verifier != "" {
		authorize.Set("code_challenge", challengeOf(f.Verifier))
		authorize.Set("code_challenge_method", "S256")
	}
	if hint := strings.TrimSpace(q.Get("login_hint")); hint != "" {
		authorize.Set("login_hint", hint)
	}
	secure := strings.HasPrefix(base, "https:")
	for _, name := range staleFlows(r) {
		ctx.SetCookie(flowCookie(name, "", -1, secure))
	}
	ctx.SetCookie(flowCookie(flowCookieName(state), c.sealFlow(state, f), int(flowLifetime/time.Second), secure))
	ctx.Response().Header().Set("Cache-Control", "no-store")
	return ctx.Redirect(http.StatusSeeOther, base+c.cfg.IssuerPath+"/authorize?"+authorize.Encode())
}

func (c *Console) startError(ctx echo.Context, msg string) error {
	p := c.debugPage(ctx.Request())
	p.Error, p.ErrorDescription = "invalid_request", msg
	return c.render(ctx, http.StatusBadRequest, pageDebug, p, true)
}

// tryURL is "Try it as this member": the default flow with login_hint.
func tryURL(username string) string {
	return startPath + "?" + url.Values{"login_hint": {username}}.Encode()
}

// findHref is the finder's search f again, from account number next.
func findHref(f finderForm, next int) template.URL {
	q := url.Values{"find": {"1"}, "from": {strconv.Itoa(next)}}
	for t := range f.ClaimTypes {
		q.Add("claim_type", t)
	}
	if f.Condition != "" {
		q.Set("condition", f.Condition)
	}
	if f.MinClaims != "" {
		q.Set("min_claims", f.MinClaims)
	}
	if f.Representative {
		q.Set("representative", "on")
	}
	if f.WithheldDemographics {
		q.Set("withheld_demographics", "on")
	}
	return template.URL("/?" + q.Encode() + "#finder")
}
