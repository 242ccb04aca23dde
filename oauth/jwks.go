package oauth

import (
	"encoding/base64"
	"net/http"

	"github.com/go-jose/go-jose/v4"
	"github.com/labstack/echo/v4"
)

// jwks serves GET {issuer}/jwks: the public key that verifies id_tokens (RFC 7517 §5).
func (s *Server) jwks(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSON(http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.signer.public}})
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
