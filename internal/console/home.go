package console

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// verifierCookie carries the PKCE code_verifier of the home page's "Try it"
// flow to the debugger, which needs it to exchange the code (RFC 7636 §4.5).
const verifierCookie = "sandbox_debug_verifier"

type homePage struct {
	Base, Issuer, FHIR, Profile string
	Accounts                    []Account
	Clients                     []Client
	TryURL                      string
}

func (c *Console) home(ctx echo.Context) error {
	r := ctx.Request()
	base := c.cfg.BaseURL(r)
	verifier := randomString(32)
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.cfg.DebugClientID},
		"redirect_uri":          {base + "/debug"},
		"scope":                 {"openid fhirUser profile offline_access patient/*.read"},
		"state":                 {randomString(16)},
		"aud":                   {base + c.cfg.FHIRPath},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	ctx.SetCookie(&http.Cookie{
		Name: verifierCookie, Value: verifier, Path: "/debug", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: base[:5] == "https", MaxAge: 3600,
	})
	return c.render(ctx, http.StatusOK, "home.html", homePage{
		Base:     base,
		Issuer:   base + c.cfg.IssuerPath,
		FHIR:     base + c.cfg.FHIRPath,
		Profile:  c.cfg.Profile.String(),
		Accounts: c.cfg.Accounts,
		Clients:  c.cfg.Clients,
		TryURL:   base + c.cfg.IssuerPath + "/authorize?" + q.Encode(),
	})
}

// randomString returns n random bytes as unpadded base64url, which is also a
// valid PKCE verifier alphabet (RFC 7636 §4.1).
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
