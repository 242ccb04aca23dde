package oauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// DeriveKey derives a 32-byte key for label from the RSA signing key with
// HKDF-SHA256 (RFC 5869), so everything keyed from one --signing-key agrees
// across replicas while each use gets its own independent key.
func DeriveKey(key *rsa.PrivateKey, label string) []byte {
	if key == nil {
		return nil
	}
	k, err := hkdf.Key(sha256.New, x509.MarshalPKCS1PrivateKey(key), []byte("bcbsnc-sandbox"), label, 32)
	if err != nil {
		return nil // only for lengths HKDF cannot produce; 32 is not one
	}
	return k
}

// Kinds of sealed payload. The kind is the AEAD's additional data, so a
// refresh token can never be opened as an access token or a code.
const (
	kindRequest = "request"
	kindCode    = "code"
	kindAccess  = "access"
	kindRefresh = "refresh"
)

// sealer seals payloads with AES-256-GCM into URL-safe text: base64url
// without padding, so only [A-Za-z0-9-_] (RFC 4648 §5).
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("oauth: sealing key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts v as JSON for kind.
func (s *sealer) seal(kind string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(kind))), nil
}

// errUnsealed is any text that is not a payload this server sealed for kind.
var errUnsealed = errors.New("oauth: not a valid sealed value")

// open decrypts text sealed for kind into v. The decoding is strict (RFC
// 4648 §3.5, canonical encoding): a lenient one ignores the unused low bits
// of the last character, so re-spelled copies of a token or code would be
// accepted as the same value.
func (s *sealer) open(kind, text string, v any) error {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errUnsealed
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(kind))
	if err != nil {
		return errUnsealed
	}
	if json.Unmarshal(plain, v) != nil {
		return errUnsealed
	}
	return nil
}
