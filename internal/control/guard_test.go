package control

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The sandbox's own origin is its base URL's, or the scheme and Host the
// request came with; over TLS that scheme is https.
func TestGuardOwnOrigin(t *testing.T) {
	c := New(Config{BaseURL: func(*http.Request) string { return "https://sandbox.example/base" }, Hosts: []string{"sandbox.example"}})
	cases := []struct {
		name, host, origin string
		tls                bool
		ok                 bool
	}{
		{"the base URL's origin", "127.0.0.1:8080", "https://sandbox.example", false, true},
		{"the base URL's origin in capitals", "127.0.0.1:8080", "HTTPS://SANDBOX.EXAMPLE", false, true},
		{"the host reached, plain", "localhost:8080", "http://localhost:8080", false, true},
		{"the host reached over TLS", "localhost:8443", "https://localhost:8443", true, true},
		{"http for a TLS connection", "localhost:8443", "http://localhost:8443", true, false},
		{"the base URL's host over http", "127.0.0.1:8080", "http://sandbox.example", false, false},
		{"another port", "localhost:8080", "http://localhost:3000", false, false},
		{"the base URL with its path", "127.0.0.1:8080", "https://sandbox.example/base", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, Prefix+"/clock", nil)
			r.Host = tc.host
			r.Header.Set("Origin", tc.origin)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			why := c.refusal(r)
			if (why == "") != tc.ok {
				t.Errorf("refusal %q, want ok=%v", why, tc.ok)
			}
		})
	}
}

// Host names compare without case or port, and only loopback ones and the
// configured ones pass.
func TestGuardOwnHost(t *testing.T) {
	c := New(Config{Hosts: []string{"sandbox", "fd00::5"}})
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST:8080": true, "127.0.0.1": true, "127.9.9.9:1": true, "[::1]:8080": true,
		"[::ffff:127.0.0.1]:80": true, "sandbox": true, "Sandbox:8080": true, "[fd00::5]:8080": true,
		"": false, ":8080": false, "localhost.": false, "sub.localhost": false, "sandbox.evil.example": false,
		"10.0.0.1:8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "evil.example": false,
	} {
		if got := c.ownHost(host); got != want {
			t.Errorf("ownHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// Off answers every control path 404 with the reason, whatever the method.
func TestControlOffAnswersEveryPath(t *testing.T) {
	e, _ := newRouter(t, Config{Off: true})
	for _, tc := range []struct{ method, path string }{
		{"GET", Prefix}, {"POST", Prefix + "/faults"}, {"DELETE", Prefix + "/requests"}, {"POST", Prefix + "/members/x/touch"}, {"PUT", Prefix + "/anything/else"},
	} {
		rec := call(e, tc.method, tc.path, `{}`)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "turned off") {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
		}
	}
}
