package control

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// requestLogSize is how many requests the log keeps, newest last.
const requestLogSize = 1000

// Request is one logged request, as GET /sandbox/requests shows it. Secrets
// are redacted: the values of code, tokens, secrets, verifiers and
// passwords, and the credentials of the Authorization header.
type Request struct {
	Time    string            `json:"time"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   map[string]string `json:"query,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Status  int               `json:"status"`
	// ClientChecks lists what a careful client would have done otherwise.
	ClientChecks []string `json:"client_checks,omitempty"`
}

// loggedHeaders are the request headers worth asserting on, spelled in
// canonical form so the middleware can index the header map directly
// (TestLoggedHeadersAreCanonical).
var loggedHeaders = [...]string{"Accept", "Content-Type", "Authorization", "User-Agent", "Origin", "X-Forwarded-Host", "X-Forwarded-Proto"}

// secretParams are never logged in full.
var secretParams = map[string]bool{
	"code": true, "code_verifier": true, "client_secret": true, "refresh_token": true,
	"access_token": true, "token": true, "password": true, "request": true, "csrf": true, "id_token_hint": true,
}

// logged is a request as the middleware records it: raw, so the hot path
// does no parsing, redaction or formatting. GET /sandbox/requests turns it
// into a Request.
type logged struct {
	at       time.Time
	method   string
	path     string
	rawQuery string
	headers  [len(loggedHeaders)]string
	status   int
	checks   []string
}

func (e *logged) view() Request {
	q, _ := url.ParseQuery(e.rawQuery)
	return Request{
		Time:         e.at.UTC().Format(time.RFC3339Nano),
		Method:       e.method,
		Path:         truncate(e.path, 500),
		Query:        redactedQuery(q),
		Headers:      redactedHeaders(e.headers),
		Status:       e.status,
		ClientChecks: e.checks,
	}
}

// requestLog is a ring of the last requests.
type requestLog struct {
	mu      sync.Mutex // guards entries, next and full
	entries []logged
	next    int
	full    bool
}

func newRequestLog(n int) *requestLog { return &requestLog{entries: make([]logged, n)} }

func (l *requestLog) add(e logged) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[l.next] = e
	l.next = (l.next + 1) % len(l.entries)
	if l.next == 0 {
		l.full = true
	}
}

// last returns up to n entries, oldest first.
func (l *requestLog) last(n int) []Request {
	l.mu.Lock()
	raw := make([]logged, 0, len(l.entries))
	if l.full {
		raw = append(raw, l.entries[l.next:]...)
	}
	raw = append(raw, l.entries[:l.next]...)
	l.mu.Unlock()
	if n < len(raw) {
		raw = raw[len(raw)-n:]
	}
	out := make([]Request, len(raw))
	for i := range raw {
		out[i] = raw[i].view()
	}
	return out
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.entries)
	l.next, l.full = 0, false
}

// checksForState finds the client checks of the newest /authorize request
// that carried state, for the debugger.
func (l *requestLog) checksForState(state string) ([]string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	for i := 1; i <= n; i++ {
		e := &l.entries[(l.next-i+n)%n]
		if e.checks == nil {
			continue
		}
		if q, err := url.ParseQuery(e.rawQuery); err == nil && q.Get("state") == state {
			return e.checks, true
		}
	}
	return nil, false
}

func redactedQuery(q url.Values) map[string]string {
	if len(q) == 0 {
		return nil
	}
	out := make(map[string]string, len(q))
	for k, vs := range q {
		v := strings.Join(vs, ",")
		if secretParams[k] {
			v = redact(v)
		}
		out[truncate(k, 100)] = truncate(v, 500)
	}
	return out
}

// redactedHeaders names the values recorded for loggedHeaders, in order.
func redactedHeaders(values [len(loggedHeaders)]string) map[string]string {
	out := map[string]string{}
	for i, k := range loggedHeaders {
		v := values[i]
		if v == "" {
			continue
		}
		if k == "Authorization" {
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " " + redact(strings.TrimPrefix(v, scheme+" "))
		}
		out[k] = truncate(v, 300)
	}
	return out
}

// redact keeps enough of a secret to tell two apart: its first four
// characters and its length.
func redact(v string) string {
	if v == "" {
		return ""
	}
	keep := min(4, len(v)/4)
	return v[:keep] + "…(" + strconv.Itoa(len(v)) + " chars)"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (c *Control) listRequests(ctx echo.Context) error {
	n := 100
	if v := ctx.QueryParam("limit"); v != "" {
		parsed, err := strconv.Atoi(v)
		if err != nil || parsed < 1 || parsed > requestLogSize {
			return problem(ctx, http.StatusBadRequest, "limit must be a number from 1 to "+strconv.Itoa(requestLogSize))
		}
		n = parsed
	}
	return ctx.JSON(http.StatusOK, c.requests.last(n))
}

func (c *Control) clearRequests(ctx echo.Context) error {
	c.requests.clear()
	return ctx.NoContent(http.StatusNoContent)
}

// ClientChecks returns what the newest /authorize request with this state
// got wrong, for the debugger page.
func (c *Control) ClientChecks(state string) []string {
	checks, _ := c.requests.checksForState(state)
	return checks
}

// Middleware logs every request outside the control API, runs its client
// checks and fires armed faults. Put it after the recover middleware and
// before every route.
func (c *Control) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(ctx echo.Context) error {
			r := ctx.Request()
			if strings.HasPrefix(r.URL.Path, Prefix+"/") || r.URL.Path == Prefix {
				return next(ctx)
			}
			entry := logged{at: c.cfg.Clock.Now(), method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery}
			for i, k := range loggedHeaders {
				// Header.Get would canonicalise each name again, on every
				// request.
				if v := r.Header[k]; len(v) > 0 {
					entry.headers[i] = v[0]
				}
			}
			entry.checks = c.clientChecks(r)
			for _, msg := range entry.checks {
				c.cfg.Warn(r.Context(), "client check", "path", truncate(entry.path, 200), "check", msg)
			}
			handled, err := c.injectFault(ctx)
			if !handled {
				err = next(ctx)
			}
			if err != nil {
				ctx.Error(err)
			}
			entry.status = ctx.Response().Status
			c.requests.add(entry)
			return nil
		}
	}
}
