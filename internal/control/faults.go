package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/httperr"
	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/labstack/echo/v4"
)

// Fault is one armed fault, as a test posts it to /sandbox/faults:
//
//	{"path": "/fhirmember/sps/oauth/oauth20/token", "count": 2, "oauth_error": "invalid_grant"}
//	{"path": "/fhir/sb/R4/patientaccess/*", "count": 1, "status": 429, "retry_after": 3}
//	{"path": "/fhir/sb/R4/patientaccess/ExplanationOfBenefit", "delay_ms": 1500}
//	{"path": "/fhir/sb/R4/patientaccess/Patient/*", "malformed": true}
//
// A request matches when its path equals Path, or starts with Path less its
// trailing "*", and when Method is empty or equal. The fault fires for the
// next Count matching requests (1 when unset) and is then gone.
type Fault struct {
	ID     int    `json:"id"`
	Method string `json:"method,omitempty"`
	Path   string `json:"path"`
	Count  int    `json:"count"`
	// Status answers with this HTTP status (429, 500, 502, 503, ...)
	// instead of running the handler.
	Status int `json:"status,omitempty"`
	// RetryAfter sets Retry-After (seconds) on a Status answer.
	RetryAfter int `json:"retry_after,omitempty"`
	// OAuthError answers with this RFC 6749 error code: on the token,
	// revoke and introspect endpoints as the JSON error body; on /authorize
	// as a redirect to the client's registered redirect_uri; elsewhere as
	// the code's status in the path's error shape.
	OAuthError string `json:"oauth_error,omitempty"`
	// DelayMS holds the request this long, then runs it (or the fault).
	DelayMS int `json:"delay_ms,omitempty"`
	// Malformed answers 200 with a truncated JSON body of the right type.
	Malformed bool `json:"malformed,omitempty"`
	// Fired counts how often the fault has fired so far.
	Fired int `json:"fired"`
}

// oauthErrors are the codes RFC 6749 §4.1.2.1 and §5.2 define.
var oauthErrors = map[string]int{
	"invalid_request": 400, "invalid_client": 401, "invalid_grant": 400, "unauthorized_client": 400,
	"unsupported_grant_type": 400, "invalid_scope": 400, "access_denied": 400,
	"unsupported_response_type": 400, "server_error": 500, "temporarily_unavailable": 503,
}

// The bounds of a fault. MaxFaultDelay is half the server's 60 s
// WriteTimeout, so a delayed request still gets its answer
// (TestFaultDelayLeavesTimeToAnswer); the others keep
// the armed faults small (the list is at most MaxArmedFaults × about 700
// bytes) and the check every request makes cheap.
const (
	MaxFaultDelay  = 30 * time.Second
	MaxArmedFaults = 100
	maxFaultPath   = 512
	maxFaultMethod = 16
	maxFaultCount  = 1_000_000
	maxRetryAfter  = 86400 // a day, in seconds
)

// ErrFaultLimit is why a fault is refused when MaxArmedFaults are armed.
var ErrFaultLimit = errors.New("fault limit reached")

