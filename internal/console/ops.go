package console

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/bcbsnc-sandbox/sandbox/internal/page"
	"github.com/labstack/echo/v4"
)

// The pages of the control API's state: the request log, the armed faults
// and the clock. Each reads the control API's JSON, as a test would, so
// what the page shows is what the API answers; when the control API is
// off or refuses this host, the page says why.

type opsPage struct {
	Chrome  page.Chrome
	Base    string
	Control string
	// Problem is the control API's refusal, when it refused.
	Problem string
}

type requestsPage struct {
	opsPage
	Requests []loggedRequest
}

type loggedRequest struct {
	Time         string            `json:"time"`
	Method       string            `json:"method"`
	Path         string            `json:"path"`
	Query        map[string]string `json:"query"`
	Headers      map[string]string `json:"headers"`
	Status       int               `json:"status"`
	ClientChecks []string          `json:"client_checks"`
}

type faultsPage struct {
	opsPage
	Faults []armedFault
}

type armedFault struct {
	ID         int    `json:"id"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	Count      int    `json:"count"`
	Status     int    `json:"status"`
	RetryAfter int    `json:"retry_after"`
	OAuthError string `json:"oauth_error"`
	DelayMS    int    `json:"delay_ms"`
	Malformed  bool   `json:"malformed"`
	Fired      int    `json:"fired"`
}

// Does says in words what the fault does.
func (f armedFault) Does() string {
	var s string
	switch {
	case f.Status != 0:
		s = "answers " + strconv.Itoa(f.Status)
		if f.RetryAfter > 0 {
			s += " with Retry-After: " + strconv.Itoa(f.RetryAfter)
		}
	case f.OAuthError != "":
		s = "answers the OAuth error " + f.OAuthError
	case f.Malformed:
		s = "answers 200 with a body cut off mid-JSON"
	}
	if f.DelayMS > 0 {
		if s != "" {
			s += ", after "
		} else {
			s = "answers normally after "
		}
		s += strconv.Itoa(f.DelayMS) + " ms"
	}
	return s
}

type clockPage struct {
	opsPage
	Now, Offset string
}

// readControl GETs path of the control API into v; it returns the refusal
// to show instead when the API did not answer 200.
func (c *Console) readControl(ctx echo.Context, path string, v any) string {
	r := ctx.Request()
	status, body, err := c.cfg.Call(r.Context(), r, http.MethodGet, c.cfg.ControlPath+path, http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return err.Error()
	}
	if status != http.StatusOK {
		var p struct {
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) == nil && p.Detail != "" {
			return "The control API answered " + strconv.Itoa(status) + ": " + p.Detail
		}
		return "The control API answered " + strconv.Itoa(status) + "."
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "The control API's answer could not be read: " + err.Error()
	}
	return ""
}

func (c *Console) ops(ctx echo.Context, path string) opsPage {
	return opsPage{Chrome: c.chrome(path, false), Base: c.cfg.BaseURL(ctx.Request()), Control: c.cfg.ControlPath}
}

func (c *Console) requestsPage(ctx echo.Context) error {
	p := requestsPage{opsPage: c.ops(ctx, "/requests")}
	p.Problem = c.readControl(ctx, "/requests?limit=100", &p.Requests)
	slices.Reverse(p.Requests) // newest first
	return c.render(ctx, http.StatusOK, pageRequests, p, false)
}

func (c *Console) faultsPage(ctx echo.Context) error {
	p := faultsPage{opsPage: c.ops(ctx, "/faults")}
	p.Problem = c.readControl(ctx, "/faults", &p.Faults)
	return c.render(ctx, http.StatusOK, pageFaults, p, false)
}

func (c *Console) clockPage(ctx echo.Context) error {
	p := clockPage{opsPage: c.ops(ctx, "/clock")}
	var v struct {
		Now    string `json:"now"`
		Offset string `json:"offset"`
	}
	p.Problem = c.readControl(ctx, "/clock", &v)
	p.Now, p.Offset = v.Now, v.Offset
	return c.render(ctx, http.StatusOK, pageClock, p, false)
}
