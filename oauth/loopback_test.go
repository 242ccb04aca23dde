package oauth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The any-port rule of RFC 8252 §7.3 is for native apps, which cannot hold a
// fixed port: it covers only the loopback URIs a public client registered
// itself, lets only the port vary (to a real one, 1-65535) and compares the
// rest as a string (RFC 6749 §3.1.2.3). Every other URI matches exactly.
func TestLoopbackRedirectNearMisses(t *testing.T) {
	native := Client{ID: "native", RedirectURIs: []string{
		"http://127.0.0.1/callback", "http://[::1]:8000/cb", "http://localhost/cb", "http://127.0.0.1", "com.example.app:/callback",
	}}
	confidential := Client{ID: "web", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:3000/callback", "http://localhost:3000/cb"}}
	docs := Client{ID: docsClientID, Secret: docsClientSecret, RedirectURIs: []string{docsRedirect, "{base}/debug"}}
	publicDebug := Client{ID: "public-debug", RedirectURIs: []string{"{base}/debug", "https://127.0.0.1/cb"}}
	const loopbackBase = "http://127.0.0.1:8080"

	cases := []struct {
		name      string
		client    Client
		base      string
		requested string
		ok        bool
	}{
		// What the rule is for.
		{"native 127.0.0.1 any port", native, base, "http://127.0.0.1:51004/callback", true},
		{"native 127.0.0.1 as registered", native, base, "http://127.0.0.1/callback", true},
		{"native 127.0.0.1 lowest port", native, base, "http://127.0.0.1:1/callback", true},
		{"native 127.0.0.1 highest port", native, base, "http://127.0.0.1:65535/callback", true},
		{"native [::1] another port", native, base, "http://[::1]:1234/cb", true},
		{"native [::1] no port", native, base, "http://[::1]/cb", true},
		{"native localhost any port", native, base, "http://localhost:49152/cb", true},
		{"native no path any port", native, base, "http://127.0.0.1:5000", true},
		{"native custom scheme exact", native, base, "com.example.app:/callback", true},

		// Ports that are not ports.
		{"port too large", native, base, "http://127.0.0.1:99999/callback", false},
		{"port 65536", native, base, "http://127.0.0.1:65536/callback", false},
		{"port zero", native, base, "http://127.0.0.1:0/callback", false},
		{"port empty", native, base, "http://127.0.0.1:/callback", false},
		{"port leading zero", native, base, "http://127.0.0.1:08080/callback", false},
		{"port signed", native, base, "http://127.0.0.1:+80/callback", false},
		{"port not digits", native, base, "http://127.0.0.1:80a/callback", false},
		{"port of [::1] empty", native, base, "http://[::1]:/cb", false},

		// The path, query and host compare exactly.
		{"another path", native, base, "http://127.0.0.1:51004/callback2", false},
		{"path trailing slash", native, base, "http://127.0.0.1:51004/callback/", false},
		{"path case", native, base, "http://127.0.0.1:51004/Callback", false},
		{"path dot segments", native, base, "http://127.0.0.1:51004/x/../callback", false},
		{"path escaped", native, base, "http://127.0.0.1:51004/%63allback", false},
		{"query added", native, base, "http://127.0.0.1:51004/callback?x=1", false},
		{"path added to a bare registration", native, base, "http://127.0.0.1:5000/x", false},
		{"fragment", native, base, "http://127.0.0.1:51004/callback#", false},
		{"https instead of http", native, base, "https://127.0.0.1:51004/callback", false},
		{"scheme in capitals", native, base, "HTTP://127.0.0.1:51004/callback", false},
		{"another loopback address", native, base, "http://127.0.0.2:51004/callback", false},
		{"localhost for 127.0.0.1", native, base, "http://localhost:51004/callback", false},
		{"127.0.0.1 for localhost", native, base, "http://127.0.0.1:51004/cb", false},
		{"localhost in capitals", native, base, "http://LOCALHOST:51004/cb", false},
		{"[::1] spelled long", native, base, "http://[0:0:0:0:0:0:0:1]:8000/cb", false},
		{"user info", native, base, "http://evil@127.0.0.1:51004/callback", false},
		{"backslash trick", native, base, `http://127.0.0.1:51004\@evil.test/callback`, false},
		{"another host ending in the address", native, base, "http://127.0.0.1.evil.test:51004/callback", false},

		// Never for a confidential client: it registered its exact URI.
		{"confidential exact", confidential, base, "http://127.0.0.1:3000/callback", true},
		{"confidential another port", confidential, base, "http://127.0.0.1:4444/callback", false},
		{"confidential localhost another port", confidential, base, "http://localhost:4444/cb", false},

		// Never for {base} or https registrations, whoever the client is.
		{"docs debug on the sandbox's loopback base", docs, loopbackBase, "http://127.0.0.1:8080/debug", true},
		{"docs debug on another loopback port", docs, loopbackBase, "http://127.0.0.1:4444/debug", false},
		{"docs debug without the port", docs, loopbackBase, "http://127.0.0.1/debug", false},
		{"public {base} on another loopback port", publicDebug, loopbackBase, "http://127.0.0.1:4444/debug", false},
		{"public https loopback another port", publicDebug, base, "https://127.0.0.1:4444/cb", false},
		{"public https loopback as registered", publicDebug, base, "https://127.0.0.1/cb", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := matchRedirect(tc.client, tc.requested, tc.base)
			if ok != tc.ok || (ok && got != tc.requested) {
				t.Errorf("matchRedirect(%s, %q) = %q, %v; want ok=%v", tc.client.ID, tc.requested, got, ok, tc.ok)
			}
		})
	}
}

// The reproduction: with the sandbox reached on loopback, the docs' client's
// {base}/debug must not let a listener on another local port receive the code.
func TestAuthorizeRefusesDebugOnAnotherLoopbackPort(t *testing.T) {
	e := router(newServer(t, nil))
	for _, tc := range []struct {
		name, redirect string
		status         int
	}{
		{"own port", "http://127.0.0.1:8080/debug", http.StatusFound},
		{"another port", "http://127.0.0.1:4444/debug", http.StatusBadRequest},
		{"port 99999", "http://127.0.0.1:99999/debug", http.StatusBadRequest},
		{"port 0", "http://127.0.0.1:0/debug", http.StatusBadRequest},
		{"empty port", "http://127.0.0.1:/debug", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := authorizeQuery(map[string]string{"redirect_uri": tc.redirect})
			r := httptest.NewRequest(http.MethodGet, IssuerPath+"/authorize?"+q.Encode(), nil)
			r.Host = "127.0.0.1:8080"
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d (Location %q), want %d", w.Code, w.Header().Get("Location"), tc.status)
			}
		})
	}
}

// A registration whose port no listener can have is refused at start, so it
// cannot become a loopback rule that matches nothing the app listens on.
func TestRegisteredPortMustBeAPort(t *testing.T) {
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1:65535/cb", true},
		{"http://127.0.0.1:1/cb", true},
		{"http://127.0.0.1:99999/cb", false},
		{"http://127.0.0.1:0/cb", false},
		{"https://app.example:65536/cb", false},
	} {
		err := checkClients([]Client{{ID: "a", RedirectURIs: []string{tc.uri}}})
		if (err == nil) != tc.ok {
			t.Errorf("registering %s: %v, want ok=%v", tc.uri, err, tc.ok)
		}
	}
}
