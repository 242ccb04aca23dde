package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/labstack/echo/v4"
)

// tokensPath takes the debugger's token buttons: refresh, userinfo,
// introspect, revoke.
const tokensPath = "/debug/tokens"

type debugPage struct {
	Chrome     page.Chrome
	Base, FHIR string
	// What the authorization server sent back to the redirect URI.
	Code, State, Iss, Error, ErrorDescription string
	CSRF                                      string
	// Flow says whether this browser started the flow (Try it) and how.
	Started   bool
	PKCE      bool
	Client    string
	Clients   []Client
	NoClients bool
	// ClientChecks is what the /authorize request that led here got wrong.
	ClientChecks []string
	// The exchange, once made, and the tokens it gave.
	Exchanged      bool
	Status         int
	TokenJSON      string
	ExchangeFailed bool
	Tokens         *tokenSet
	IDToken        *idTokenView
	// Action is the last token button's request and answer.
	Action *actionResult
	Curls  []curlCommand
	// Apps is the members' apps page, where the member removes the app's
	// access; "" when the sandbox serves none.
	Apps string
}

// tokenSet is what the debugger holds after an exchange; the token
// buttons post it back with a MAC that ties it to this server.
type tokenSet struct {
	Client, Access, Refresh, ID, Patient, Scope string
	MAC                                         string
}

type actionResult struct {
	Title, Request, Body string
	Status               int
	Failed               bool
}

type curlCommand struct{ ID, Title, Command string }

func (c *Console) debugPage(r *http.Request) debugPage {
	base := c.cfg.BaseURL(r)
	return debugPage{Chrome: c.chrome("/debug", true), Base: base, FHIR: base + c.cfg.FHIRPath, Clients: c.debugClients(base), Apps: c.appsURL(base)}
}

func (c *Console) debug(ctx echo.Context) error {
	r := ctx.Request()
	q := r.URL.Query()
	p := c.debugPage(r)
	p.Code, p.State, p.Iss = q.Get("code"), q.Get("state"), q.Get("iss")
	p.Error, p.ErrorDescription = q.Get("error"), q.Get("error_description")
	if p.Code != "" {
		p.CSRF = c.csrfToken(p.Code)
	}
	c.describeFlow(r, &p)
	if c.cfg.ClientChecks != nil && p.State != "" {
		p.ClientChecks = c.cfg.ClientChecks(p.State)
	}
	return c.render(ctx, http.StatusOK, pageDebug, p, true)
}

// describeFlow fills in whether this browser started the flow of p.State.
func (c *Console) describeFlow(r *http.Request, p *debugPage) {
	if f, ok := c.flowOf(r, p.State); ok {
		p.Started, p.PKCE, p.Client = true, f.Verifier != "", f.Client
		return
	}
	p.Client = c.cfg.DebugClientID
	p.NoClients = len(p.Clients) == 0
}

// exchange swaps the code for tokens at the sandbox's own token endpoint,
// as the docs' Step 2 curl does, for the client that started the flow
// (or, for a flow another app started, the client the developer picks),
// with the flow's PKCE verifier when this browser started it.
func (c *Console) exchange(ctx echo.Context) error {
	r := ctx.Request()
	code, token := ctx.FormValue("code"), ctx.FormValue("csrf")
	p := c.debugPage(r)
	p.Code, p.State = code, ctx.FormValue("state")
	if code == "" || !c.validCSRF(code, token) {
		p.Error, p.ErrorDescription = "invalid_request", "This exchange form did not come from this debugger page. Start again from the home page."
		return c.render(ctx, http.StatusForbidden, pageDebug, p, true)
	}
	c.describeFlow(r, &p)
	f, started := c.flowOf(r, p.State)
	clientID := ctx.FormValue("client_id")
	if started {
		clientID = f.Client
	}
	if clientID == "" {
		clientID = c.cfg.DebugClientID
	}
	cl, ok := c.client(p.Base, clientID)
	if !ok {
		p.Error, p.ErrorDescription = "invalid_request", "The client "+clientID+" does not have "+p.Base+"/debug among its redirect URIs."
		return c.render(ctx, http.StatusBadRequest, pageDebug, p, true)
	}
	p.Client = cl.ID
	form := url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {p.Base + "/debug"},
	}
	c.authenticate(form, cl)
	if f.Verifier != "" {
		form.Set("code_verifier", f.Verifier)
	}
	status, body, err := c.cfg.Call(r.Context(), r, http.MethodPost, c.cfg.IssuerPath+"/token", nil, form)
	if err != nil {
		return err
	}
	if started {
		// The code is spent either way; the flow is over.
		ctx.SetCookie(flowCookie(flowCookieName(p.State), "", -1, strings.HasPrefix(p.Base, "https:")))
	}
	p.Exchanged, p.Status = true, status
	p.TokenJSON = prettyJSON(body)
	if !c.takeTokens(r, &p, cl, body, status) {
		p.ExchangeFailed = true
	}
	return c.render(ctx, http.StatusOK, pageDebug, p, true)
}

