package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// introspect is the docs' client's RFC 7662 view of tok: active or not.
func (ep endpoint) introspect(tb testing.TB, tok string) bool {
	tb.Helper()
	status, _, raw := ep.send(tb, http.MethodPost, issuerPath+"/introspect",
		hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), "token="+url.QueryEscape(tok))
	var got struct{ Active bool }
	if err := json.Unmarshal(raw, &got); err != nil || status != http.StatusOK {
		tb.Fatalf("introspect: %d %s", status, raw)
	}
	return got.Active
}

// refreshAs refreshes rt as cl and returns the status and body.
func (ep endpoint) refreshAs(tb testing.TB, cl testClient, rt string) (int, tokenResponse, string) {
	tb.Helper()
	return ep.tokenCall(tb, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {cl.id}, "client_secret": {cl.secret}}, "")
}

// readsPatient is the status of a Patient read of patient with tok.
func (ep endpoint) readsPatient(tb testing.TB, patient, tok string) int {
	tb.Helper()
	status, _ := ep.get(tb, fhirPath+"/Patient/"+patient, tok)
	return status
}

// appsPageForm is the page with only the post form whose client_id is
// clientID, for browser.submit, which posts a page's first post form.
func appsPageForm(t *testing.T, p page, clientID string) page {
	t.Helper()
	for _, f := range p.Forms {
		if f.field("client_id") == clientID {
			p.Forms = []form{f}
			return p
		}
	}
	t.Fatalf("no form to remove %s on the apps page:\n%s", clientID, p.Body)
	return p
}

// TestMemberRemovesAnApp walks the members' apps page with a plain HTML
// browser, at the root and in a workspace: the member logs in, sees both
// apps holding tokens, removes the docs' app; its access token then gets
// 401, its refresh token invalid_grant, and both introspect inactive, while
// the other app's token keeps working and stays listed.
func TestMemberRemovesAnApp(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Clients: true})
	for _, tc := range []struct {
		name string
		ep   endpoint
		base string // the page's URL prefix
	}{
		{"the root", sb.endpoint, sb.URL},
		{"a workspace", sb.inWorkspace("apps-suite"), sb.URL + "/w/apps-suite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := tc.ep
			jane := member{username: "BCNCUser03", password: "BCNCPSWD03"}
			docs := ep.redeem(t, docsApp, codeFrom(t, ep.consent(t, jane), "test"))
			other := ep.mint(t, `{"username": "BCNCUser03", "client_id": "`+clientB.id+`", "scope": "patient/*.read offline_access"}`)

			b := ep.newBrowser(t)
			p := b.get(tc.base + issuerPath + "/apps")
			if p.Status != http.StatusOK {
				t.Fatalf("the apps page: %d\n%s", p.Status, p.Body)
			}
			p = b.submit(p, map[string]string{"username": jane.username, "password": jane.password}, nil, "Log In")
			for _, want := range []string{"Blue Cross NC sandbox example app", "App B", "Your connected apps"} {
				if !strings.Contains(p.Body, want) {
					t.Fatalf("after logging in the page lacks %q:\n%s", want, p.Body)
				}
			}
			p = b.submit(appsPageForm(t, p, docsClientID), nil, nil, "Remove access of Blue Cross NC sandbox example app")
			if p.Status != http.StatusOK || strings.Contains(p.Body, "Blue Cross NC sandbox example app") || !strings.Contains(p.Body, "App B") {
				t.Errorf("after removing the docs' app: %d\n%s", p.Status, p.Body)
			}

			if status := ep.readsPatient(t, docs.Patient, docs.AccessToken); status != http.StatusUnauthorized {
				t.Errorf("the removed app's access token: %d, want 401", status)
			}
			if status, _, raw := ep.refreshAs(t, docsApp, docs.RefreshToken); status != http.StatusBadRequest || !strings.Contains(raw, "invalid_grant") {
				t.Errorf("the removed app's refresh token: %d %s, want invalid_grant", status, raw)
			}
			if ep.introspect(t, docs.AccessToken) || ep.introspect(t, docs.RefreshToken) {
				t.Error("the removed app's tokens introspect as active")
			}
			if status := ep.readsPatient(t, other.Patient, other.AccessToken); status != http.StatusOK {
				t.Errorf("the other app's access token: %d, want 200", status)
			}
		})
	}
}

