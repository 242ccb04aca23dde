package app

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// inProcessExchange lets the debugger page call the real token endpoint
// without a network round trip: the request goes through the same router,
// with the browser's Host and forwarding headers so the issuer and
// redirect_uri come out as the browser saw them.
func inProcessExchange(h http.Handler) func(context.Context, *http.Request, url.Values) (int, []byte, error) {
	return func(ctx context.Context, from *http.Request, form url.Values) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, oauth.IssuerPath+"/token", strings.NewReader(form.Encode()))
		if err != nil {
			return 0, nil, err
		}
		req.Host, req.TLS, req.RemoteAddr = from.Host, from.TLS, from.RemoteAddr
		for _, k := range []string{"X-Forwarded-Proto", "X-Forwarded-Host"} {
			if v := from.Header.Get(k); v != "" {
				req.Header.Set(k, v)
			}
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
