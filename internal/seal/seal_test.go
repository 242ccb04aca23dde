package seal

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

var (
	testKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

func newTestSealer(t testing.TB, key []byte) *Sealer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lenientVariants are the other spellings of text that a base64url decoder
// ignoring the last character's unused bits reads as the same bytes (RFC
// 4648 §3.5).
func lenientVariants(text string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	want, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || text == "" {
		return nil
	}
	var out []string
	for _, c := range alphabet {
		v := text[:len(text)-1] + string(c)
		if got, err := base64.RawURLEncoding.DecodeString(v); v != text && err == nil && bytes.Equal(got, want) {
			out = append(out, v)
		}
	}
	return out
}

// DeriveKey is HKDF-SHA256 with the fixed salt: the expected key was
// computed independently of Go from RFC 5869 §2. Changing the derivation
// would stop every replica still on the old one from opening this one's
// tokens, so it is pinned.
func TestDeriveKeyKnownAnswer(t *testing.T) {
	const want = "8099aaf383a595cadd8ee6980f0c4b623311b90b0b852f1e0492d84f2f7d7964"
	if got := hex.EncodeToString(DeriveKey(testKey, "oauth tokens")); got != want {
		t.Errorf("DeriveKey = %s, want %s", got, want)
	}
}

func TestDeriveKeySeparates(t *testing.T) {
	a := DeriveKey(testKey, "consent cookie")
	tests := []struct {
		name string
		key  []byte
		same bool
	}{
		{"same secret and purpose", DeriveKey(testKey, "consent cookie"), true},
		{"another purpose", DeriveKey(testKey, "debugger csrf"), false},
		{"another secret", DeriveKey(otherKey, "consent cookie"), false},
		{"purpose is not a prefix match", DeriveKey(testKey, "consent cookie "), false},
	}
	if len(a) != KeySize {
		t.Fatalf("key is %d bytes, want %d", len(a), KeySize)
	}
	for _, tt := range tests {
		if bytes.Equal(a, tt.key) != tt.same {
			t.Errorf("%s: equal = %v, want %v", tt.name, !tt.same, tt.same)
		}
	}
}

func TestFromSigningKey(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	got := FromSigningKey(key, "oauth tokens")
	if want := DeriveKey(x509.MarshalPKCS1PrivateKey(key), "oauth tokens"); !bytes.Equal(got, want) {
		t.Errorf("FromSigningKey = %x, want the PKCS #1 DER's key %x", got, want)
	}
	if FromSigningKey(nil, "oauth tokens") != nil {
		t.Error("FromSigningKey(nil) returned a key")
	}
}

func TestNewRefusesKeyLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
		if _, err := NewMAC(make([]byte, n)); err == nil {
			t.Errorf("NewMAC accepted a %d-byte key", n)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	s := newTestSealer(t, testKey)
	tests := []struct {
		name  string
		plain []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0}},
		{"text", []byte(`{"jti":"abc","exp":1800000000}`)},
		{"4 KiB", bytes.Repeat([]byte{0xA5}, 4096)},
	}
	for _, tt := range tests {
		text := s.Seal("access", tt.plain)
		if strings.Trim(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Errorf("%s: %q is not base64url without padding", tt.name, text)
		}
		got, err := s.Open("access", text)
		if err != nil || !bytes.Equal(got, tt.plain) {
			t.Errorf("%s: Open = %x, %v; want %x", tt.name, got, err, tt.plain)
		}
		if again := s.Seal("access", tt.plain); again == text {
			t.Errorf("%s: two seals are equal: nonce reused", tt.name)
		}
	}
}

// Two Sealers built from the same key (two replicas) open each other's values.
func TestSealersSharingAKey(t *testing.T) {
	text := newTestSealer(t, testKey).Seal("code", []byte("payload"))
	if got, err := newTestSealer(t, testKey).Open("code", text); err != nil || string(got) != "payload" {
		t.Errorf("Open = %q, %v", got, err)
	}
}

func TestSealJSONRoundTrip(t *testing.T) {
	s := newTestSealer(t, testKey)
	type payload struct {
		ID  string `json:"id"`
		Exp int64  `json:"e"`
	}
	text, err := s.SealJSON("request", payload{ID: "x", Exp: 42})
	if err != nil {
		t.Fatal(err)
	}
	var got payload
	if err := s.OpenJSON("request", text, &got); err != nil || got != (payload{ID: "x", Exp: 42}) {
		t.Errorf("OpenJSON = %+v, %v", got, err)
	}
	if err := s.OpenJSON("code", text, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("OpenJSON for another purpose: %v, want ErrInvalid", err)
	}
	notJSON := s.Seal("request", []byte("not json"))
	if err := s.OpenJSON("request", notJSON, &got); !errors.Is(err, ErrInvalid) {
		t.Errorf("OpenJSON of a sealed non-JSON payload: %v, want ErrInvalid", err)
	}
	if _, err := s.SealJSON("request", func() {}); err == nil {
		t.Error("SealJSON sealed a value JSON cannot encode")
	}
}

