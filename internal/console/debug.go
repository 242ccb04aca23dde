package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

type debugPage struct {
	Base, FHIR string
	// What the authorization server sent back to the redirect URI.
	Code, State, Iss, Error, ErrorDescription string
	CSRF                                      string
	// ClientChecks is what the /authorize request that led here got wrong.
	ClientChecks []string
	// The exchange, once made.
	Exchanged      bool
	Status         int
	TokenJSON      string
	IDTokenHeader  string
	IDTokenClaims  string
	AccessToken    string
	Patient        string
	Curls          []curlCommand
	ExchangeFailed bool
}

type curlCommand struct{ Title, Command string }

func (c *Console) debug(ctx echo.Context) error {
	q := ctx.QueryParams()
	p := c.debugPage(ctx.Request())
	p.Code, p.State, p.Iss = q.Get("code"), q.Get("state"), q.Get("iss")
	p.Error, p.ErrorDescription = q.Get("error"), q.Get("error_description")
	if p.Code != "" {
		p.CSRF = c.csrfToken(p.Code)
	}
	if c.cfg.ClientChecks != nil && p.State != "" {
		p.ClientChecks = c.cfg.ClientChecks(p.State)
	}
	return c.render(ctx, http.StatusOK, "debug.html", p)
}

func (c *Console) debugPage(r *http.Request) debugPage {
	base := c.cfg.BaseURL(r)
	return debugPage{Base: base, FHIR: base + c.cfg.FHIRPath}
}

// exchange swaps the code for tokens at the sandbox's own token endpoint,
// exactly as the docs' Step 2 curl does, and shows what came back.
func (c *Console) exchange(ctx echo.Context) error {
	r := ctx.Request()
	code, token := ctx.FormValue("code"), ctx.FormValue("csrf")
	p := c.debugPage(r)
	p.Code, p.State = code, ctx.FormValue("state")
	if code == "" || !c.validCSRF(code, token) {
		p.Error, p.ErrorDescription = "invalid_request", "This exchange form did not come from this debugger page. Start again from the home page."
		return c.render(ctx, http.StatusForbidden, "debug.html", p)
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.Base + "/debug"},
		"client_id":     {c.cfg.DebugClientID},
		"client_secret": {c.cfg.DebugClientSecret},
	}
	if ck, err := r.Cookie(verifierCookie); err == nil && ck.Value != "" {
		form.Set("code_verifier", ck.Value)
	}
	status, body, err := c.cfg.Exchange(r.Context(), r, form)
	if err != nil {
		return err
	}
	p.Exchanged, p.Status = true, status
	p.TokenJSON = prettyJSON(body)
	var resp struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Patient     string `json:"patient"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &resp) != nil || resp.AccessToken == "" {
		p.ExchangeFailed = true
		return c.render(ctx, http.StatusOK, "debug.html", p)
	}
	p.AccessToken, p.Patient = resp.AccessToken, resp.Patient
	p.IDTokenHeader, p.IDTokenClaims = decodeJWT(resp.IDToken)
	p.Curls = curls(p.FHIR, p.Base, resp.AccessToken, resp.Patient)
	return c.render(ctx, http.StatusOK, "debug.html", p)
}

// csrfPurpose labels the debugger's CSRF tokens.
const csrfPurpose = "debugger exchange"

// csrfToken ties the debugger's exchange form to the code it shows: only a
// page this server rendered for that code can post the exchange.
func (c *Console) csrfToken(code string) string {
	return c.csrf.Sum(csrfPurpose, code)
}

// validCSRF compares in constant time, so the token cannot be guessed byte
// by byte.
func (c *Console) validCSRF(code, token string) bool {
	return c.csrf.Verify(token, csrfPurpose, code)
}

// curls are the docs' Step 3 requests, ready to paste.
func curls(fhirBase, base, token, patient string) []curlCommand {
	auth := `curl -H "Authorization: Bearer ` + token + `" `
	return []curlCommand{
		{"Patient", auth + `"` + fhirBase + "/Patient/" + patient + `"`},
		{"Coverage", auth + `"` + fhirBase + "/Coverage/?beneficiary=" + url.QueryEscape(patient) + `"`},
		{"ExplanationOfBenefit", auth + `"` + fhirBase + "/ExplanationOfBenefit/?patient=" + url.QueryEscape(patient) + `"`},
		{"UserInfo", auth + `"` + base + "/v1/connect/userinfo" + `"`},
	}
}

// decodeJWT shows a compact JWS's header and claims, indented. The debugger
// only displays them; clients must verify the signature against the JWKS.
func decodeJWT(jwt string) (header, claims string) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", ""
	}
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	c, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	if err1 != nil || err2 != nil {
		return "", ""
	}
	return prettyJSON(h), prettyJSON(c)
}

func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}
