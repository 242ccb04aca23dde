package control

import (
	"crypto/sha256"
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
	// Truncated names what the log kept only the start of ("path",
	// "query", a header's name), being longer than its bound.
	Truncated []string `json:"truncated,omitempty"`
}

// loggedHeaders are the request headers worth asserting on, spelled in
// canonical form so the middleware can index the header map directly
// (TestLoggedHeadersAreCanonical).
var loggedHeaders = [...]string{"Accept", "Content-Type", "Authorization", "User-Agent", "Origin", "X-Forwarded-Host", "X-Forwarded-Proto"}

// What a log entry keeps of a request, at most: the log holds
// requestLogSize entries of at most about 4.6 kB, some 5 MB in all, however
// long the requests (net/http allows 64 kB of request line and headers).
const (
	maxLoggedMethod = 20
	maxLoggedPath   = 500
	maxLoggedQuery  = 2000 // the raw query string, before parsing
	maxLoggedHeader = 300  // each header value
)

// The fields a logged entry keeps, in order, and the bound of each.
const (
	fieldMethod = iota
	fieldPath
	fieldQuery
	fieldHeaders // then one per loggedHeaders
	fieldCount   = fieldHeaders + len(loggedHeaders)
)

var fieldBounds = func() (b [fieldCount]int) {
	b[fieldMethod], b[fieldPath], b[fieldQuery] = maxLoggedMethod, maxLoggedPath, maxLoggedQuery
	for i := range loggedHeaders {
		b[fieldHeaders+i] = maxLoggedHeader
	}
	return b
}()

func fieldName(i int) string {
	switch i {
	case fieldMethod:
		return "method"
	case fieldPath:
		return "path"
	case fieldQuery:
		return "query"
	}
	return loggedHeaders[i-fieldHeaders]
}

// secretParams are never logged in full.
var secretParams = map[string]bool{
	"code": true, "code_verifier": true, "client_secret": true, "refresh_token": true,
	"access_token": true, "token": true, "password": true, "request": true, "csrf": true, "id_token_hint": true,
}

// logged is a request as the middleware records it: raw, so the hot path
// does no parsing, redaction or formatting. GET /sandbox/requests turns it
// into a Request.
type logged struct {
	at time.Time
	// data holds the method, path, raw query and loggedHeaders' values back
	// to back, each cut to its bound; field i ends at ends[i]. A request's
	// own strings are slices of its whole request line or header block, so
	// keeping even a short one would keep up to 64 kB alive: data is a copy.
	// In the ring it is the slot's own buffer, reused by every entry the
	// slot holds, so recording a request allocates nothing.
	data      []byte
	ends      [fieldCount]uint16
	truncated uint16 // bit i: field i was cut
	status    int
	checks    []string
	// state identifies the state of an /authorize request (stateKey), so
	// the debugger finds its checks without parsing any stored query.
	state    [sha256.Size]byte
	hasState bool
}

// field is field i of e.
func (e *logged) field(i int) string {
	start := uint16(0)
	if i > 0 {
		start = e.ends[i-1]
	}
	return string(e.data[start:e.ends[i]])
}

// keep copies values into buf, reused, as e's fields, cut to fieldBounds.
func (e *logged) keep(buf []byte, values *[fieldCount]string) {
	e.data = buf[:0]
	for i, v := range values {
		if len(v) > fieldBounds[i] {
			v = v[:fieldBounds[i]]
			e.truncated |= 1 << i
		}
		e.data = append(e.data, v...)
		e.ends[i] = uint16(len(e.data))
	}
}

// stateKey is what an entry keeps of an /authorize state: a digest, fixed
// in size however long the state, and compared whole.
func stateKey(state string) [sha256.Size]byte { return sha256.Sum256([]byte(state)) }

