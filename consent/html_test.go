package consent

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allPages walks one flow and returns every page it meets, by name,
// including re-shown forms with errors and an error page.
func allPages(t *testing.T, h *harness) map[string]*page {
	t.Helper()
	b := newBrowser(t, h.srv.URL)
	pages := map[string]*page{}
	p := b.start("h1")
	pages["disclaimer"] = p
	p = b.submit(p, nil)
	pages["login"] = p
	pages["login error"] = login(b, p, "BCNCUser03", "wrong")
	p = login(b, p, "BCNCUser03", "BCNCPSWD03")
	pages["relation"] = p
	pages["relation error"] = b.submit(p, url.Values{"who": {"representative"}})
	p = b.submit(p, url.Values{"who": {"self"}})
	pages["consent"] = p
	pages["consent error"] = b.submit(p, url.Values{"decision": {"maybe"}})
	pages["error"] = newBrowser(t, h.srv.URL).get(issuerPath + StartPath)
	return pages
}

// Every input a member fills in has a <label for>, every radio sits in a
// fieldset with a legend, every step is a post form to {issuer}/consent,
// and every page has lang, a title and one h1.
func TestPagesAreAccessible(t *testing.T) {
	h := newHarness(t, Config{})
	for name, p := range allPages(t, h) {
		t.Run(name, func(t *testing.T) {
			if p.doc == nil {
				t.Fatalf("not HTML: %s", p.Header.Get("Content-Type"))
			}
			if root := find(p.doc, isElement("html")); attr(root, "lang") != "en" {
				t.Error(`no lang="en"`)
			}
			if title := text(find(p.doc, isElement("title"))); !strings.Contains(title, "Blue Cross NC API sandbox") || strings.HasPrefix(title, "|") {
				t.Errorf("title %q", title)
			}
			if n := len(findAll(p.doc, isElement("h1"))); n != 1 {
				t.Errorf("%d h1 elements, want 1", n)
			}
			if !strings.Contains(p.Body, "synthetic") {
				t.Error("no note that the data is synthetic")
			}
			labels := map[string]bool{}
			for _, l := range findAll(p.doc, isElement("label")) {
				labels[attr(l, "for")] = true
			}
			ids := map[string]bool{}
			for _, n := range findAll(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, "id") != "" }) {
				if ids[attr(n, "id")] {
					t.Errorf("duplicate id %q", attr(n, "id"))
				}
				ids[attr(n, "id")] = true
			}
			for _, in := range findAll(p.doc, isElement("input")) {
				if attr(in, "type") == "hidden" {
					continue
				}
				if id := attr(in, "id"); id == "" || !labels[id] {
					t.Errorf("input %q (id %q) has no <label for>", attr(in, "name"), id)
				}
				if attr(in, "type") == "radio" && find(ancestor(in, "fieldset"), isElement("legend")) == nil {
					t.Errorf("radio %q is not in a fieldset with a legend", attr(in, "id"))
				}
			}
			for _, n := range findAll(p.doc, func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, "aria-describedby") != "" }) {
				if !ids[attr(n, "aria-describedby")] {
					t.Errorf("aria-describedby %q names no element", attr(n, "aria-describedby"))
				}
			}
			if strings.HasSuffix(name, "error") && name != "error" && !strings.Contains(p.Body, `aria-describedby="form-error"`) {
				t.Error("the error message is not linked with aria-describedby")
			}
			for _, f := range findAll(p.doc, isElement("form")) {
				if attr(f, "method") != "post" || attr(f, "action") != issuerPath+StartPath {
					t.Errorf("form method %q action %q", attr(f, "method"), attr(f, "action"))
				}
			}
			if find(p.doc, isElement("script")) != nil || strings.Contains(p.Body, "style=") || find(p.doc, isElement("style")) != nil {
				t.Error("inline script or style: the CSP would block it")
			}
			for _, l := range findAll(p.doc, isElement("link")) {
				if href := attr(l, "href"); href != issuerPath+StartPath+"/style.css" && href != issuerPath+StartPath+"/favicon.ico" {
					t.Errorf("external or unexpected asset %q", href)
				}
			}
		})
	}
}

func ancestor(n *html.Node, tag string) *html.Node {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && n.Data == tag {
			return n
		}
	}
	return nil
}

// The buttons carry the docs' words.
func TestButtons(t *testing.T) {
	h := newHarness(t, Config{})
	pages := allPages(t, h)
	for name, want := range map[string][]string{
		"disclaimer": {"I Understand"},
		"login":      {"Log In"},
		"relation":   {"Next"},
		"consent":    {"I Agree", "Deny"},
	} {
		var got []string
		for _, btn := range findAll(pages[name].doc, isElement("button")) {
			got = append(got, text(btn))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s buttons %q, want %q", name, got, want)
		}
	}
}

