package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestLogsHoldNoSecrets runs everything that carries a secret through a
// sandbox whose log goes to a buffer (the consent flow with a wrong and a
// right password, the docs' curl exchange, client_secret_basic, a refresh,
// a replayed code, FHIR reads with the token in the header and in the
// query, userinfo, introspection, revocation, the debugger's exchange) and
// then looks for every one of those secrets in the log, whole or in part.
func TestLogsHoldNoSecrets(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			sb := startSandbox(t, sandboxOptions{Clients: true, LogFormat: format})
			var seen htmlSeen
			b := newBrowserVia(t, seen.watch(sb.wire))

			secrets := map[string]string{"client secret": docsClientSecret, "password": "BCNCPSWD03", "wrong password": "Wr0ng-Passw0rd-77", "client B secret": clientB.secret}
			p := b.get(docsAuthorizeURL(sb.URL))
			p = b.submit(p, nil, nil, "I Understand")
			b.submit(p, map[string]string{"username": "BCNCUser03", "password": secrets["wrong password"]}, nil, "Log In")
			back := walk(t, b, docsAuthorizeURL(sb.URL), member{username: "BCNCUser03", password: secrets["password"]})
			code := codeFrom(t, back, "test")
			secrets["code"] = code

			status, tok, raw := sb.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir}}, basicAuth(docsClientID, docsClientSecret))
			if status != http.StatusOK {
				t.Fatalf("exchange: %d %s", status, raw)
			}
			secrets["access token"], secrets["refresh token"], secrets["id_token"] = tok.AccessToken, tok.RefreshToken, tok.IDToken
			sb.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
				"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, "") // replayed: revokes the grant

			back = walk(t, b, docsAuthorizeURL(sb.URL), member{username: "BCNCUser03", password: secrets["password"]})
			status, tok2, raw := sb.tokenCall(t, url.Values{"grant_type": {"authorization_code"}, "code": {codeFrom(t, back, "test")},
				"redirect_uri": {docsRedir}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}, "")
			if status != http.StatusOK {
				t.Fatalf("second exchange: %d %s", status, raw)
			}
			secrets["second access token"] = tok2.AccessToken
			status, tok3, raw := sb.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok2.RefreshToken},
				"client_id": {docsClientID}, "client_secret": {docsClientSecret}}, "")
			if status != http.StatusOK {
				t.Fatalf("refresh: %d %s", status, raw)
			}
			secrets["rotated refresh token"], secrets["refreshed access token"] = tok2.RefreshToken, tok3.AccessToken
			sb.tokenCall(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok2.RefreshToken},
				"client_id": {clientB.id}, "client_secret": {clientB.secret}}, "")

			live := tok3.AccessToken
			if s, body := sb.get(t, fhirPath+"/Patient/"+tok3.Patient, live); s != http.StatusOK {
				t.Fatalf("read: %d %s", s, body)
			}
			sb.send(t, http.MethodGet, fhirPath+"/ExplanationOfBenefit?access_token="+url.QueryEscape(live), nil, "")
			sb.send(t, http.MethodGet, "/v1/connect/userinfo", hdr("Authorization", "Bearer "+live), "")
			form := hdr("Content-Type", formType)
			sb.send(t, http.MethodPost, issuerPath+"/introspect", form, url.Values{"token": {live}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}.Encode())
			sb.send(t, http.MethodPost, issuerPath+"/revoke", form, url.Values{"token": {tok3.RefreshToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}.Encode())
			secrets["last refresh token"] = tok3.RefreshToken

			// The debugger: its page shows a code and exchanges it in process.
			if home := b.get(sb.URL + "/"); !strings.Contains(home.Body, `href="/debug/start"`) {
				t.Fatalf("no Try-it link on the home page:\n%s", home.Body)
			}
			back = walk(t, b, sb.URL+"/debug/start", member{username: "BCNCUser03", password: secrets["password"]})
			secrets["debugger code"] = back.Query().Get("code")
			page := b.get(back.String())
			got := b.submit(page, nil, nil, page.postForm(t).Buttons[0].Label)
			if got.Status != http.StatusOK || !strings.Contains(got.Body, "access_token") {
				t.Fatalf("debugger exchange: %d", got.Status)
			}

			// Every handle and CSRF token the pages carried.
			for i, pg := range seen.all() {
				if loc := pg.header.Get("Location"); strings.Contains(loc, "request=") {
					u, _ := url.Parse(loc)
					secrets["consent handle "+string(rune('a'+i%26))] = u.Query().Get("request")
				}
				for j, m := range csrfValue.FindAllStringSubmatch(pg.body, -1) {
					secrets["csrf "+string(rune('a'+i%26))+string(rune('a'+j%26))] = m[1]
				}
				for _, c := range pg.cookie {
					if c.Value != "" {
						secrets["cookie "+c.Name] = c.Value
					}
				}
			}

			log := sb.logs.String()
			if strings.Count(log, "request") < 20 {
				t.Fatalf("the log holds too little to judge (%d bytes): is it wired?", len(log))
			}
			for name, s := range secrets {
				if len(s) < 8 {
					t.Fatalf("secret %s is %q: the test lost it", name, s)
				}
				if strings.Contains(log, s) || strings.Contains(log, s[2:min(len(s), 18)]) {
					t.Errorf("the log holds the %s (or a part of it)", name)
				}
			}
			t.Logf("%d secrets looked for in %d bytes of log", len(secrets), len(log))
		})
	}
}