func (f *Fault) check() error {
	// Every bound compares the integer as given: scaling it first (to a
	// time.Duration, say) could overflow and wrap past the check.
	switch {
	case !strings.HasPrefix(f.Path, "/"):
		return fmt.Errorf("path must start with /")
	case len(f.Path) > maxFaultPath:
		return fmt.Errorf("path must be at most %d bytes", maxFaultPath)
	case len(f.Method) > maxFaultMethod || strings.ContainsFunc(f.Method, notLetter):
		return fmt.Errorf("method must be an HTTP method such as GET, at most %d letters", maxFaultMethod)
	case f.Count < 0 || f.Count > maxFaultCount:
		return fmt.Errorf("count must be between 1 and %d", maxFaultCount)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("status must be a 4xx or 5xx code")
	case f.OAuthError != "" && oauthErrors[f.OAuthError] == 0:
		return fmt.Errorf("oauth_error %q is not an RFC 6749 error code", f.OAuthError)
	case f.DelayMS < 0 || f.DelayMS > int(MaxFaultDelay/time.Millisecond):
		return fmt.Errorf("delay_ms must be between 0 and %d", MaxFaultDelay.Milliseconds())
	case f.RetryAfter < 0 || f.RetryAfter > maxRetryAfter:
		return fmt.Errorf("retry_after must be between 0 and %d seconds", maxRetryAfter)
	}
	outcomes := 0
	for _, set := range []bool{f.Status != 0, f.OAuthError != "", f.Malformed} {
		if set {
			outcomes++
		}
	}
	if outcomes > 1 {
		return fmt.Errorf("status, oauth_error and malformed exclude each other")
	}
	if outcomes == 0 && f.DelayMS == 0 {
		return fmt.Errorf("a fault needs status, oauth_error, malformed or delay_ms")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	return nil
}

func (f *Fault) matches(method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if p, ok := strings.CutSuffix(f.Path, "*"); ok {
		return strings.HasPrefix(path, p)
	}
	return path == f.Path
}

func notLetter(r rune) bool { return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') }

// faults is the list of armed faults. Every request outside the control
// API asks it for a fault, so that question takes no lock: it scans armed,
// an immutable copy of the list (nil when none is armed, the usual case),
// and only a request that matches a fault takes the lock to fire it.
type faults struct {
	armed  atomic.Pointer[[]pattern] // the patterns of list, replaced on every change
	mu     sync.Mutex                // guards list and nextID, and orders the changes of armed
	list   []*Fault                  // at most MaxArmedFaults
	nextID int
}

// pattern is what a request is matched against: a fault's method and
// path, split once when it is armed and kept side by side, so the scan of
// every request reads one small contiguous slice.
type pattern struct {
	method   string // "" matches any
	path     string // the whole path, or the prefix when wildcard
	wildcard bool
}

func (p *pattern) matches(method, path string) bool {
	n := len(p.path)
	if len(path) < n || (!p.wildcard && len(path) != n) {
		return false
	}
	// Patterns share long prefixes (/fhir/sb/R4/patientaccess/) and differ
	// near their end: the last byte rules most out before the whole is
	// compared.
	if n > 0 && path[n-1] != p.path[n-1] || path[:n] != p.path {
		return false
	}
	return p.method == "" || strings.EqualFold(p.method, method)
}

// publishLocked replaces armed with the patterns of list. fs.mu must be
// held.
func (fs *faults) publishLocked() {
	if len(fs.list) == 0 {
		fs.armed.Store(nil)
		return
	}
	v := make([]pattern, len(fs.list))
	for i, f := range fs.list {
		prefix, wildcard := strings.CutSuffix(f.Path, "*")
		v[i] = pattern{method: f.Method, path: prefix, wildcard: wildcard}
	}
	fs.armed.Store(&v)
}

func (fs *faults) arm(f Fault) (Fault, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.list) >= MaxArmedFaults {
		return Fault{}, fmt.Errorf("%w: at most %d faults may be armed at once; DELETE %s/faults disarms them", ErrFaultLimit, MaxArmedFaults, Prefix)
	}
	fs.nextID++
	f.ID, f.Fired = fs.nextID, 0
	fs.list = append(fs.list, &f)
	fs.publishLocked()
	return f, nil
}

// mayMatch reports whether an armed fault matches, without the lock: an
// answer the lock-taking scan of take confirms, as a fault may fire out
// meanwhile.
func (fs *faults) mayMatch(method, path string) bool {
	armed := fs.armed.Load()
	if armed == nil {
		return false
	}
	for i := range *armed {
		if (*armed)[i].matches(method, path) {
			return true
		}
	}
	return false
}

// take consumes one firing of the first fault that matches, removing it
// once it has fired Count times.
func (fs *faults) take(method, path string) (Fault, bool) {
	if !fs.mayMatch(method, path) {
		return Fault{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if !f.matches(method, path) {
			continue
		}
		f.Fired++
		fired := *f
		if f.Fired >= f.Count {
			fs.list = slices.Delete(fs.list, i, i+1)
			fs.publishLocked()
		}
		return fired, true
	}
	return Fault{}, false
}

func (fs *faults) snapshot() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.list))
	for _, f := range fs.list {
		out = append(out, *f)
	}
	return out
}

func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = nil
	fs.publishLocked()
}

func (c *Control) listFaults(ctx echo.Context) error {
	if c.replicas != nil {
		// The counts fired on other replicas are in the store.
		if err := c.reloadFaults(); err != nil {
			return unavailable(ctx, err)
		}
	}
	return ctx.JSON(http.StatusOK, c.faults.snapshot())
}

