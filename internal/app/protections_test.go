package app

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// roundTripFunc adapts a func to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// htmlSeen is every HTML answer a test's browser received, with its headers
// and body, in order.
type htmlSeen struct {
	mu    sync.Mutex // guards pages
	pages []seenPage
}

type seenPage struct {
	url    string
	status int
	header http.Header
	body   string
	cookie []*http.Cookie
}

// watch wraps next so that every answer is kept for inspection.
func (s *htmlSeen) watch(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(raw)))
		s.mu.Lock()
		defer s.mu.Unlock()
		s.pages = append(s.pages, seenPage{url: r.URL.String(), status: resp.StatusCode, header: resp.Header.Clone(), body: string(raw), cookie: resp.Cookies()})
		return resp, nil
	})
}

func (s *htmlSeen) all() []seenPage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenPage(nil), s.pages...)
}

// formValues is what a browser would post for f as it stands, pressing its
// first button.
func formValues(f form) url.Values {
	v := url.Values{}
	for _, fd := range f.Fields {
		switch {
		case fd.Name == "":
		case fd.Type == "radio" || fd.Type == "checkbox":
			if fd.Checked {
				v.Add(fd.Name, fd.Value)
			}
		default:
			v.Add(fd.Name, fd.Value)
		}
	}
	if len(f.Buttons) > 0 && f.Buttons[0].Name != "" {
		v.Set(f.Buttons[0].Name, f.Buttons[0].Value)
	}
	return v
}

// TestCSRFOnEveryForm posts each consent screen's form, and the debugger's
// exchange form, without its CSRF token and with another browser's: each is
// refused with 403 and moves nothing (the proper post then still works).
func TestCSRFOnEveryForm(t *testing.T) {
	env := newHostileEnv(t)
	b := env.newBrowser(t)
	other := env.newBrowser(t)
	authz := docsAuthorizeURL(env.URL)
	p := b.get(authz)
	op := other.get(authz)
	otherCSRF := op.postForm(t).field("csrf")

	steps := []struct {
		name  string
		text  map[string]string
		radio []string
		press string
	}{
		{"disclaimer", nil, nil, "I Understand"},
		{"login", map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In"},
		{"self or representative", nil, []string{"Self"}, "Next"},
		{"consent", nil, nil, "I Agree"},
	}
	previous := otherCSRF
	for _, st := range steps {
		f := p.postForm(t)
		token := f.field("csrf")
		if token == "" {
			t.Fatalf("%s: the form has no csrf field:\n%s", st.name, p.Body)
		}
		action, _ := p.URL.Parse(f.Action)
		for _, forged := range []struct{ name, csrf string }{
			{"no token", ""},
			{"another browser's token", otherCSRF},
			{"a tampered token", flipFirst(token)},
			{"the previous step's token", previous},
		} {
			v := formValues(f)
			v.Set("username", "BCNCUser03")
			v.Set("password", "BCNCPSWD03")
			if forged.csrf == "" {
				v.Del("csrf")
			} else {
				v.Set("csrf", forged.csrf)
			}
			got := b.do(http.MethodPost, action.String(), v)
			if got.Status != http.StatusForbidden || got.Location != "" {
				t.Errorf("%s with %s: %d %q, want 403 and no redirect", st.name, forged.name, got.Status, got.Location)
			}
		}
		previous = token
		p = b.submit(p, st.text, st.radio, st.press)
	}
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		t.Fatalf("after the forged posts the flow did not finish: %d\n%s", p.Status, p.Body)
	}
	back, _ := url.Parse(p.Location)
	codeFrom(t, back, "test")

	t.Run("debugger exchange", func(t *testing.T) {
		debugRedirect := testClient{docsClientID, docsClientSecret, env.URL + "/debug"}
		code := env.auto.mintCode(t, debugRedirect, "BCNCUser03", nil)
		otherCode := env.auto.mintCode(t, debugRedirect, "BCNCUser03", nil)
		b := env.newBrowser(t)
		page := b.get(env.URL + "/debug?code=" + url.QueryEscape(otherCode) + "&state=s")
		foreign := page.postForm(t).field("csrf")
		page = b.get(env.URL + "/debug?code=" + url.QueryEscape(code) + "&state=s")
		f := page.postForm(t)
		if f.field("csrf") == "" {
			t.Fatalf("the exchange form has no csrf field:\n%s", page.Body)
		}
		for name, token := range map[string]string{"no token": "", "another code's token": foreign} {
			v := formValues(f)
			v.Set("csrf", token)
			if got := b.do(http.MethodPost, env.URL+"/debug", v); got.Status != http.StatusForbidden || strings.Contains(got.Body, "access_token") {
				t.Errorf("exchange with %s: %d, want 403 and no tokens", name, got.Status)
			}
		}
		got := b.do(http.MethodPost, env.URL+"/debug", formValues(f))
		if got.Status != http.StatusOK || !strings.Contains(got.Body, "access_token") {
			t.Errorf("the genuine exchange after the forged ones: %d\n%s", got.Status, truncate(got.Body, 800))
		}
	})
}