// TestGrantControlCalls: the control API lists a member's grants, expires
// one app's refresh tokens (its access token keeps working until it
// expires), revokes one app's grants (all its tokens stop at once), then
// every app's; bad input is refused with the reason.
func TestGrantControlCalls(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Clients: true, AutoApprove: "BCNCUser03"})
	ep := sb.endpoint
	const jane = "-20140000008325"
	grants := "/sandbox/members/" + jane + "/grants"
	docs := ep.redeem(t, docsApp, ep.mintCode(t, docsApp, "BCNCUser03", nil))
	other := ep.redeem(t, clientB, ep.mintCode(t, clientB, "BCNCUser03", nil))

	listed := func() []string {
		t.Helper()
		status, body := ep.get(t, grants, "")
		var list []struct {
			ClientID     string `json:"client_id"`
			RefreshEnded bool   `json:"refresh_ended"`
		}
		if err := json.Unmarshal(body, &list); err != nil || status != http.StatusOK {
			t.Fatalf("GET grants: %d %s", status, body)
		}
		var out []string
		for _, g := range list {
			s := g.ClientID
			if g.RefreshEnded {
				s += " (refresh ended)"
			}
			out = append(out, s)
		}
		slices.Sort(out)
		return out
	}
	if got := listed(); !slices.Equal(got, []string{docsClientID, clientB.id}) {
		t.Fatalf("grants %v", got)
	}

	if status, body := ep.controlPost(t, grants+"/expire", `{"client_id": "`+clientB.id+`"}`); status != http.StatusOK || !strings.Contains(body, `"expired":1`) {
		t.Fatalf("expire: %d %s", status, body)
	}
	if status, _, raw := ep.refreshAs(t, clientB, other.RefreshToken); status != http.StatusBadRequest || !strings.Contains(raw, "expired") {
		t.Errorf("an expired grant's refresh token: %d %s, want invalid_grant (expired)", status, raw)
	}
	if status := ep.readsPatient(t, jane, other.AccessToken); status != http.StatusOK {
		t.Errorf("its access token: %d, want 200 until it expires", status)
	}
	if ep.introspect(t, other.RefreshToken) {
		t.Error("the expired refresh token introspects as active")
	}
	if status, _, raw := ep.refreshAs(t, docsApp, docs.RefreshToken); status != http.StatusOK {
		t.Fatalf("the other app's refresh: %d %s", status, raw)
	}
	if got := listed(); !slices.Equal(got, []string{docsClientID, clientB.id + " (refresh ended)"}) {
		t.Errorf("grants after expiring one: %v", got)
	}

	if status, body := ep.controlPost(t, grants+"/revoke", `{"client_id": "`+docsClientID+`"}`); status != http.StatusOK || !strings.Contains(body, `"revoked":1`) {
		t.Fatalf("revoke: %d %s", status, body)
	}
	if status := ep.readsPatient(t, jane, docs.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a revoked grant's access token: %d, want 401", status)
	}
	if status := ep.readsPatient(t, jane, other.AccessToken); status != http.StatusOK {
		t.Errorf("the other app's access token after revoking the docs' app: %d", status)
	}
	if status, body := ep.controlPost(t, grants+"/revoke", ""); status != http.StatusOK || !strings.Contains(body, `"revoked":1`) {
		t.Fatalf("revoke all: %d %s", status, body)
	}
	if status := ep.readsPatient(t, jane, other.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("after revoking every grant: %d, want 401", status)
	}
	if got := listed(); len(got) != 0 {
		t.Errorf("grants after revoking all: %v", got)
	}

	for _, tc := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"an unknown member", "POST", "/sandbox/members/-99/grants/revoke", "", 404},
		{"an unknown member's list", "GET", "/sandbox/members/BCNCUser03/grants", "", 404},
		{"an unknown client", "POST", grants + "/expire", `{"client_id": "nope"}`, 400},
		{"a client in the query of the list", "GET", grants + "?client_id=nope", "", 400},
		{"a misspelt field", "POST", grants + "/revoke", `{"clientId": "x"}`, 400},
	} {
		h := hdr()
		if tc.body != "" {
			h = hdr("Content-Type", "application/json")
		}
		status, _, body := ep.send(t, tc.method, tc.target, h, tc.body)
		if status != tc.status || jsonField(t, body, "detail") == "" {
			t.Errorf("%s: %d %s, want %d with a detail", tc.name, status, body, tc.status)
		}
	}
}

