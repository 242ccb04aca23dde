package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Client is a registered client application.
type Client struct {
	ID, Secret, Name string // Secret "" = public client: PKCE required
	// RedirectURIs match exactly; "{base}" in one is replaced by the
	// request's base URL (RFC 6749 §3.1.2), loopback IPs match any port
	// (RFC 8252 §7.3).
	RedirectURIs []string
	// GrantTypes lists the grants the client may use ("authorization_code",
	// "refresh_token"); empty allows both. A grant outside the list is
	// unauthorized_client (RFC 6749 §5.2).
	GrantTypes []string
}

// public reports whether the client has no secret (RFC 6749 §2.1).
func (c Client) public() bool { return c.Secret == "" }

// allows reports whether the client may use grant type gt.
func (c Client) allows(gt string) bool {
	if len(c.GrantTypes) == 0 {
		return gt == grantCode || gt == grantRefresh
	}
	for _, g := range c.GrantTypes {
		if g == gt {
			return true
		}
	}
	return false
}

// clientFile is one entry of a --clients file.
type clientFile struct {
	ID           string   `json:"client_id"`
	Secret       string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Name         string   `json:"client_name"`
	GrantTypes   []string `json:"grant_types"`
}

// LoadClients reads a JSON array of clients:
// [{"client_id", "client_secret" (omit for a public client), "redirect_uris": [...], "client_name"}].
// An error names the file and the entry at fault.
func LoadClients(path string) ([]Client, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []clientFile
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	clients := make([]Client, len(entries))
	for i, e := range entries {
		clients[i] = Client{ID: e.ID, Secret: e.Secret, Name: e.Name, RedirectURIs: e.RedirectURIs, GrantTypes: e.GrantTypes}
	}
	if err := checkClients(clients); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return clients, nil
}

// checkClients reports the first registration that cannot work.
func checkClients(clients []Client) error {
	seen := make(map[string]bool, len(clients))
	for i, c := range clients {
		switch {
		case c.ID == "":
			return fmt.Errorf("client %d: no client_id", i+1)
		case seen[c.ID]:
			return fmt.Errorf("client %q: duplicate client_id", c.ID)
		case len(c.RedirectURIs) == 0:
			return fmt.Errorf("client %q: no redirect_uris", c.ID)
		}
		seen[c.ID] = true
		for _, u := range c.RedirectURIs {
			if err := checkRedirectURI(u); err != nil {
				return fmt.Errorf("client %q: redirect URI %q: %w", c.ID, u, err)
			}
		}
		for _, g := range c.GrantTypes {
			if g != grantCode && g != grantRefresh {
				return fmt.Errorf("client %q: unsupported grant type %q", c.ID, g)
			}
		}
	}
	return nil
}

// checkRedirectURI enforces RFC 6749 §3.1.2: an absolute URI without a
// fragment. "{base}" stands for the base URL and is checked as one.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(strings.ReplaceAll(raw, "{base}", "http://base.invalid"))
	switch {
	case err != nil:
		return err
	case strings.Contains(raw, "#"):
		return fmt.Errorf("has a fragment (RFC 6749 §3.1.2)")
	case !u.IsAbs():
		return fmt.Errorf("is not an absolute URI (RFC 6749 §3.1.2)")
	}
	return nil
}

// matchRedirect finds the redirect URI to use for a request that sent
// requested (possibly empty) to a client registered with registered, where
// base replaces "{base}". RFC 6749 §3.1.2.3: the URI is compared as a string;
// it may be omitted only when exactly one is registered. RFC 8252 §7.3: a
// loopback IP literal redirect matches whatever port the native app chose.
func matchRedirect(registered []string, requested, base string) (string, bool) {
	if strings.Contains(requested, "#") {
		return "", false // RFC 6749 §3.1.2: never a fragment, not even an empty one
	}
	if requested == "" {
		if len(registered) == 1 {
			return strings.ReplaceAll(registered[0], "{base}", base), true
		}
		return "", false
	}
	for _, r := range registered {
		r = strings.ReplaceAll(r, "{base}", base)
		if r == requested || sameLoopback(r, requested) {
			return requested, true
		}
	}
	return "", false
}

// sameLoopback reports whether a and b are http URIs on the same loopback IP
// literal (127.0.0.1 or [::1]) that differ at most in port (RFC 8252 §7.3;
// "localhost" is not a literal, RFC 8252 §8.3, and must match exactly).
func sameLoopback(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil {
		return false
	}
	ip := net.ParseIP(ua.Hostname())
	return ua.Scheme == "http" && ub.Scheme == "http" && ip != nil && ip.IsLoopback() &&
		ua.Hostname() == ub.Hostname() && ua.User == nil && ub.User == nil &&
		ua.EscapedPath() == ub.EscapedPath() && ua.RawQuery == ub.RawQuery &&
		ua.Fragment == "" && ub.Fragment == ""
}