func (e *logged) view() Request {
	q, _ := url.ParseQuery(e.field(fieldQuery))
	var headers [len(loggedHeaders)]string
	for i := range headers {
		headers[i] = e.field(fieldHeaders + i)
	}
	var truncated []string
	for i := range fieldCount {
		if e.truncated&(1<<i) != 0 {
			truncated = append(truncated, fieldName(i))
		}
	}
	return Request{
		Time:         e.at.UTC().Format(time.RFC3339Nano),
		Method:       e.field(fieldMethod),
		Path:         e.field(fieldPath),
		Query:        redactedQuery(q),
		Headers:      redactedHeaders(headers),
		Status:       e.status,
		ClientChecks: e.checks,
		Truncated:    truncated,
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

// add records e with values, the request's fields, copied into the
// slot's buffer.
func (l *requestLog) add(e logged, values *[fieldCount]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slot := &l.entries[l.next]
	e.keep(slot.data, values)
	*slot = e
	l.next = (l.next + 1) % len(l.entries)
	if l.next == 0 {
		l.full = true
	}
}

// last returns up to n entries, oldest first. Under the lock it only
// copies them out, their fields into one buffer; the views are built
// outside it.
func (l *requestLog) last(n int) []Request {
	l.mu.Lock()
	raw := make([]logged, 0, len(l.entries))
	if l.full {
		raw = append(raw, l.entries[l.next:]...)
	}
	raw = append(raw, l.entries[:l.next]...)
	if n < len(raw) {
		raw = raw[len(raw)-n:]
	}
	size := 0
	for i := range raw {
		size += len(raw[i].data)
	}
	buf := make([]byte, 0, size)
	for i := range raw {
		start := len(buf)
		buf = append(buf, raw[i].data...)
		raw[i].data = buf[start:len(buf):len(buf)]
	}
	l.mu.Unlock()
	out := make([]Request, len(raw))
	for i := range raw {
		out[i] = raw[i].view()
	}
	return out
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.entries) // the slots' buffers too: a cleared log holds nothing
	l.next, l.full = 0, false
}

// checksForState finds the client checks of the newest /authorize request
// that carried state, for the debugger. Every request takes the log's lock
// to add itself, so the walk under it only compares fixed-size digests:
// nothing is parsed, whatever the log holds.
func (l *requestLog) checksForState(state string) ([]string, bool) {
	key := stateKey(state)
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.entries)
	for i := 1; i <= n; i++ {
		e := &l.entries[(l.next-i+n)%n]
		if e.hasState && e.state == key {
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
		out[k] = v
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
		if err != nil || parsed < 1 || parsed > c.cfg.RequestLogSize {
			return problem(ctx, http.StatusBadRequest, "limit must be a number from 1 to "+strconv.Itoa(c.cfg.RequestLogSize))
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
			if strings.HasPrefix(r.URL.Path, Prefix+"/") || r.URL.Path == Prefix ||
				c.cfg.Delegated != "" && strings.HasPrefix(r.URL.Path, c.cfg.Delegated) {
				return next(ctx)
			}
			entry := logged{at: c.cfg.Clock.Now()}
			values := [fieldCount]string{fieldMethod: r.Method, fieldPath: r.URL.Path, fieldQuery: r.URL.RawQuery}
			for i, k := range loggedHeaders {
				// Header.Get would canonicalise each name again, on every
				// request.
				if v := r.Header[k]; len(v) > 0 {
					values[fieldHeaders+i] = v[0]
				}
			}
			var state string
			entry.checks, state = c.clientChecks(r)
			if state != "" {
				entry.state, entry.hasState = stateKey(state), true
			}
			for _, msg := range entry.checks {
				c.cfg.Warn(r.Context(), "client check", "path", truncate(r.URL.Path, 200), "check", msg)
			}
			handled, err := c.injectFault(ctx)
			if !handled {
				err = next(ctx)
			}
			if err != nil {
				ctx.Error(err)
			}
			entry.status = ctx.Response().Status
			c.requests.add(entry, &values)
			return nil
		}
	}
}