// TestMintedTokens: POST /sandbox/tokens answers what /token answers for
// the same approval, and its tokens are accepted by the FHIR API, refresh,
// introspect and revoke as a flow's; a representative's and a health-only
// approval come out as the screens' do; one minted in a workspace is its.
func TestMintedTokens(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	ep := sb.endpoint
	const jane = "-20140000008325"
	flow := ep.redeem(t, docsApp, codeFrom(t, ep.consent(t, member{username: "BCNCUser03", password: "BCNCPSWD03"}), "test"))
	minted := ep.mint(t, `{"username": "BCNCUser03", "client_id": "`+docsClientID+`", "scope": "openid read profile patient/*.read"}`)

	status, h, raw := ep.send(t, http.MethodPost, "/sandbox/tokens", hdr("Content-Type", "application/json"),
		`{"username": "BCNCUser03", "client_id": "`+docsClientID+`", "scope": "openid read profile patient/*.read"}`)
	var fields map[string]any
	json.Unmarshal(raw, &fields)
	for _, k := range []string{"access_token", "token_type", "expires_in", "scope", "refresh_token", "patient", "id_token"} {
		if _, ok := fields[k]; !ok || status != http.StatusOK {
			t.Errorf("the minted answer lacks %s: %d %s", k, status, raw)
		}
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q, want no-store as /token's", h.Get("Cache-Control"))
	}
	if minted.Scope != flow.Scope || minted.Patient != flow.Patient || minted.ExpiresIn != flow.ExpiresIn || minted.TokenType != flow.TokenType {
		t.Errorf("minted %+v, the flow's %+v: scope, patient, expires_in and token_type must agree", minted, flow)
	}
	mc, fc := jwtClaims(t, minted.IDToken), jwtClaims(t, flow.IDToken)
	for _, k := range []string{"iss", "aud", "sub", "fhirUser"} {
		if mc[k] != fc[k] {
			t.Errorf("id_token %s: minted %v, the flow's %v", k, mc[k], fc[k])
		}
	}

	// Every way a flow's token is used.
	if status := ep.readsPatient(t, jane, minted.AccessToken); status != http.StatusOK {
		t.Errorf("FHIR read with a minted token: %d", status)
	}
	if !ep.introspect(t, minted.AccessToken) || !ep.introspect(t, minted.RefreshToken) {
		t.Error("the minted tokens do not introspect as active")
	}
	status, fresh, rawFresh := ep.refreshAs(t, docsApp, minted.RefreshToken)
	if status != http.StatusOK || fresh.RefreshToken == minted.RefreshToken {
		t.Fatalf("refreshing a minted token: %d %s", status, rawFresh)
	}
	if status, _, _ := ep.refreshAs(t, docsApp, minted.RefreshToken); status != http.StatusBadRequest {
		t.Errorf("the rotated minted refresh token again: %d, want invalid_grant", status)
	}
	if status, _, raw := ep.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), "token="+fresh.AccessToken); status != http.StatusOK {
		t.Fatalf("revoke: %d %s", status, raw)
	}
	if status := ep.readsPatient(t, jane, fresh.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a revoked minted token: %d, want 401", status)
	}

	rep := ep.mint(t, `{"username": "BCNCUser03", "client_id": "`+docsClientID+`", "scope": "openid fhirUser patient/*.read",
		"representative": {"relationship": "other", "full_name": "Sam Roe", "other_relationship": "neighbour"}}`)
	fhirUser, _ := jwtClaims(t, rep.IDToken)["fhirUser"].(string)
	rp, ok := strings.CutPrefix(fhirUser, sb.URL+fhirPath+"/")
	if !ok || !strings.HasPrefix(rp, "RelatedPerson/") {
		t.Fatalf("a representative's fhirUser %q", fhirUser)
	}
	if status, body := ep.get(t, fhirPath+"/"+rp, rep.AccessToken); status != http.StatusOK || !strings.Contains(string(body), "Sam Roe") {
		t.Errorf("the representative's RelatedPerson: %d %s", status, truncate(string(body), 200))
	}

	health := ep.mint(t, `{"username": "BCNCUser03", "client_id": "`+docsClientID+`", "scope": "openid profile patient/*.read", "share_personal": false}`)
	if status := ep.readsPatient(t, jane, health.AccessToken); status != http.StatusForbidden {
		t.Errorf("a health-only minted token read the Patient: %d, want 403", status)
	}
	if eob := ep.eobTotal(t, health.AccessToken); eob == 0 {
		t.Error("a health-only minted token reads no claims")
	}

	ws := ep.inWorkspace("mint-suite")
	inWS := ws.mint(t, mintBody("BCNCUser03"))
	if status := ws.readsPatient(t, jane, inWS.AccessToken); status != http.StatusOK {
		t.Errorf("a token minted in a workspace, there: %d", status)
	}
	if status := ep.readsPatient(t, jane, inWS.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a token minted in a workspace, at the root: %d, want 401", status)
	}
	if iss, _ := jwtClaims(t, inWS.IDToken)["iss"].(string); iss != sb.URL+"/w/mint-suite"+issuerPath {
		t.Errorf("the workspace's id_token iss %q", iss)
	}

	for _, tc := range []struct{ name, body string }{
		{"no scope", `{"username": "BCNCUser03", "client_id": "` + docsClientID + `"}`},
		{"no grantable scope", `{"username": "BCNCUser03", "client_id": "` + docsClientID + `", "scope": "read write"}`},
		{"an unknown user", `{"username": "BCNCUser99999", "client_id": "` + docsClientID + `", "scope": "patient/*.read"}`},
		{"an unknown client", `{"username": "BCNCUser03", "client_id": "nope", "scope": "patient/*.read"}`},
		{"a representative without a name", `{"username": "BCNCUser03", "client_id": "` + docsClientID + `", "scope": "patient/*.read", "representative": {"relationship": "poa"}}`},
		{"share_personal as a string", `{"username": "BCNCUser03", "client_id": "` + docsClientID + `", "scope": "patient/*.read", "share_personal": "no"}`},
	} {
		status, body := ep.controlPost(t, "/sandbox/tokens", tc.body)
		if status != http.StatusBadRequest || jsonField(t, []byte(body), "detail") == "" {
			t.Errorf("%s: %d %s, want 400 with a detail", tc.name, status, body)
		}
	}
}