func (c *Control) armFault(ctx echo.Context) error {
	var f Fault
	if err := decodeBody(ctx, &f); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return problem(ctx, http.StatusRequestEntityTooLarge, fmt.Sprintf("a fault object is at most %d bytes", tooLarge.Limit))
		}
		return problem(ctx, http.StatusBadRequest, "body must be one fault object: "+err.Error())
	}
	if strings.HasPrefix(f.Path, Prefix) {
		return problem(ctx, http.StatusBadRequest, "the control API itself cannot be faulted")
	}
	if err := f.check(); err != nil {
		return problem(ctx, http.StatusBadRequest, err.Error())
	}
	if r := c.replicas; r != nil {
		spec, err := json.Marshal(f)
		if err != nil {
			return err
		}
		id, err := r.shared.ArmFault(ctx.Request().Context(), r.ns, spec, f.Count, MaxArmedFaults)
		switch {
		case errors.Is(err, store.ErrLimit):
			return problem(ctx, http.StatusConflict, fmt.Sprintf("%v: at most %d faults may be armed at once; DELETE %s/faults disarms them", ErrFaultLimit, MaxArmedFaults, Prefix))
		case err != nil:
			return unavailable(ctx, err)
		}
		if err := c.reloadFaults(); err != nil {
			return unavailable(ctx, err)
		}
		f.ID = id
		return ctx.JSON(http.StatusCreated, f)
	}
	armed, err := c.faults.arm(f)
	if err != nil {
		return problem(ctx, http.StatusConflict, err.Error())
	}
	return ctx.JSON(http.StatusCreated, armed)
}

func (c *Control) clearFaults(ctx echo.Context) error {
	if r := c.replicas; r != nil {
		if err := r.shared.ClearFaults(ctx.Request().Context(), r.ns); err != nil {
			return unavailable(ctx, err)
		}
	}
	c.faults.clear()
	return ctx.NoContent(http.StatusNoContent)
}

// injectFault runs a fault armed for this request, if any. It reports
// whether it answered the request itself.
func (c *Control) injectFault(ctx echo.Context) (bool, error) {
	r := ctx.Request()
	if strings.HasPrefix(r.URL.Path, Prefix) {
		return false, nil
	}
	var f Fault
	var ok bool
	if c.replicas != nil {
		var err error
		if f, ok, err = c.takeShared(r.Method, r.URL.Path); err != nil {
			// Whether the fault still has a firing left cannot be told.
			ctx.Response().Header().Set("Retry-After", "1")
			return true, c.faultBody(ctx, httperr.Error{Status: http.StatusServiceUnavailable, Message: err.Error()})
		}
	} else {
		f, ok = c.faults.take(r.Method, r.URL.Path)
	}
	if !ok {
		return false, nil
	}
	if f.DelayMS > 0 {
		t := time.NewTimer(time.Duration(f.DelayMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true, nil
		}
	}
	note := fmt.Sprintf("fault %d injected by the sandbox control API", f.ID)
	switch {
	case f.Status != 0:
		if f.RetryAfter > 0 {
			ctx.Response().Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		return true, c.faultBody(ctx, httperr.Error{Status: f.Status, Message: note})
	case f.OAuthError != "":
		if c.isAuthorize(r.URL.Path) {
			if c.cfg.AuthorizeError == nil {
				return false, nil
			}
			loc, ok := c.cfg.AuthorizeError(r, f.OAuthError, note)
			if !ok {
				return false, nil // unregistered client or redirect_uri: the real handler refuses it
			}
			return true, ctx.Redirect(http.StatusFound, loc)
		}
		return true, c.faultBody(ctx, httperr.Error{Status: oauthErrors[f.OAuthError], OAuthCode: f.OAuthError, Message: note})
	case f.Malformed:
		ct := echo.MIMEApplicationJSON
		if strings.HasPrefix(r.URL.Path, c.cfg.FHIRPath) {
			ct = "application/fhir+json"
		}
		return true, ctx.Blob(http.StatusOK, ct, []byte(`{"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"resourceType": `))
	}
	return false, nil // a delay alone: the real handler answers
}

// faultBody answers e as a real error on the request's path would be
// answered: the one error writer picks the shape (RFC 6749 JSON on the token,
// revocation and introspection endpoints, the profile's shape under the FHIR
// base, {"detail": ...} elsewhere) and the 401 challenge. An oauth_error
// fault off the OAuth endpoints keeps its status; its code has no place in
// the other shapes.
func (c *Control) faultBody(ctx echo.Context, e httperr.Error) error {
	return c.cfg.Errors.Write(ctx.Response(), ctx.Request(), e)
}

func (c *Control) isAuthorize(path string) bool {
	rest, ok := strings.CutPrefix(path, c.cfg.IssuerPath)
	return ok && (rest == "/authorize" || rest == "/authorize/")
}
