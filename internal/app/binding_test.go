package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRedirectURIExactMatch sends the docs' client's registered redirect
// URI with every near miss an open redirect would exploit: each is refused
// with the HTML error page and no Location (RFC 6749 §3.1.2.3 simple string
// comparison, §4.1.2.1 no redirect to an unverified URI; RFC 9700 §4.1.3).
func TestRedirectURIExactMatch(t *testing.T) {
	env := newHostileEnv(t)
	for _, tc := range []struct{ name, client, uri string }{
		{"prefix", docsClientID, "https://oidcdebugger.com/debu"},
		{"suffix", docsClientID, "https://oidcdebugger.com/debugger"},
		{"subpath", docsClientID, "https://oidcdebugger.com/debug/evil"},
		{"trailing slash", docsClientID, "https://oidcdebugger.com/debug/"},
		{"host case", docsClientID, "https://OIDCDEBUGGER.com/debug"},
		{"scheme case", docsClientID, "HTTPS://oidcdebugger.com/debug"},
		{"path case", docsClientID, "https://oidcdebugger.com/Debug"},
		{"http", docsClientID, "http://oidcdebugger.com/debug"},
		{"explicit port", docsClientID, "https://oidcdebugger.com:443/debug"},
		{"userinfo before host", docsClientID, "https://oidcdebugger.com@evil.example/debug"},
		{"userinfo on host", docsClientID, "https://evil.example@oidcdebugger.com/debug"},
		{"suffix host", docsClientID, "https://oidcdebugger.com.evil.example/debug"},
		{"encoded path", docsClientID, "https://oidcdebugger.com/%64ebug"},
		{"dot segment", docsClientID, "https://oidcdebugger.com/x/../debug"},
		{"added query", docsClientID, "https://oidcdebugger.com/debug?next=https://evil.example"},
		{"fragment", docsClientID, "https://oidcdebugger.com/debug#x"},
		{"empty fragment", docsClientID, "https://oidcdebugger.com/debug#"},
		{"backslash", docsClientID, `https://oidcdebugger.com\@evil.example/debug`},
		{"NUL", docsClientID, "https://oidcdebugger.com/debug\x00"},
		{"another client's", docsClientID, clientB.redirect},
		{"B with the docs' URI", clientB.id, docsRedir},
		{"B with case", clientB.id, "https://B.example/cb"},
		{"loopback of a public client on another path", publicApp.id, "http://127.0.0.1/cb/evil"},
		{"localhost for a loopback IP", publicApp.id, "http://localhost/cb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"response_type": {"code"}, "client_id": {tc.client}, "redirect_uri": {tc.uri},
				"scope": {"openid patient/*.read"}, "state": {"s"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
			status, h, body := env.send(t, http.MethodGet, issuerPath+"/authorize?"+q.Encode(), nil, "")
			if status != http.StatusBadRequest || h.Get("Location") != "" || mediaType(h) != "text/html" {
				t.Fatalf("%q: %d Location %q type %q, want the 400 HTML page and no redirect", tc.uri, status, h.Get("Location"), h.Get("Content-Type"))
			}
			if strings.Contains(string(body), "<script") {
				t.Errorf("the page reflects markup")
			}
		})
	}
}

// TestCodesAndTokensBoundToClient: client B can neither exchange A's code
// nor refresh, revoke or (as a public client) introspect A's tokens, and
// its attempts cost A nothing (RFC 6749 §4.1.3, §6; RFC 7009 §2.1).
func TestCodesAndTokensBoundToClient(t *testing.T) {
	env := newHostileEnv(t)
	codeA := env.auto.mintCode(t, docsApp, "BCNCUser05", nil)
	for _, cl := range []testClient{clientB, publicApp} {
		status, _, raw := env.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {codeA},
			"redirect_uri": {docsRedir}, "client_id": {cl.id}, "client_secret": {cl.secret}, "code_verifier": {strings.Repeat("v", 43)}}, "")
		if status != http.StatusBadRequest || !strings.Contains(raw, `"invalid_grant"`) {
			t.Errorf("%s exchanging A's code: %d %s, want 400 invalid_grant", cl.id, status, raw)
		}
	}
	// Basic auth as B, A's code.
	status, _, raw := env.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {codeA}, "redirect_uri": {docsRedir}}, basicAuth(clientB.id, clientB.secret))
	if status != http.StatusBadRequest || !strings.Contains(raw, `"invalid_grant"`) {
		t.Errorf("B (Basic) exchanging A's code: %d %s", status, raw)
	}
	// A's code is still good for A: B's tries did not spend it.
	tokA := env.redeem(t, docsApp, codeA)

	status, _, raw = env.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokA.RefreshToken},
		"client_id": {clientB.id}, "client_secret": {clientB.secret}}, "")
	if status != http.StatusBadRequest || !strings.Contains(raw, `"invalid_grant"`) {
		t.Errorf("B refreshing A's token: %d %s, want 400 invalid_grant", status, raw)
	}
	status, _, raw = env.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokA.RefreshToken}}, "")
	if status != http.StatusUnauthorized || !strings.Contains(raw, `"invalid_client"`) {
		t.Errorf("refreshing a confidential client's token with no credentials: %d %s, want 401 invalid_client", status, raw)
	}
	rs, _, rb := env.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType),
		url.Values{"token": {tokA.AccessToken}, "client_id": {clientB.id}, "client_secret": {clientB.secret}}.Encode())
	if rs != http.StatusBadRequest || !strings.Contains(string(rb), "unauthorized_client") {
		t.Errorf("B revoking A's token: %d %s", rs, rb)
	}
	is, _, ib := env.send(t, http.MethodPost, issuerPath+"/introspect", hdr("Content-Type", formType),
		url.Values{"token": {tokA.AccessToken}, "client_id": {publicApp.id}}.Encode())
	if is != http.StatusOK || !strings.Contains(string(ib), `"active":false`) {
		t.Errorf("a public client introspecting A's token: %d %s, want active false (RFC 7662 §2.1)", is, ib)
	}
	// A's tokens still work for A after all of it.
	if s, body := env.get(t, fhirPath+"/Patient/"+tokA.Patient, tokA.AccessToken); s != http.StatusOK {
		t.Errorf("A's token after B's attempts: %d %s", s, body)
	}
	status, _, raw = env.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tokA.RefreshToken},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, "")
	if status != http.StatusOK {
		t.Errorf("A refreshing its own token after B's attempts: %d %s", status, raw)
	}
}
