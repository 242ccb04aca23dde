package seal

import (
	"encoding/base64"
	"errors"
	"testing"
)

// fuzzPurpose is the purpose of the sealed values in testdata/fuzz/FuzzOpen,
// sealed under testKey.
const fuzzPurpose = "access"

// FuzzOpen feeds arbitrary text to Open: it must never panic, every refusal
// is ErrInvalid, and whatever opens is the canonical spelling of a value
// sealed for that purpose and for no other. The corpus holds values sealed
// under testKey, so mutations start next to a valid value.
func FuzzOpen(f *testing.F) {
	s := newTestSealer(f, testKey)
	good := s.Seal(fuzzPurpose, []byte(`{"jti":"x","exp":1800000000}`))
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good + "\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		plain, err := s.Open(fuzzPurpose, text)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Open(%q) = %v, want ErrInvalid", text, err)
			}
			return
		}
		raw, derr := base64.RawURLEncoding.DecodeString(text)
		if derr != nil || base64.RawURLEncoding.EncodeToString(raw) != text {
			t.Fatalf("Open accepted %q, which is not canonical base64url", text)
		}
		if len(plain) != len(raw)-s.aead.NonceSize()-s.aead.Overhead() {
			t.Fatalf("Open(%q) returned %d bytes from %d", text, len(plain), len(raw))
		}
		if _, err := s.Open("refresh", text); err == nil {
			t.Fatalf("%q opened for another purpose too", text)
		}
	})
}
