package app

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// inProcess is an http.RoundTripper that puts each request on the wire
// format and back (http.Request.Write, http.ReadRequest), as a connection
// would, and serves it with the app's handler. It records which route of
// the echo router every request reached, so a battery can prove it covered
// them all.
type inProcess struct {
	e *echo.Echo

	mu     sync.Mutex // guards routes
	routes map[string]bool
}

func newInProcess(tb testing.TB, a *app) *inProcess {
	tb.Helper()
	e, ok := a.handler.(*echo.Echo)
	if !ok {
		tb.Fatalf("the app's handler is a %T, not the echo router", a.handler)
	}
	return &inProcess{e: e, routes: map[string]bool{}}
}

func (p *inProcess) RoundTrip(out *http.Request) (*http.Response, error) {
	var wire bytes.Buffer
	if err := out.Write(&wire); err != nil {
		return nil, err
	}
	in, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return nil, err
	}
	in.RemoteAddr = "192.0.2.7:40000"
	p.note(in)
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = out
	return resp, nil
}

// note records the route the router picks for r, as "METHOD path".
func (p *inProcess) note(r *http.Request) {
	c := p.e.NewContext(r, httptest.NewRecorder())
	p.e.Router().Find(r.Method, echo.GetPath(r), c)
	if c.Path() == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes[r.Method+" "+c.Path()] = true
}

func (p *inProcess) reached(method, path string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.routes[method+" "+path]
}

// client is an http.Client over p that never follows redirects.
func (p *inProcess) client() *http.Client {
	return &http.Client{Transport: p, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
