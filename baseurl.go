package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
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
	return func(r *http.Request) string {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := firstForwarded(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		host := r.Host
		if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
		if !validHost(host) {
			host = "localhost"
		}
		return scheme + "://" + host
	}
}

func firstForwarded(v string) string {
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