// Whatever the app or the member types comes out as text, never markup.
func TestEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`
	h := newHarness(t, Config{})
	h.flow.add("evil", Request{ClientID: "c", ClientName: evil, LoginHint: evil, Scopes: []string{evil, "patient/" + evil + ".read"}})
	b := newBrowser(t, h.srv.URL)
	p := b.start("evil")
	checkInert(t, "disclaimer", p, evil)
	p = b.submit(p, nil)
	checkInert(t, "login", p, evil)
	if _, v := p.form(t); v.Get("username") != evil {
		t.Errorf("login hint came out as %q", v.Get("username"))
	}
	checkInert(t, "login error", login(b, p, evil[:maxUsernameLen/2], "x"), evil)
	p = login(b, p, "BCNCUser03", "BCNCPSWD03")
	again := b.submit(p, url.Values{"who": {"representative"}, "relationship": {RelOther}, "full_name": {evil}})
	checkInert(t, "relation error", again, evil)
	if _, v := again.form(t); v.Get("full_name") != evil {
		t.Errorf("full name came back as %q", v.Get("full_name"))
	}
	p = b.submit(p, url.Values{"who": {"representative"}, "relationship": {RelOther}, "full_name": {evil}, "other_relationship": {evil}})
	checkInert(t, "consent", p, evil)
}

func checkInert(t *testing.T, name string, p *page, evil string) {
	t.Helper()
	if strings.Contains(p.Body, "<script") || strings.Contains(p.Body, "<img") {
		t.Errorf("%s: markup came through:\n%s", name, p.Body)
	}
	if find(p.doc, isElement("script")) != nil || find(p.doc, isElement("img")) != nil {
		t.Errorf("%s: the parsed page has a script or img element", name)
	}
	if name != "login error" && name != "relation error" && !strings.Contains(text(p.doc), "<script>alert(1)</script>") {
		t.Errorf("%s: the value is not shown as text", name)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, Config{})
	pages := allPages(t, h)
	pages["style"] = newBrowser(t, h.srv.URL).get(issuerPath + StartPath + "/style.css")
	b := newBrowser(t, h.srv.URL)
	pages["redirect"] = b.walk("h1", selfAgree())
	for name, p := range pages {
		want := map[string]string{
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
			"X-Frame-Options":         "DENY",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
		}
		if name == "style" {
			want["Cache-Control"] = "public, max-age=86400"
		}
		for k, v := range want {
			if got := p.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
		if strings.Contains(p.Header.Get("Content-Security-Policy"), "form-action") {
			t.Errorf("%s: form-action would block the redirect to the app", name)
		}
	}
	if ct := pages["style"].Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style.css Content-Type %q", ct)
	}
	if !strings.Contains(pages["style"].Body, ":focus-visible") {
		t.Error("style.css has no focus styles")
	}
}

func TestCookieAttributes(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name   string
		header http.Header
		secure bool
	}{
		{"plain http", nil, false},
		{"behind a TLS proxy", http.Header{"X-Forwarded-Proto": {"https"}}, true},
		{"proxy chain", http.Header{"X-Forwarded-Proto": {"HTTPS, http"}}, true},
		{"proxy says http", http.Header{"X-Forwarded-Proto": {"http"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, h.srv.URL)
			for k, v := range tt.header {
				b.header[k] = v
			}
			for _, c := range setCookies(t, b.start("h1"), 1) {
				checkCookie(t, c, tt.secure)
			}
		})
	}
	// The cookie is set once per browser: a second flow started in the
	// same browser, and the end of a flow, leave it as it is, so the
	// browser's other flows go on.
	b := newBrowser(t, h.srv.URL)
	setCookies(t, b.start("h1"), 1)
	setCookies(t, b.start("h1"), 0)
	setCookies(t, b.walk("h1", selfAgree()), 0)
}

func setCookies(t *testing.T, p *page, want int) []*http.Cookie {
	t.Helper()
	cs := (&http.Response{Header: p.Header}).Cookies()
	if len(cs) != want {
		t.Fatalf("%d Set-Cookie headers, want %d: %q", len(cs), want, p.Header.Values("Set-Cookie"))
	}
	return cs
}

func checkCookie(t *testing.T, c *http.Cookie, secure bool) {
	t.Helper()
	if c.Name != cookieName || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != issuerPath || c.Secure != secure {
		t.Errorf("cookie %s: HttpOnly %v SameSite %v Path %q Secure %v; want HttpOnly, Lax, %q, Secure %v",
			c.Name, c.HttpOnly, c.SameSite, c.Path, c.Secure, issuerPath, secure)
	}
}

// Behind a proxy that mounts the sandbox under a path, the form, the
// stylesheet and the cookie follow the base URL's path.
func TestBaseURLPath(t *testing.T) {
	h := newHarness(t, Config{BaseURL: func(*http.Request) string { return "https://example.test/sandbox" }})
	p := newBrowser(t, h.srv.URL).start("h1")
	want := "/sandbox" + issuerPath + StartPath
	if action, _ := p.form(t); action != want {
		t.Errorf("form action %q, want %q", action, want)
	}
	if href := attr(find(p.doc, func(n *html.Node) bool { return isElement("link")(n) && attr(n, "rel") == "stylesheet" }), "href"); href != want+"/style.css" {
		t.Errorf("stylesheet %q", href)
	}
	if c := setCookies(t, p, 1)[0]; c.Path != "/sandbox"+issuerPath {
		t.Errorf("cookie path %q", c.Path)
	}
}
