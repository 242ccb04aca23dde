package console

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"
)

// fakeSandbox answers the console's calls as the sandbox would: a token
// endpoint that records what it got, JWKS with key, and the other endpoints.
type fakeSandbox struct {
	key    *rsa.PrivateKey
	idTok  string
	tokens int
}

func newFakeSandbox(t *testing.T, claims map[string]any) *fakeSandbox {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := jws.CompactSerialize()
	return &fakeSandbox{key: key, idTok: tok}
}

func (f *fakeSandbox) answer(method, path string, form url.Values) (int, []byte) {
	switch {
	case strings.HasSuffix(path, "/jwks"):
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
		b, _ := json.Marshal(set)
		return 200, b
	case strings.HasSuffix(path, "/token"):
		f.tokens++
		n := string(rune('0' + f.tokens))
		return 200, []byte(`{"access_token":"AT` + n + `","refresh_token":"RT` + n + `","token_type":"Bearer","scope":"openid patient/*.read","patient":"-20140000008325","id_token":"` + f.idTok + `"}`)
	case strings.HasSuffix(path, "/introspect"):
		return 200, []byte(`{"active":true,"client_id":"` + form.Get("client_id") + `"}`)
	case strings.HasSuffix(path, "/revoke"):
		return 200, nil
	case strings.HasSuffix(path, "/userinfo"):
		return 200, []byte(`{"sub":"BCNCUser03"}`)
	}
	return 404, []byte(`{"detail":"no"}`)
}

// debuggerVisit opens /debug as the redirect back with code and state
// would, with the browser's cookies, and returns the page.
func debuggerVisit(t *testing.T, e *echo.Echo, code, state string, cookies ...*http.Cookie) string {
	t.Helper()
	r := httptest.NewRequest("GET", "/debug?"+url.Values{"code": {code}, "state": {state}}.Encode(), nil)
	for _, ck := range cookies {
		r.AddCookie(ck)
	}
	w := do(e, r)
	if w.Code != 200 {
		t.Fatalf("/debug: %d", w.Code)
	}
	return w.Body.String()
}

// press posts the page's exchange form (or, with path, another form's
// fields) with the browser's cookies.
func press(e *echo.Echo, path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range cookies {
		r.AddCookie(ck)
	}
	return do(e, r)
}

// TestTwoTabsKeepTheirOwnVerifiers is the two-tab case: a browser starts a
// flow in one tab, then another in a second tab, and finishes the first.
// Each code is exchanged with its own flow's verifier.
func TestTwoTabsKeepTheirOwnVerifiers(t *testing.T) {
	fake := newFakeSandbox(t, map[string]any{"iss": "http://sandbox.test/fhirmember/sps/oauth/oauth20", "aud": "JVjR77J3j4BaRVqoDtLx"})
	e, calls := newTestConsole(t, fake.answer)
	q1, ck1, _ := startFlow(t, e, "")
	q2, ck2, _ := startFlow(t, e, "", ck1)
	jar := []*http.Cookie{ck1, ck2}

	for _, tab := range []struct {
		name  string
		query url.Values
	}{{"first tab", q1}, {"second tab", q2}} {
		page := debuggerVisit(t, e, "code-"+tab.name, tab.query.Get("state"), jar...)
		if !strings.Contains(page, "Started here with Try it") {
			t.Errorf("%s: the debugger does not know its own flow", tab.name)
		}
		w := press(e, "/debug", url.Values{"code": {"code-" + tab.name}, "state": {tab.query.Get("state")}, "csrf": {between(page, `name="csrf" value="`, `"`)}}, jar...)
		if w.Code != 200 {
			t.Fatalf("%s: exchange %d", tab.name, w.Code)
		}
		form := (*calls)[len(*calls)-2].form // the token call; the JWKS call follows it
		if got := form.Get("code_verifier"); got == "" || challengeOf(got) != tab.query.Get("code_challenge") {
			t.Errorf("%s: exchanged with verifier %q, which is not the one of its challenge %q", tab.name, got, tab.query.Get("code_challenge"))
		}
		if form.Get("client_id") != "JVjR77J3j4BaRVqoDtLx" || form.Get("client_secret") != "SR3SrK6U1WpGOdjWS2LY" || form.Get("redirect_uri") != "http://sandbox.test/debug" {
			t.Errorf("%s: token form %v", tab.name, form)
		}
		deleted := false
		for _, ck := range w.Result().Cookies() {
			deleted = deleted || ck.Name == flowCookieName(tab.query.Get("state")) && ck.MaxAge < 0
		}
		if !deleted {
			t.Errorf("%s: the spent flow's cookie is kept", tab.name)
		}
	}
}

