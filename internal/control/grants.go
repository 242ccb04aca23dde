package control

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// MintRequest is the body of POST /sandbox/tokens: a member's approval as
// the consent screens would report it.
type MintRequest struct {
	// Username is the member who logs in (BCNCUser03, ...).
	Username string `json:"username"`
	// ClientID is the registered app the tokens are for.
	ClientID string `json:"client_id"`
	// Scope is what the app asks for at /authorize, space-separated.
	Scope string `json:"scope"`
	// Representative is absent for the member themself.
	Representative *MintRepresentative `json:"representative,omitempty"`
	// SharePersonal is the consent screen's choice; absent means true
	// (share everything), false withholds personal information.
	SharePersonal *bool `json:"share_personal,omitempty"`
}

// MintRepresentative is the Personal Representative screen's answers.
type MintRepresentative struct {
	// Relationship is parent, poa, guardian or other.
	Relationship string `json:"relationship"`
	FullName     string `json:"full_name"`
	// OtherRelationship is the member's own words, for other.
	OtherRelationship string `json:"other_relationship,omitempty"`
}

// mint serves POST /sandbox/tokens: what /token would answer for the code
// of the approval the body describes, without the screens.
func (c *Control) mint(ctx echo.Context) error {
	if c.cfg.Mint == nil {
		return problem(ctx, http.StatusNotImplemented, "minting tokens is not wired in this build")
	}
	const shape = `body must be {"username": "BCNCUser03", "client_id": "…", "scope": "openid patient/*.read", ` +
		`"representative": {"relationship": "parent", "full_name": "…"} (optional), "share_personal": true (optional)}`
	var req MintRequest
	if err := decodeBody(ctx, &req); err != nil {
		return problem(ctx, http.StatusBadRequest, shape+": "+err.Error())
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"username", req.Username}, {"client_id", req.ClientID}, {"scope", req.Scope}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return problem(ctx, http.StatusBadRequest, shape+": "+strings.Join(missing, ", ")+" missing")
	}
	body, err := c.cfg.Mint(ctx.Request(), req)
	if err != nil {
		return c.hookError(ctx, err)
	}
	h := ctx.Response().Header()
	// RFC 6749 §5.1: token responses must not be cached, as /token's.
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return ctx.JSONBlob(http.StatusOK, body)
}

// grantsBody is the optional body of the grant actions.
type grantsBody struct {
	// ClientID limits the action to one app's grants; empty means all.
	ClientID string `json:"client_id"`
}

// readGrantsBody reads the optional {"client_id": "…"}: a body-less POST
// means every app.
func readGrantsBody(ctx echo.Context) (string, error) {
	r := ctx.Request()
	if !hasBody(r) {
		return "", nil
	}
	var b grantsBody
	if err := decodeBody(ctx, &b); err != nil {
		return "", err
	}
	return b.ClientID, nil
}

// listGrants serves GET /sandbox/members/{patient}/grants[?client_id=…]:
// the member's live grants.
func (c *Control) listGrants(ctx echo.Context) error {
	if c.cfg.Grants == nil {
		return problem(ctx, http.StatusNotImplemented, "grants are not wired in this build")
	}
	list, err := c.cfg.Grants(ctx.Param("patient"), ctx.QueryParam("client_id"))
	if err != nil {
		return c.hookError(ctx, err)
	}
	return ctx.JSON(http.StatusOK, list)
}

// revokeGrants serves POST /sandbox/members/{patient}/grants/revoke: what
// the member removing the app does (every app, or {"client_id": "…"}'s).
func (c *Control) revokeGrants(ctx echo.Context) error {
	return c.grantAction(ctx, c.cfg.RevokeGrants, "revoked")
}

// expireGrants serves POST /sandbox/members/{patient}/grants/expire: the
// grants' refresh tokens expire now.
func (c *Control) expireGrants(ctx echo.Context) error {
	return c.grantAction(ctx, c.cfg.ExpireRefresh, "expired")
}

func (c *Control) grantAction(ctx echo.Context, act func(patient, clientID string) (int, error), done string) error {
	if act == nil {
		return problem(ctx, http.StatusNotImplemented, "grants are not wired in this build")
	}
	clientID, err := readGrantsBody(ctx)
	if err != nil {
		return problem(ctx, http.StatusBadRequest, `body must be empty or {"client_id": "…"}: `+err.Error())
	}
	n, err := act(ctx.Param("patient"), clientID)
	if err != nil {
		return c.hookError(ctx, err)
	}
	return ctx.JSON(http.StatusOK, map[string]int{done: n})
}

// ErrConflict is what a hook returns for a request that clashes with what
// exists (a workspace name taken); the API turns it into a 409.
var ErrConflict = errors.New("conflict")

// hookError answers a hook's error: ErrNotFound 404, ErrInvalid 400,
// ErrLimit and ErrConflict 409, with the hook's words; anything else goes
// up as a 500.
func (c *Control) hookError(ctx echo.Context, err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return problem(ctx, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		return problem(ctx, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrLimit), errors.Is(err, ErrConflict):
		return problem(ctx, http.StatusConflict, err.Error())
	}
	return err
}