// flipFirst changes a token's first character.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// field is the value of the form's field named name.
func (f form) field(name string) string {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd.Value
		}
	}
	return ""
}

// TestSecurityHeadersOnEveryHTMLPage visits every kind of HTML page (home,
// debugger, the four consent screens, the consent error page and the
// authorization server's error page) and checks each answer:
// X-Frame-Options DENY, X-Content-Type-Options nosniff, and a CSP that runs
// no inline script, forbids framing, and admits each inline <style> by hash.
func TestSecurityHeadersOnEveryHTMLPage(t *testing.T) {
	env := newHostileEnv(t)
	var seen htmlSeen
	b := newBrowserVia(t, seen.watch(env.wire))
	b.get(env.URL + "/")
	b.get(env.URL + "/debug")
	b.get(env.URL + "/debug?code=abc&state=x")
	b.do(http.MethodPost, env.URL+"/debug", url.Values{"code": {"abc"}})
	walk(t, b, docsAuthorizeURL(env.URL), member{username: "BCNCUser03", password: "BCNCPSWD03"})
	b.get(env.URL + issuerPath + "/consent?request=forged")
	b.get(env.URL + issuerPath + "/authorize?client_id=nobody")
	b.get(env.URL + issuerPath + "/authorize?client_id=" + docsClientID + "&redirect_uri=https://evil.example/")

	var html int
	for _, p := range seen.all() {
		h := p.header
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q, want nosniff", p.url, p.status, h.Get("X-Content-Type-Options"))
		}
		if mediaType(h) != "text/html" {
			continue
		}
		html++
		if h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s (%d): X-Frame-Options %q, want DENY", p.url, p.status, h.Get("X-Frame-Options"))
		}
		if msg := checkCSP(h.Get("Content-Security-Policy"), p.body); msg != "" {
			t.Errorf("%s (%d): %s: %q", p.url, p.status, msg, h.Get("Content-Security-Policy"))
		}
	}
	if html < 9 {
		t.Errorf("saw %d HTML pages, want at least 9 (home, 3 debugger, 4 screens, 2 error pages)", html)
	}
}

var (
	inlineStyle = regexp.MustCompile(`(?s)<style[^>]*>(.*?)</style>`)
	scriptTag   = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
)

// inlineScript reports whether body runs script of its own: a <script>
// without a same-origin src, or with a body. A served file is allowed.
func inlineScript(body string) bool {
	for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
		if !regexp.MustCompile(`\bsrc="/[^/]`).MatchString(m[1]) || strings.TrimSpace(m[2]) != "" {
			return true
		}
	}
	return strings.Count(strings.ToLower(body), "<script") != len(scriptTag.FindAllString(body, -1))
}

// checkCSP says what is wrong with a page's Content-Security-Policy (CSP
// Level 3), or "".
func checkCSP(csp, body string) string {
	if csp == "" {
		return "no Content-Security-Policy"
	}
	dirs := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		dirs[strings.ToLower(name)] = value
	}
	script, ok := dirs["script-src"]
	if !ok {
		script, ok = dirs["default-src"]
	}
	switch {
	case !ok:
		return "neither script-src nor default-src"
	case strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*"):
		return "scripts are not restricted"
	case dirs["frame-ancestors"] != "'none'":
		return "frame-ancestors is not 'none'"
	case inlineScript(body):
		return "the page has an inline script"
	case strings.Contains(strings.ToLower(body), "<script") && !strings.Contains(script, "'self'"):
		return "the page loads a script the policy does not allow"
	}
	style, ok := dirs["style-src"]
	if !ok {
		style = dirs["default-src"]
	}
	for _, m := range inlineStyle.FindAllStringSubmatch(body, -1) {
		sum := sha256.Sum256([]byte(m[1]))
		if !strings.Contains(style, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") && !strings.Contains(style, "'unsafe-inline'") {
			return "an inline <style> the policy blocks"
		}
	}
	return ""
}

