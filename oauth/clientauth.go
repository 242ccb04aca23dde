package oauth

import (
	"crypto/subtle"
	"net/http"
	"net/url"
)

// credentials are what a request to /token, /revoke or /introspect says
// about its client.
type credentials struct {
	ID, Secret string
	basic      bool // sent with HTTP Basic (client_secret_basic)
}

// clientCredentials reads the client's credentials from the Authorization
// header (client_secret_basic) or the form (client_secret_post, or a public
// client's bare client_id). RFC 6749 §2.3: a client uses one method per
// request, so a secret in both places is invalid_request.
func clientCredentials(r *http.Request, form url.Values) (credentials, *Error) {
	if len(form["client_id"]) > 1 || len(form["client_secret"]) > 1 {
		return credentials{}, errInvalidRequest("client_id or client_secret is repeated (RFC 6749 §3.2)")
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		if r.Header.Get("Authorization") != "" {
			return credentials{}, errInvalidClient("the Authorization header is not HTTP Basic")
		}
		return credentials{ID: form.Get("client_id"), Secret: form.Get("client_secret")}, nil
	}
	if form.Has("client_secret") {
		return credentials{}, errInvalidRequest("use one client authentication method: HTTP Basic or client_secret in the body, not both")
	}
	// RFC 6749 §2.3.1: id and secret are form-urlencoded inside Basic.
	uid, err1 := url.QueryUnescape(id)
	usecret, err2 := url.QueryUnescape(secret)
	if err1 != nil || err2 != nil {
		return credentials{}, errInvalidClient("the Basic credentials are not form-urlencoded (RFC 6749 §2.3.1)")
	}
	if fid := form.Get("client_id"); fid != "" && fid != uid {
		return credentials{}, errInvalidRequest("client_id in the body differs from the Basic credentials")
	}
	return credentials{ID: uid, Secret: usecret, basic: true}, nil
}

// authenticate checks credentials against the registrations (RFC 6749
// §2.3.1), comparing secrets in constant time. A public client is identified
// by its client_id alone (RFC 6749 §3.2.1) and must not send a secret.
func (s *Server) authenticate(cr credentials) (Client, *Error) {
	if cr.ID == "" {
		return Client{}, errInvalidClient("no client authentication (client_id is missing)")
	}
	c, ok := s.clients[cr.ID]
	if !ok {
		return Client{}, errInvalidClient("unknown client")
	}
	if c.public() {
		// Basic with an empty password is accepted: golang.org/x/oauth2 and
		// others try it first for every client.
		if cr.Secret != "" {
			return Client{}, errInvalidClient("the client is public and has no secret")
		}
		return c, nil
	}
	if cr.Secret == "" {
		return Client{}, errInvalidClient("the client is confidential: send client_secret or HTTP Basic")
	}
	if subtle.ConstantTimeCompare([]byte(cr.Secret), []byte(c.Secret)) != 1 {
		return Client{}, errInvalidClient("client authentication failed")
	}
	return c, nil
}
