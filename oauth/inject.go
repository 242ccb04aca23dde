package oauth

import "net/http"

// ErrorRedirect is where an /authorize request goes when the control API
// injects an OAuth error into it: the client's registered redirect URI with
// error, error_description, state and iss, as a real error would be sent.
// It reports false when the request's client or redirect_uri is not
// registered: then no redirect may be made at all (RFC 6749 §4.1.2.1).
func (s *Server) ErrorRedirect(r *http.Request, code, description string) (string, bool) {
	if err := r.ParseForm(); err != nil {
		return "", false
	}
	base := s.cfg.BaseURL(r)
	_, redirect, msg := s.checkClientRedirect(r.Form, base)
	if msg != "" {
		return "", false
	}
	return errorRedirect(redirect, r.Form.Get("state"), s.issuer(base), &Error{Code: code, Description: description}), true
}