// authenticate adds the client's credentials to a token, introspection or
// revocation form: client_secret_post for a confidential client
// (RFC 6749 §2.3.1), client_id alone for a public one.
func (c *Console) authenticate(form url.Values, cl Client) {
	form.Set("client_id", cl.ID)
	if !cl.Public && cl.Secret != "" {
		form.Set("client_secret", cl.Secret)
	}
}

// takeTokens reads a token response into p; false when it holds none.
func (c *Console) takeTokens(r *http.Request, p *debugPage, cl Client, body []byte, status int) bool {
	var resp struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		Patient      string `json:"patient"`
		Scope        string `json:"scope"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &resp) != nil || resp.AccessToken == "" {
		return false
	}
	t := &tokenSet{Client: cl.ID, Access: resp.AccessToken, Refresh: resp.RefreshToken, ID: resp.IDToken, Patient: resp.Patient, Scope: resp.Scope}
	c.setTokens(r, p, t)
	return true
}

// setTokens shows t and everything that follows from it.
func (c *Console) setTokens(r *http.Request, p *debugPage, t *tokenSet) {
	t.MAC = c.mac.Sum(tokensPurpose, t.Client, t.Access, t.Refresh, t.ID, t.Patient, t.Scope)
	p.Tokens = t
	if t.ID != "" {
		p.IDToken = c.verifyIDToken(r, t.ID, t.Client)
	}
	issuer := p.Base + c.cfg.IssuerPath
	cl, _ := c.client(p.Base, t.Client)
	p.Curls = curls(p.FHIR, p.Base, issuer, cl, t)
}

const tokensPurpose = "debugger tokens"

// tokens runs one of the token buttons with the tokens the page holds.
func (c *Console) tokens(ctx echo.Context) error {
	r := ctx.Request()
	p := c.debugPage(r)
	t := &tokenSet{
		Client: ctx.FormValue("client_id"), Access: ctx.FormValue("access_token"), Refresh: ctx.FormValue("refresh_token"),
		ID: ctx.FormValue("id_token"), Patient: ctx.FormValue("patient"), Scope: ctx.FormValue("scope"),
	}
	cl, known := c.client(p.Base, t.Client)
	if !known || !c.mac.Verify(ctx.FormValue("mac"), tokensPurpose, t.Client, t.Access, t.Refresh, t.ID, t.Patient, t.Scope) {
		p.Error, p.ErrorDescription = "invalid_request", "These tokens did not come from this debugger page. Start again from the home page."
		return c.render(ctx, http.StatusForbidden, pageDebug, p, true)
	}
	issuer := c.cfg.IssuerPath
	var res actionResult
	var status int
	var body []byte
	var err error
	switch action := ctx.FormValue("action"); action {
	case "refresh":
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.Refresh}}
		c.authenticate(form, cl)
		res.Title, res.Request = "Refresh (RFC 6749 §6)", "POST "+issuer+"/token grant_type=refresh_token"
		status, body, err = c.cfg.Call(r.Context(), r, http.MethodPost, issuer+"/token", nil, form)
	case "userinfo":
		res.Title, res.Request = "UserInfo (OpenID Connect Core §5.3)", "GET /v1/connect/userinfo"
		status, body, err = c.cfg.Call(r.Context(), r, http.MethodGet, "/v1/connect/userinfo", http.Header{"Authorization": {"Bearer " + t.Access}}, nil)
	case "introspect":
		form := url.Values{"token": {t.Access}}
		c.authenticate(form, cl)
		res.Title, res.Request = "Introspect the access token (RFC 7662)", "POST "+issuer+"/introspect"
		status, body, err = c.cfg.Call(r.Context(), r, http.MethodPost, issuer+"/introspect", nil, form)
	case "revoke":
		form := url.Values{"token": {t.Access}, "token_type_hint": {"access_token"}}
		c.authenticate(form, cl)
		res.Title, res.Request = "Revoke the access token (RFC 7009)", "POST "+issuer+"/revoke"
		status, body, err = c.cfg.Call(r.Context(), r, http.MethodPost, issuer+"/revoke", nil, form)
	default:
		p.Error, p.ErrorDescription = "invalid_request", "Unknown action "+action+"."
		return c.render(ctx, http.StatusBadRequest, pageDebug, p, true)
	}
	if err != nil {
		return err
	}
	res.Status, res.Body, res.Failed = status, prettyJSON(body), status >= 400
	if len(body) == 0 {
		res.Body = "(empty body)"
	}
	p.Action = &res
	p.Client, p.Exchanged = t.Client, true
	if ctx.FormValue("action") == "refresh" && status == http.StatusOK {
		var fresh struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			IDToken      string `json:"id_token"`
			Scope        string `json:"scope"`
		}
		if json.Unmarshal(body, &fresh) == nil && fresh.AccessToken != "" {
			// RFC 6749 §6: the new refresh token replaces the old one.
			t.Access, t.Scope = fresh.AccessToken, fresh.Scope
			if fresh.RefreshToken != "" {
				t.Refresh = fresh.RefreshToken
			}
			if fresh.IDToken != "" {
				t.ID = fresh.IDToken
			}
		}
	}
	c.setTokens(r, &p, t)
	return c.render(ctx, http.StatusOK, pageDebug, p, true)
}

// csrfPurpose labels the debugger's CSRF tokens.
const csrfPurpose = "debugger exchange"

// csrfToken ties the debugger's exchange form to the code it shows: only a
// page this server rendered for that code can post the exchange.
func (c *Console) csrfToken(code string) string {
	return c.mac.Sum(csrfPurpose, code)
}

// validCSRF compares in constant time, so the token cannot be guessed byte
// by byte.
func (c *Console) validCSRF(code, token string) bool {
	return c.mac.Verify(token, csrfPurpose, code)
}

// curls are the docs' Step 3 requests and the token endpoints' calls,
// ready to paste.
func curls(fhirBase, base, issuer string, cl Client, t *tokenSet) []curlCommand {
	auth := `curl -H "Authorization: Bearer ` + t.Access + `" `
	client := "-d client_id=" + cl.ID
	if !cl.Public && cl.Secret != "" {
		client = "-u " + cl.ID + ":" + cl.Secret
	}
	out := []curlCommand{
		{"curl-patient", "Patient", auth + `"` + fhirBase + "/Patient/" + t.Patient + `"`},
		{"curl-coverage", "Coverage", auth + `"` + fhirBase + "/Coverage/?beneficiary=" + url.QueryEscape(t.Patient) + `"`},
		{"curl-eob", "ExplanationOfBenefit", auth + `"` + fhirBase + "/ExplanationOfBenefit/?patient=" + url.QueryEscape(t.Patient) + `"`},
		{"curl-userinfo", "UserInfo", auth + `"` + base + "/v1/connect/userinfo" + `"`},
		{"curl-introspect", "Introspect", "curl " + client + " -d token=" + t.Access + ` "` + issuer + `/introspect"`},
	}
	if t.Refresh != "" {
		out = append(out, curlCommand{"curl-refresh", "Refresh", "curl " + client + " -d grant_type=refresh_token -d refresh_token=" + t.Refresh + ` "` + issuer + `/token"`})
	}
	return out
}

func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}
