package app

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// checkBaseURL accepts an absolute http(s) URL with a host and nothing after
// the path (no query, no fragment).
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("scheme must be http or https")
	case u.Host == "":
		return errors.New("a host is required")
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("no user, query or fragment allowed")
	}
	return nil
}

// baseURLFunc returns how every package learns the public base URL of a
// request (no trailing slash). A fixed --base-url wins; otherwise the scheme
// and host come from X-Forwarded-Proto / X-Forwarded-Host when a proxy set
// them (the first value of a comma list), else from the connection and Host.
// That is what lets one container answer as http://localhost:8080 to a
// browser and as http://sandbox:8080 to an app container beside it.
func baseURLFunc(fixed string) func(*http.Request) string {
	if fixed != "" {
		fixed = strings.TrimRight(fixed, "/")
		return func(*http.Request) string { return fixed }
	}
	var last atomic.Pointer[requestBase]
	return func(r *http.Request) string {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := firstForwarded(r.Header["X-Forwarded-Proto"]); p == "http" || p == "https" {
			scheme = p
		}
		host := r.Host
		if h := firstForwarded(r.Header["X-Forwarded-Host"]); h != "" {
			host = h
		}
		// Nearly every request names the scheme and host the one before
		// did: reuse that one's checked URL rather than build it again on
		// every request.
		if b := last.Load(); b != nil && b.scheme == scheme && b.host == host {
			return b.url
		}
		checked := host
		if !validHost(host) {
			checked = "localhost"
		}
		b := &requestBase{scheme: scheme, host: host, url: scheme + "://" + checked}
		last.Store(b)
		return b.url
	}
}

// requestBase is a request's scheme and host and the base URL made of them.
type requestBase struct{ scheme, host, url string }

// firstForwarded is the first value of a forwarding header, lower-cased:
// the one the proxy nearest the client set. The names are canonical, so the
// header map is read directly rather than through Header.Get.
func firstForwarded(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[0]
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// validHost keeps a hostile Host header out of issuer URLs, links and pages:
// letters, digits and the few characters a host[:port] or [v6]:port uses.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_':
		default:
			return false
		}
	}
	return true
}
