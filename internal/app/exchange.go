package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/internal/console"
)

// inProcessCall lets the console's pages call the sandbox's own endpoints
// (token, introspection, revocation, userinfo, JWKS, the control API)
// without a network round trip: the request goes through the same router,
// with the browser's Host and forwarding headers so the issuer and
// redirect_uri come out as the browser saw them.
func inProcessCall(h http.Handler) console.Call {
	return func(ctx context.Context, from *http.Request, method, path string, header http.Header, form url.Values) (int, []byte, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, path, body)
		if err != nil {
			return 0, nil, err
		}
		req.Host, req.TLS, req.RemoteAddr = from.Host, from.TLS, from.RemoteAddr
		for _, k := range []string{"X-Forwarded-Proto", "X-Forwarded-Host"} {
			if v := from.Header.Get(k); v != "" {
				req.Header.Set(k, v)
			}
		}
		for k, vs := range header {
			req.Header[k] = vs
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		h.ServeHTTP(rec, req)
		return rec.status, rec.body.Bytes(), nil
	}
}

// recorder is the smallest http.ResponseWriter that keeps what it is given.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
