// Package seal keeps every secret of the sandbox derived from one signing
// key, and turns small payloads into URL-safe text that only a holder of
// the same key can read or forge.
//
// Three tools, each keyed by a 32-byte key that DeriveKey or FromSigningKey
// made for one use:
//
//   - DeriveKey / FromSigningKey: HKDF-SHA256 (RFC 5869) with a purpose
//     label, so every replica given the same signing key derives the same
//     keys while each use gets an independent one.
//   - Sealer: AES-256-GCM with the purpose label as additional data, so a
//     value sealed for one purpose never opens as another.
//   - MAC: HMAC-SHA256 tokens over a purpose label and parts, for CSRF
//     tokens that must be recomputable without storing anything.
//
// All text is base64url without padding (RFC 4648 §5), decoded strictly:
// a value is accepted only in the exact spelling it was issued in (no
// unused bits set, no padding, no line breaks).
//
// Nothing here checks expiry: the payloads carry their own expiry, and the
// caller decides what an expired value means (a 401, an invalid_grant, a
// restarted flow).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// KeySize is the length of every key this package uses: AES-256 and a
// full-size HMAC-SHA256 key.
const KeySize = 32

// hkdfSalt is fixed: the derivation must give the same key on every replica
// and every restart with the same signing key. RFC 5869 §3.1 allows a
// non-secret, constant salt.
const hkdfSalt = "bcbsnc-sandbox"

// DeriveKey derives a KeySize key for purpose from secret with HKDF-SHA256
// (RFC 5869), the purpose being the "info" input (§3.2): different purposes
// give independent keys. It returns nil only where HKDF refuses the secret
// (in FIPS 140-only mode, one under 112 bits); New and NewMAC then fail.
func DeriveKey(secret []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, secret, []byte(hkdfSalt), purpose, KeySize)
	if err != nil {
		return nil
	}
	return k
}

// FromSigningKey derives the key for purpose from the RSA signing key (its
// PKCS #1 DER encoding is the input keying material), or nil for a nil key.
func FromSigningKey(key *rsa.PrivateKey, purpose string) []byte {
	if key == nil {
		return nil
	}
	return DeriveKey(x509.MarshalPKCS1PrivateKey(key), purpose)
}

// ErrInvalid is every failure to open: not base64url, not canonical, too
// short, another key, another purpose, tampered. The caller never learns,
// or shows, which.
var ErrInvalid = errors.New("seal: not a valid sealed value")

// encoding is base64url without padding, strict: RFC 4648 §3.5 says the
// unused low bits of the last character must be zero, and a lenient decoder
// ignoring them would accept several spellings of one sealed value.
var encoding = base64.RawURLEncoding.Strict()

// Sealer seals and opens payloads. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for key, which must be KeySize bytes.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain for purpose: base64url(nonce || ciphertext || tag).
// The nonce is random (NIST SP 800-38D §8.2.2), so two seals of one payload
// differ.
func (s *Sealer) Seal(purpose string, plain []byte) string {
	n := s.aead.NonceSize()
	nonce := make([]byte, n, n+len(plain)+s.aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand, Go 1.24+)
	return encoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose)))
}

// Open reverses Seal for the same purpose, or returns ErrInvalid.
func (s *Sealer) Open(purpose, text string) ([]byte, error) {
	raw, err := encoding.DecodeString(text)
	n := s.aead.NonceSize()
	// The decoder skips CR and LF even when strict, so a value with line
	// breaks inside would open too: only the exact length is canonical
	// (RFC 4648 §3.3, characters outside the alphabet are refused).
	if err != nil || len(text) != encoding.EncodedLen(len(raw)) || len(raw) < n+s.aead.Overhead() {
		return nil, ErrInvalid
	}
	// Decrypt in place: the plaintext reuses the decoded buffer.
	plain, err := s.aead.Open(raw[n:n], raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return nil, ErrInvalid
	}
	return plain, nil
}

// SealJSON seals the JSON encoding of v.
func (s *Sealer) SealJSON(purpose string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return s.Seal(purpose, plain), nil
}

// OpenJSON opens text and decodes its JSON into v, or returns ErrInvalid.
func (s *Sealer) OpenJSON(purpose, text string, v any) error {
	plain, err := s.Open(purpose, text)
	if err != nil {
		return err
	}
	if json.Unmarshal(plain, v) != nil {
		return ErrInvalid
	}
	return nil
}

// MAC makes and checks deterministic tokens. It is safe for concurrent use.
type MAC struct {
	key []byte
}

// NewMAC returns a MAC for key, which must be KeySize bytes.
func NewMAC(key []byte) (*MAC, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: MAC key is %d bytes, want %d", len(key), KeySize)
	}
	return &MAC{key: append([]byte(nil), key...)}, nil
}

// Sum is base64url(HMAC-SHA256(key, purpose, parts...)). Each input is
// preceded by its length, so ("ab", "c") and ("a", "bc") differ whatever
// bytes the parts hold.
func (m *MAC) Sum(purpose string, parts ...string) string {
	msg := binary.BigEndian.AppendUint64(make([]byte, 0, 128), uint64(len(purpose)))
	msg = append(msg, purpose...)
	for _, p := range parts {
		msg = binary.BigEndian.AppendUint64(msg, uint64(len(p)))
		msg = append(msg, p...)
	}
	h := hmac.New(sha256.New, m.key)
	h.Write(msg)
	return encoding.EncodeToString(h.Sum(nil))
}

// Verify reports whether token is Sum(purpose, parts...), comparing in
// constant time so the token cannot be guessed byte by byte. Only the exact
// spelling Sum returns is accepted.
func (m *MAC) Verify(token, purpose string, parts ...string) bool {
	return token != "" && hmac.Equal([]byte(m.Sum(purpose, parts...)), []byte(token))
}
