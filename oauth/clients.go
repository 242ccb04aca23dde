package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Client is a registered client application.
type Client struct {
	ID, Secret, Name string // Secret "" = public client: PKCE required
	// RedirectURIs match exactly; "{base}" in one is replaced by the
	// request's base URL (RFC 6749 §3.1.2). A public client's http loopback
	// registrations match any valid port (RFC 8252 §7.3).
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
	case u.Port() != "" && !validPort(u.Port()):
		return fmt.Errorf("port %s is not a port from 1 to 65535", u.Port())
	}
	return nil
}

// matchRedirect finds the redirect URI to use for a request of client that
// sent requested (possibly empty), where base replaces "{base}". RFC 6749
// §3.1.2.3: the URI is compared as a string; it may be omitted only when
// exactly one is registered. RFC 8252 §7.3: a native app's loopback redirect
// matches whatever port the app chose.
func matchRedirect(client Client, requested, base string) (string, bool) {
	registered := client.RedirectURIs
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
		if strings.ReplaceAll(r, "{base}", base) == requested {
			return requested, true
		}
	}
	// RFC 8252 §7.3 is for native apps, which are public clients (RFC 8252
	// §8.4): a confidential client registered the exact URI it listens on.
	if !client.public() {
		return "", false
	}
	for _, r := range registered {
		if sameLoopbackBut(r, requested) {
			return requested, true
		}
	}
	return "", false
}

// loopbackHosts are the hosts a registration names to mean "this machine"
// (RFC 8252 §7.3 names the IP literals; "localhost" is there because
// clients register it, RFC 8252 §8.3), spelled as a URI's authority has them.
var loopbackHosts = map[string]bool{"127.0.0.1": true, "[::1]": true, "localhost": true}

// sameLoopbackBut reports whether requested is the loopback URI registered,
// as it was written, but for the port: RFC 8252 §7.3 lets a native app pick
// any port at the time of the request. Everything else compares as a string
// (RFC 6749 §3.1.2.3): the scheme, the host as spelled, the path and query.
// A registration with "{base}" or any scheme but http is never loopback.
func sameLoopbackBut(registered, requested string) bool {
	regHost, regPort, regRest, ok := splitHTTP(registered)
	if !ok || !loopbackHosts[regHost] || (regPort != "" && !validPort(regPort)) {
		return false
	}
	host, port, rest, ok := splitHTTP(requested)
	return ok && host == regHost && rest == regRest && (port == "" || validPort(port))
}

// splitHTTP splits an "http://" URI into its host, its port (empty when the
// authority has no colon; a colon with nothing after it is not a URI a
// client may use) and everything after the authority.
func splitHTTP(uri string) (host, port, rest string, ok bool) {
	after, ok := strings.CutPrefix(uri, "http://")
	if !ok {
		return "", "", "", false
	}
	end := strings.IndexAny(after, "/?#")
	if end < 0 {
		end = len(after)
	}
	authority, rest := after[:end], after[end:]
	host = authority
	if strings.HasPrefix(authority, "[") {
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return "", "", "", false
		}
		host, authority = authority[:i+1], authority[i+1:]
	} else if i := strings.IndexByte(authority, ':'); i >= 0 {
		host, authority = authority[:i], authority[i:]
	} else {
		authority = ""
	}
	if authority != "" {
		p, found := strings.CutPrefix(authority, ":")
		if !found || p == "" {
			return "", "", "", false
		}
		port = p
	}
	return host, port, rest, true
}

// validPort accepts a TCP port as a URI writes it: 1 to 65535 in decimal,
// without sign or leading zero (RFC 3986 §3.2.3; port 0 is no port a
// listener can be reached on).
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n <= 65535
}
