package control

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Workspaces is what the root's control API needs to manage the named
// workspaces (README, "Workspaces").
type Workspaces interface {
	// List describes every workspace, by name.
	List(r *http.Request) []WorkspaceInfo
	// Get describes one; false when there is none of that name.
	Get(r *http.Request, name string) (WorkspaceInfo, bool)
	// Create makes a workspace as spec says. Its errors wrap ErrInvalid (a
	// bad name or setting), ErrConflict (the name is taken) or ErrLimit (as
	// many workspaces as the sandbox keeps).
	Create(r *http.Request, spec WorkspaceSpec) (WorkspaceInfo, error)
	// Delete forgets a workspace and everything in it; false when there was
	// none of that name.
	Delete(name string) (bool, error)
}

// WorkspaceSpec is the body of POST /sandbox/workspaces. An absent setting
// is the sandbox's own (its flags).
type WorkspaceSpec struct {
	Name string `json:"name"`
	// Profile is bcbsnc or strict.
	Profile *string `json:"profile,omitempty"`
	// AutoApprove is a username, or "" for none.
	AutoApprove *string `json:"auto_approve,omitempty"`
	// TokenTTL is the access-token lifetime, a Go duration such as "5m".
	TokenTTL *string `json:"token_ttl,omitempty"`
}

// WorkspaceInfo describes a workspace and where its endpoints are.
type WorkspaceInfo struct {
	Name        string    `json:"name"`
	Profile     string    `json:"profile"`
	AutoApprove string    `json:"auto_approve,omitempty"`
	TokenTTL    string    `json:"token_ttl"`
	BaseURL     string    `json:"base_url"`
	Issuer      string    `json:"issuer"`
	FHIRBase    string    `json:"fhir_base"`
	Created     time.Time `json:"created"`
	LastUsed    time.Time `json:"last_used"`
	// ForgottenAfter is when the workspace goes if it stays idle.
	ForgottenAfter time.Time `json:"forgotten_after"`
}

func (c *Control) listWorkspaces(ctx echo.Context) error {
	return ctx.JSON(http.StatusOK, c.cfg.Workspaces.List(ctx.Request()))
}

func (c *Control) getWorkspace(ctx echo.Context) error {
	w, ok := c.cfg.Workspaces.Get(ctx.Request(), ctx.Param("name"))
	if !ok {
		return problem(ctx, http.StatusNotFound, "no workspace "+quoteHost(ctx.Param("name")))
	}
	return ctx.JSON(http.StatusOK, w)
}

func (c *Control) createWorkspace(ctx echo.Context) error {
	var spec WorkspaceSpec
	if err := decodeBody(ctx, &spec); err != nil {
		return problem(ctx, http.StatusBadRequest, `body must be {"name": "…", "profile": "bcbsnc" or "strict", "auto_approve": "<username>" or "", "token_ttl": "<duration>"} (all but name optional): `+err.Error())
	}
	w, err := c.cfg.Workspaces.Create(ctx.Request(), spec)
	if err != nil {
		return c.hookError(ctx, err)
	}
	return ctx.JSON(http.StatusCreated, w)
}

func (c *Control) deleteWorkspace(ctx echo.Context) error {
	found, err := c.cfg.Workspaces.Delete(ctx.Param("name"))
	if err != nil {
		return c.hookError(ctx, err)
	}
	if !found {
		return problem(ctx, http.StatusNotFound, "no workspace "+quoteHost(ctx.Param("name")))
	}
	return ctx.NoContent(http.StatusNoContent)
}
