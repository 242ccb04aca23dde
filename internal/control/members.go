package control

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// addClaim takes {"type": "carrier"} and adds a new claim of that type to
// the member, updated now, so an app's _lastUpdated sync finds it.
func (c *Control) addClaim(ctx echo.Context) error {
	if c.cfg.AddClaim == nil {
		return problem(ctx, http.StatusNotImplemented, "adding claims is not wired in this build")
	}
	var req struct {
		Type string `json:"type"`
	}
	if err := decodeBody(ctx, &req); err != nil {
		return problem(ctx, http.StatusBadRequest, `body must be {"type": "<claim type>"}: `+err.Error())
	}
	if c.replicas != nil {
		res, err := c.appendEdit(edit{Op: "claim", Patient: ctx.Param("patient"), Type: req.Type, Now: c.cfg.Clock.Now()})
		return c.memberResult(ctx, res, err)
	}
	res, err := c.cfg.AddClaim(ctx.Param("patient"), req.Type, c.cfg.Clock.Now())
	return c.memberResult(ctx, res, err)
}

// touch takes {"resourceType": "Patient", "id": "..."} and marks that
// resource of the member as updated now.
func (c *Control) touch(ctx echo.Context) error {
	if c.cfg.Touch == nil {
		return problem(ctx, http.StatusNotImplemented, "updating resources is not wired in this build")
	}
	var req struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := decodeBody(ctx, &req); err != nil {
		return problem(ctx, http.StatusBadRequest, `body must be {"resourceType": "...", "id": "..."}: `+err.Error())
	}
	if c.replicas != nil {
		res, err := c.appendEdit(edit{Op: "touch", Patient: ctx.Param("patient"), ResourceType: req.ResourceType, ID: req.ID, Now: c.cfg.Clock.Now()})
		return c.memberResult(ctx, res, err)
	}
	res, err := c.cfg.Touch(ctx.Param("patient"), req.ResourceType, req.ID, c.cfg.Clock.Now())
	return c.memberResult(ctx, res, err)
}

// ErrLimit is what AddClaim and Touch return when the sandbox keeps as many
// edits as it may until a reset; the API turns it into a 409.
var ErrLimit = errors.New("limit reached")

func (c *Control) memberResult(ctx echo.Context, res []byte, err error) error {
	switch {
	case errors.Is(err, ErrLimit), errors.Is(err, ErrConflict):
		return problem(ctx, http.StatusConflict, err.Error())
	case errors.Is(err, ErrNotFound):
		return problem(ctx, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		return problem(ctx, http.StatusBadRequest, err.Error())
	case errors.Is(err, ErrConflict):
		return problem(ctx, http.StatusConflict, err.Error())
	case errors.Is(err, store.ErrUnavailable):
		return unavailable(ctx, err)
	case err != nil:
		return err
	}
	return ctx.Blob(http.StatusCreated, "application/fhir+json", res)
}