// TestCookieFlags checks the cookies the pages set over plain HTTP: the
// consent step cookie and the debugger's flow cookie (its PKCE verifier)
// are HttpOnly and SameSite=Lax, and scoped to their paths. (Secure under
// TLS: TestTLS.)
func TestCookieFlags(t *testing.T) {
	env := newHostileEnv(t)
	var seen htmlSeen
	b := newBrowserVia(t, seen.watch(env.wire))
	walk(t, b, env.URL+"/debug/start", member{username: "BCNCUser03", password: "BCNCPSWD03"})
	checkCookies(t, seen.all(), false)
}

// checkCookies asserts the flags of every cookie set in pages, and that
// both the step cookie and the verifier cookie were among them.
func checkCookies(t *testing.T, pages []seenPage, secure bool) {
	t.Helper()
	names := map[string]bool{}
	for _, p := range pages {
		for _, c := range p.cookie {
			names[c.Name] = true
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure {
				t.Errorf("%s sets cookie %s with HttpOnly=%v SameSite=%v Secure=%v; want true, Lax, %v", p.url, c.Name, c.HttpOnly, c.SameSite, c.Secure, secure)
			}
			if c.Path == "" || c.Path == "/" {
				t.Errorf("cookie %s has path %q: scope it to the pages that read it", c.Name, c.Path)
			}
		}
	}
	if len(names) < 2 || !slices.ContainsFunc(slices.Collect(maps.Keys(names)), func(n string) bool { return strings.HasPrefix(n, "sandbox_flow_") }) {
		t.Errorf("saw cookies %v, want the consent step cookie and the debugger's verifier", names)
	}
}

// TestHostileValuesThroughTheFlow carries a state with CR, LF, quotes and
// markup, and a login_hint with markup, through every screen, and types
// markup as the username and the representative's name: no page shows a
// raw "<script", no header holds a raw CR or LF, the app gets its state
// back byte for byte (RFC 6749 §4.1.2), and the representative's name is
// served back only as JSON data, never as a page.
func TestHostileValuesThroughTheFlow(t *testing.T) {
	env := newHostileEnv(t)
	var seen htmlSeen
	b := newBrowserVia(t, seen.watch(env.wire))
	state := "a\r\nSet-Cookie: x=1\r\n<script>alert(1)</script>\"'&%0D"
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {"openid profile patient/*.read"}, "state": {state}, "login_hint": {"<script>alert(2)</script>"}}
	p := b.get(env.URL + issuerPath + "/authorize?" + q.Encode())
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "<script>alert(3)</script>", "password": "x"}, nil, "Log In")
	if p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a markup username: %d, want 422 and the form again", p.Status)
	}
	p = b.submit(p, map[string]string{"username": "BCNCUser06", "password": "BCNCPSWD06"}, nil, "Log In")
	p = b.submit(p, map[string]string{"full name": "<script>alert(4)</script>", "relationship to": "<img src=x onerror=alert(5)>"}, []string{"Personal Representative", "Other"}, "Next")
	p = b.submit(p, nil, nil, "I Agree")
	back, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Query().Get("state"); got != state {
		t.Errorf("state came back as %q, want %q", got, state)
	}
	for _, pg := range seen.all() {
		if strings.Contains(strings.ToLower(pg.body), "<script") || strings.Contains(pg.body, "<img src=x") {
			t.Errorf("%s (%d) shows raw markup from the input", pg.url, pg.status)
		}
		for k, vs := range pg.header {
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n") {
					t.Errorf("%s: header %s holds CR or LF: %q", pg.url, k, v)
				}
			}
		}
	}
	tok := env.redeem(t, docsApp, codeFrom(t, back, state))
	claims := jwtClaims(t, tok.IDToken)
	rp, _ := claims["fhirUser"].(string)
	if i := strings.Index(rp, "RelatedPerson/"); i >= 0 {
		s, h, body := env.send(t, http.MethodGet, fhirPath+"/"+rp[i:], hdr("Authorization", "Bearer "+tok.AccessToken), "")
		if s != http.StatusOK || !isJSONType(mediaType(h)) || h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(string(body), "alert(4)") {
			t.Errorf("the RelatedPerson: %d %q nosniff=%q %s", s, h.Get("Content-Type"), h.Get("X-Content-Type-Options"), truncate(string(body), 300))
		}
	} else {
		t.Errorf("fhirUser %q is not a RelatedPerson", rp)
	}
}