func TestOpenRefuses(t *testing.T) {
	s := newTestSealer(t, testKey)
	// 34 payload bytes + 28 of nonce and tag = 62: the last character has
	// 4 unused bits, so lenient spellings exist.
	// The nonce is random; seal until the text holds a character the
	// standard alphabet spells differently, so that case tests something.
	text := s.Seal("access", []byte("0123456789012345678901234567890123"))
	for !strings.ContainsAny(text, "-_") {
		text = s.Seal("access", []byte("0123456789012345678901234567890123"))
	}
	variants := lenientVariants(text)
	if len(variants) == 0 {
		t.Fatalf("no lenient variant of %q", text)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(text)
	tamper := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name, purpose, text string
		sealer              *Sealer
	}{
		{"another purpose", "refresh", text, s},
		{"purpose with a suffix", "access ", text, s},
		{"another key", "access", text, newTestSealer(t, otherKey)},
		{"nonce byte flipped", "access", tamper(0), s},
		{"ciphertext byte flipped", "access", tamper(20), s},
		{"tag byte flipped", "access", tamper(len(raw) - 1), s},
		{"non-canonical last character", "access", variants[0], s},
		{"padded", "access", text + "==", s},
		{"standard alphabet", "access", base64.RawStdEncoding.EncodeToString(raw), s},
		{"newline inside", "access", text[:10] + "\n" + text[10:], s},
		{"carriage return at the end", "access", text + "\r", s},
		{"truncated by one character", "access", text[:len(text)-1], s},
		{"truncated to the nonce and tag", "access", base64.RawURLEncoding.EncodeToString(raw[:27]), s},
		{"a byte appended", "access", base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0)), s},
		{"not base64", "access", "!!!!", s},
		{"empty", "access", "", s},
	}
	for _, tt := range tests {
		if got, err := tt.sealer.Open(tt.purpose, tt.text); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Open = %q, %v; want ErrInvalid", tt.name, got, err)
		}
	}
	// Every prefix is refused, including those of whole base64 groups.
	for n := range len(text) {
		if _, err := s.Open("access", text[:n]); !errors.Is(err, ErrInvalid) {
			t.Errorf("prefix of %d characters opened", n)
		}
	}
	if _, err := s.Open("access", text); err != nil {
		t.Errorf("the genuine value: %v", err)
	}
}

func TestMAC(t *testing.T) {
	m, err := NewMAC(testKey)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewMAC(otherKey)
	tok := m.Sum("consent csrf", "flow-id", "login")
	if tok != m.Sum("consent csrf", "flow-id", "login") {
		t.Fatal("Sum is not deterministic")
	}
	if !m.Verify(tok, "consent csrf", "flow-id", "login") {
		t.Fatal("Verify refused Sum's own token")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	variants := lenientVariants(tok) // 32 bytes: the last character has 2 unused bits
	if len(variants) == 0 {
		t.Fatalf("no lenient variant of %q", tok)
	}
	tests := []struct {
		name, token, purpose string
		parts                []string
		mac                  *MAC
	}{
		{"another purpose", tok, "debugger csrf", []string{"flow-id", "login"}, m},
		{"another part", tok, "consent csrf", []string{"flow-id", "consent"}, m},
		{"parts shifted", tok, "consent csrf", []string{"flow-idl", "ogin"}, m},
		{"parts joined", tok, "consent csrf", []string{"flow-idlogin"}, m},
		{"purpose into a part", tok, "consent", []string{" csrf", "flow-id", "login"}, m},
		{"a part missing", tok, "consent csrf", []string{"flow-id"}, m},
		{"another key", tok, "consent csrf", []string{"flow-id", "login"}, other},
		{"non-canonical", variants[0], "consent csrf", []string{"flow-id", "login"}, m},
		{"padded", tok + "=", "consent csrf", []string{"flow-id", "login"}, m},
		{"standard alphabet", base64.RawStdEncoding.EncodeToString(raw) + "+", "consent csrf", []string{"flow-id", "login"}, m},
		{"truncated", tok[:len(tok)-1], "consent csrf", []string{"flow-id", "login"}, m},
		{"empty", "", "consent csrf", []string{"flow-id", "login"}, m},
	}
	for _, tt := range tests {
		if tt.mac.Verify(tt.token, tt.purpose, tt.parts...) {
			t.Errorf("%s: Verify accepted", tt.name)
		}
	}
}

// NewMAC keeps its own copy: a caller reusing its buffer changes nothing.
func TestNewMACCopiesKey(t *testing.T) {
	key := bytes.Clone(testKey)
	m, _ := NewMAC(key)
	tok := m.Sum("p")
	key[0] ^= 1
	if !m.Verify(tok, "p") {
		t.Error("changing the caller's key slice changed the MAC")
	}
}

// The wire format is pinned: a value sealed by an earlier build under the
// same key still opens, so replicas of different builds sharing a signing
// key accept each other's values. The fuzz corpus holds the same value.
func TestOpenPinnedValue(t *testing.T) {
	const sealed = "E_8q3cuyMbaMfr12cPN2oe9Qj-BrzFiRsfQoTmU0V86bl2RVhdYxTQg4nQFxldn-CDUqdpyfWbK1-ZONpLuDUtSO7ompBQdOnvnHhWtRLes"
	got, err := newTestSealer(t, testKey).Open(fuzzPurpose, sealed)
	if want := `{"jti":"x","exp":1800000000,"sc":["patient/*.read"]}`; err != nil || string(got) != want {
		t.Errorf("Open = %q, %v; want %q", got, err, want)
	}
}