// TestFlowTheDebuggerDidNotStart: a docs-style flow to {base}/debug with no
// PKCE, in a browser that has open flows of its own, exchanges without a
// verifier; and for another client registered with the debugger, as the
// client the developer picks.
func TestFlowTheDebuggerDidNotStart(t *testing.T) {
	fake := newFakeSandbox(t, map[string]any{"iss": "http://sandbox.test/fhirmember/sps/oauth/oauth20", "aud": "public-debug"})
	e, calls := newTestConsole(t, fake.answer)
	_, open, _ := startFlow(t, e, "")
	page := debuggerVisit(t, e, "docs-code", "docs-state", open)
	if !strings.Contains(page, "Not started from this browser") || !strings.Contains(page, `value="public-debug"`) {
		t.Fatal("the debugger does not offer to exchange a foreign flow's code as a client of the developer's choice")
	}
	csrf := between(page, `name="csrf" value="`, `"`)
	press(e, "/debug", url.Values{"code": {"docs-code"}, "state": {"docs-state"}, "csrf": {csrf}}, open)
	if f := (*calls)[0].form; f.Has("code_verifier") || f.Get("client_id") != "JVjR77J3j4BaRVqoDtLx" {
		t.Errorf("docs-style exchange %v: want the docs' client and no code_verifier", f)
	}
	w := press(e, "/debug", url.Values{"code": {"docs-code"}, "state": {"docs-state"}, "csrf": {csrf}, "client_id": {"public-debug"}})
	f := (*calls)[len(*calls)-2].form
	if f.Get("client_id") != "public-debug" || f.Has("client_secret") || f.Has("code_verifier") {
		t.Errorf("public client's exchange %v", f)
	}
	if !strings.Contains(w.Body.String(), "RS256 signature verified") || !strings.Contains(w.Body.String(), "✔ <span class=\"visually-hidden\">passed:</span> aud names the client public-debug") {
		t.Errorf("the id_token for public-debug is not shown verified:\n%s", between(w.Body.String(), `id="idtoken-heading"`, "</section>"))
	}
	if w := press(e, "/debug", url.Values{"code": {"docs-code"}, "csrf": {csrf}, "client_id": {"elsewhere"}}); w.Code != http.StatusBadRequest {
		t.Errorf("exchange as a client without the debugger's redirect: %d", w.Code)
	}
	if w := press(e, "/debug", url.Values{"code": {"docs-code"}, "csrf": {"forged"}}); w.Code != http.StatusForbidden {
		t.Errorf("a forged CSRF token: %d", w.Code)
	}
}

// TestIDTokenSignatureChecked: a token signed by another key is shown as
// not verified.
func TestIDTokenSignatureChecked(t *testing.T) {
	fake := newFakeSandbox(t, map[string]any{"iss": "http://sandbox.test/fhirmember/sps/oauth/oauth20", "aud": "JVjR77J3j4BaRVqoDtLx"})
	other := newFakeSandbox(t, map[string]any{"iss": "http://sandbox.test/fhirmember/sps/oauth/oauth20", "aud": "JVjR77J3j4BaRVqoDtLx"})
	fake.idTok = other.idTok
	e, _ := newTestConsole(t, fake.answer)
	page := debuggerVisit(t, e, "c", "s")
	w := press(e, "/debug", url.Values{"code": {"c"}, "state": {"s"}, "csrf": {between(page, `name="csrf" value="`, `"`)}})
	body := w.Body.String()
	if strings.Contains(body, "signature verified") || !strings.Contains(body, "does not verify") {
		t.Errorf("a foreign signature is not flagged:\n%s", between(body, `id="idtoken-heading"`, "</section>"))
	}
}

// TestTokenButtons: refresh keeps the rotated refresh token; userinfo,
// introspect and revoke call their endpoints with the page's tokens; a
// token set the page did not make is refused.
func TestTokenButtons(t *testing.T) {
	fake := newFakeSandbox(t, map[string]any{"iss": "http://sandbox.test/fhirmember/sps/oauth/oauth20", "aud": "JVjR77J3j4BaRVqoDtLx"})
	e, calls := newTestConsole(t, fake.answer)
	page := debuggerVisit(t, e, "c", "s")
	body := press(e, "/debug", url.Values{"code": {"c"}, "state": {"s"}, "csrf": {between(page, `name="csrf" value="`, `"`)}}).Body.String()
	tokens := func(body string) url.Values {
		form := url.Values{}
		for _, k := range []string{"client_id", "access_token", "refresh_token", "id_token", "patient", "scope", "mac"} {
			form.Set(k, between(body, `name="`+k+`" value="`, `"`))
		}
		return form
	}
	form := tokens(body)
	if form.Get("access_token") != "AT1" || form.Get("refresh_token") != "RT1" {
		t.Fatalf("tokens on the page: %v", form)
	}
	tests := []struct {
		action, path, sends, shows string
	}{
		{"userinfo", "/v1/connect/userinfo", "", "BCNCUser03"},
		{"introspect", "/fhirmember/sps/oauth/oauth20/introspect", "token=AT1", "&#34;active&#34;: true"},
		{"revoke", "/fhirmember/sps/oauth/oauth20/revoke", "token=AT1", "HTTP 200"},
		{"refresh", "/fhirmember/sps/oauth/oauth20/token", "refresh_token=RT1", "HTTP 200"},
	}
	for _, tt := range tests {
		f := tokens(body)
		f.Set("action", tt.action)
		w := press(e, tokensPath, f)
		var call exchangeCall
		for _, c := range *calls {
			if c.path == tt.path {
				call = c
			}
		}
		switch {
		case w.Code != 200:
			t.Errorf("%s: %d", tt.action, w.Code)
		case call.path == "":
			t.Errorf("%s: no call to %s", tt.action, tt.path)
		case tt.sends != "" && !strings.Contains(call.form.Encode(), tt.sends):
			t.Errorf("%s sent %v, want %s", tt.action, call.form, tt.sends)
		case tt.action == "userinfo" && call.header.Get("Authorization") != "Bearer AT1":
			t.Errorf("userinfo sent Authorization %q", call.header.Get("Authorization"))
		case !strings.Contains(w.Body.String(), tt.shows):
			t.Errorf("%s: the page lacks %q", tt.action, tt.shows)
		}
		if tt.action == "refresh" {
			after := tokens(w.Body.String())
			if after.Get("access_token") != "AT2" || after.Get("refresh_token") != "RT2" {
				t.Errorf("after refresh the page holds %v, want the rotated AT2 / RT2", after)
			}
		}
	}
	forged := tokens(body)
	forged.Set("access_token", "someone-elses")
	forged.Set("action", "introspect")
	if w := press(e, tokensPath, forged); w.Code != http.StatusForbidden {
		t.Errorf("tokens the page did not make: %d", w.Code)
	}
}
