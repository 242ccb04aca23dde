package oauth

import (
	"crypto"
	"crypto/rsa"
	"encoding/json"

	"github.com/go-jose/go-jose/v4"
)

// idTokenSigner signs id_tokens with RS256 and publishes the key.
type idTokenSigner struct {
	signer jose.Signer
	public jose.JSONWebKey
}

// newIDTokenSigner names the key by its RFC 7638 thumbprint, so replicas
// sharing a key publish the same kid.
func newIDTokenSigner(key *rsa.PrivateKey) (*idTokenSigner, error) {
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pub.KeyID = base64URL(thumb)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	return &idTokenSigner{signer: signer, public: pub}, nil
}

// idTokenClaims are the claims of OIDC Core §2 plus SMART's fhirUser
// (SMART App Launch 2 §2.1.11 / §3.0.2.2: an absolute URL).
type idTokenClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
	Expires  int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	AuthTime int64  `json:"auth_time"`
	Nonce    string `json:"nonce,omitempty"`
	FHIRUser string `json:"fhirUser"`
}

// idTokenClaims builds the id_token for access token at. iss is the issuer
// byte for byte (OIDC Core §3.1.3.7 step 2); nonce echoes /authorize (§3.1.2.1).
func (s *Server) idTokenClaims(base string, at token, nonce string) idTokenClaims {
	return idTokenClaims{
		Issuer:   s.issuer(base),
		Subject:  at.Username,
		Audience: at.ClientID,
		Expires:  at.Expires,
		IssuedAt: at.IssuedAt,
		AuthTime: at.AuthTime,
		Nonce:    nonce,
		FHIRUser: s.fhirBase(base) + "/" + at.FHIRUser,
	}
}

// sign serialises claims as a compact JWS (RFC 7515 §7.1).
func (s *idTokenSigner) sign(claims idTokenClaims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
