package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLoginThrottle: five wrong passwords lock the account for a while
// with a clear message, even the right password and from another browser;
// POST /sandbox/reset lifts the lock.
func TestLoginThrottle(t *testing.T) {
	env := newHostileEnv(t)
	loginPage := func(b *browser) page {
		p := b.get(docsAuthorizeURL(env.URL))
		return b.submit(p, nil, nil, "I Understand")
	}
	b := env.newBrowser(t)
	p := loginPage(b)
	for i := 1; i <= 5; i++ {
		p = b.submit(p, map[string]string{"username": "BCNCUser04", "password": "wrong"}, nil, "Log In")
		want := http.StatusUnprocessableEntity
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		if p.Status != want {
			t.Fatalf("wrong password %d: %d, want %d\n%s", i, p.Status, want, p.Body)
		}
	}
	if !strings.Contains(p.Body, "Too many attempts") || !strings.Contains(p.Body, "15 minutes") {
		t.Errorf("the fifth failure does not say the account is locked and for how long:\n%s", p.Body)
	}
	p = b.submit(p, map[string]string{"username": "BCNCUser04", "password": "BCNCPSWD04"}, nil, "Log In")
	if p.Status != http.StatusTooManyRequests {
		t.Errorf("the right password during the cool-down: %d, want 429", p.Status)
	}
	b2 := env.newBrowser(t)
	p2 := loginPage(b2)
	p2 = b2.submit(p2, map[string]string{"username": "bcncuser04", "password": "BCNCPSWD04"}, nil, "Log In")
	if p2.Status != http.StatusTooManyRequests {
		t.Errorf("another browser, the username in another case: %d, want 429 (the lock is per account)", p2.Status)
	}
	// Another account is not locked.
	b3 := env.newBrowser(t)
	if p3 := b3.submit(loginPage(b3), map[string]string{"username": "BCNCUser05", "password": "BCNCPSWD05"}, nil, "Log In"); p3.Status != http.StatusOK || len(p3.Forms) == 0 {
		t.Errorf("another account during the lock: %d", p3.Status)
	}
	if s, _, body := env.send(t, http.MethodPost, "/sandbox/reset", nil, ""); s != http.StatusOK {
		t.Fatalf("reset: %d %s", s, body)
	}
	p = b.submit(p, map[string]string{"username": "BCNCUser04", "password": "BCNCPSWD04"}, nil, "Log In")
	if p.Status != http.StatusOK {
		t.Fatalf("after /sandbox/reset the right password: %d\n%s", p.Status, p.Body)
	}
	p = b.submit(p, nil, []string{"Self"}, "Next")
	p = b.submit(p, nil, nil, "I Agree")
	back, _ := url.Parse(p.Location)
	codeFrom(t, back, "test")
}

// TestRequestBodyLimit: a body of exactly 1 MB (10^6 bytes: echo's "1M"
// is decimal) is read and answered by its handler; one byte more is 413
// before any handler reads it.
func TestRequestBodyLimit(t *testing.T) {
	env := newHostileEnv(t)
	// The debugger's exchange form reads any body size itself (the FHIR
	// _search and token endpoints bound theirs lower), so only the global
	// limit stands between it and a huge body.
	h := hdr("Content-Type", formType)
	within := "code=abc&x=" + strings.Repeat("a", 1_000_000-len("code=abc&x="))
	if s, _, body := env.send(t, http.MethodPost, "/debug", h, within); s != http.StatusForbidden {
		t.Errorf("a body of exactly 1 MB: %d %s, want the handler's own 403 (no CSRF token)", s, truncate(string(body), 200))
	}
	if s, _, body := env.send(t, http.MethodPost, "/debug", h, within+"a"); s != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of 1 MB + 1 byte: %d %s, want 413", s, truncate(string(body), 200))
	}
}
