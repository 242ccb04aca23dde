package console

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// idTokenView is the id_token as the debugger shows it: decoded, and
// checked as a client must check it (OpenID Connect Core §3.1.3.7): the
// signature against the issuer's JWKS, the issuer, the audience.
type idTokenView struct {
	Header, Claims string
	// Verified is true when the signature checks out with a key of the JWKS.
	Verified bool
	// Checks are what was checked, each with its outcome.
	Checks []idCheck
}

type idCheck struct {
	Text string
	OK   bool
}

func (c *Console) verifyIDToken(r *http.Request, token, clientID string) *idTokenView {
	v := &idTokenView{}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		v.Checks = append(v.Checks, idCheck{"The id_token is not a compact JWS (three dot-separated parts).", false})
		return v
	}
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	b, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	if err1 != nil || err2 != nil {
		v.Checks = append(v.Checks, idCheck{"The id_token's header or claims are not base64url.", false})
		return v
	}
	v.Header, v.Claims = prettyJSON(h), prettyJSON(b)

	issuer := c.cfg.BaseURL(r) + c.cfg.IssuerPath
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		v.Checks = append(v.Checks, idCheck{"Not an RS256 JWS with one signature: " + errText(err), false})
	} else {
		kid := jws.Signatures[0].Header.KeyID
		status, body, err := c.cfg.Call(r.Context(), r, http.MethodGet, c.cfg.IssuerPath+"/jwks", nil, nil)
		var set jose.JSONWebKeySet
		switch {
		case err != nil || status != http.StatusOK || json.Unmarshal(body, &set) != nil:
			v.Checks = append(v.Checks, idCheck{"Could not read the JWKS at " + issuer + "/jwks.", false})
		case len(set.Key(kid)) == 0:
			v.Checks = append(v.Checks, idCheck{"No key with kid " + kid + " in " + issuer + "/jwks.", false})
		default:
			if _, err := jws.Verify(set.Key(kid)[0].Key); err != nil {
				v.Checks = append(v.Checks, idCheck{"The RS256 signature does not verify with key " + kid + " of " + issuer + "/jwks.", false})
			} else {
				v.Verified = true
				v.Checks = append(v.Checks, idCheck{"RS256 signature verified with key " + kid + " of " + issuer + "/jwks.", true})
			}
		}
	}
	var claims struct {
		Iss string          `json:"iss"`
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(b, &claims) == nil {
		v.Checks = append(v.Checks, idCheck{"iss is " + claims.Iss + ", the issuer " + issuer + "?", claims.Iss == issuer})
		v.Checks = append(v.Checks, idCheck{"aud names the client " + clientID + "?", audienceHas(claims.Aud, clientID)})
	}
	return v
}

// audienceHas reads aud, a string or an array of strings (RFC 7519 §4.1.3).
func audienceHas(raw json.RawMessage, clientID string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == clientID
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == clientID {
				return true
			}
		}
	}
	return false
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
