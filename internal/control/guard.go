package control

import (
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The control API rewrites what the sandbox answers and reads any member
// without a token: it is for test suites, never for a web page. A page can
// still reach it through the browser of someone running the sandbox: by a
// form or a no-cors fetch, which a browser sends cross-site without asking
// first (Fetch Standard, "CORS-safelisted request-header": only
// text/plain, form and multipart bodies), or by DNS rebinding, which makes
// the page's own host name resolve to the sandbox. guard refuses both: only
// JSON bodies, no request a browser marks as coming from another site or
// origin, and only the sandbox's own host names.

// guard answers 403 to whatever a web page could have sent, before any
// control action runs.
func (c *Control) guard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(ctx echo.Context) error {
		if why := c.refusal(ctx.Request()); why != "" {
			return problem(ctx, http.StatusForbidden, why)
		}
		return next(ctx)
	}
}

// refusal says why r may not use the control API, or "" when it may.
func (c *Control) refusal(r *http.Request) string {
	if !c.ownHost(r.Host) {
		// DNS rebinding: the browser names the attacker's host.
		return "the control API answers only on the sandbox's own host names: loopback, the --base-url host, or a host listed in --control-hosts; not " + quoteHost(r.Host)
	}
	if fwd := firstValue(r.Header.Get("X-Forwarded-Host")); fwd != "" && !c.ownHost(fwd) {
		// A proxy in front says which name the client asked for: a public
		// name must be allowed as any other.
		return "the control API answers only on the sandbox's own host names: loopback, the --base-url host, or a host listed in --control-hosts; not X-Forwarded-Host " + quoteHost(fwd)
	}
	// W3C Fetch Metadata Request Headers, "Sec-Fetch-Site": the browser
	// says the request comes from a page of another site.
	if strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		return "the control API refuses requests a browser sends from a page of another site (Sec-Fetch-Site: cross-site)"
	}
	// Fetch Standard, "append a request `Origin` header": a browser names
	// the page's origin (RFC 6454 §7) on every cross-origin request and on
	// every POST.
	if origin := r.Header.Get("Origin"); origin != "" && !c.ownOrigin(r, origin) {
		return "the control API refuses requests from a web page of another origin (Origin " + quoteHost(origin) + ")"
	}
	// Only a CORS-safelisted content type (or none) can be sent cross-site
	// without a preflight; JSON cannot.
	if hasBody(r) || r.Header.Get("Content-Type") != "" {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return "the control API takes only JSON bodies: send Content-Type: application/json"
		}
	}
	return ""
}

// hasBody reports whether r carries a body (chunked counts, its length
// unknown).
func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 || len(r.TransferEncoding) > 0
}

// ownHost reports whether hostport names this sandbox: a loopback name or
// address, which a rebinding page cannot make its own, or a host the
// operator allowed (Config.Hosts).
func (c *Control) ownHost(hostport string) bool {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range c.cfg.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// ownOrigin reports whether origin is the sandbox's own: the origin of its
// base URL for r, or the scheme and Host r arrived with (the two differ
// only when --base-url names another host than the one reached).
func (c *Control) ownOrigin(r *http.Request, origin string) bool {
	if c.cfg.BaseURL != nil && strings.EqualFold(origin, originOf(c.cfg.BaseURL(r))) {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

// originOf is the scheme://host[:port] part of an absolute URL.
func originOf(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return scheme + "://" + rest
}

// firstValue is the first item of a comma list, trimmed: the value the
// proxy nearest the client set.
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// quoteHost quotes a client-supplied value for an error message, cut short.
func quoteHost(s string) string {
	return `"` + truncate(s, 100) + `"`
}

// off answers every control path while the API is turned off.
func (c *Control) off(ctx echo.Context) error {
	return problem(ctx, http.StatusNotFound, "the control API is turned off (--control=false or SANDBOX_CONTROL=false)")
}
