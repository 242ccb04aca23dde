package seal

import (
	"bytes"
	"testing"
)

// accessLike is the size of an access token's payload.
var accessLike = bytes.Repeat([]byte("x"), 250)

func BenchmarkSeal(b *testing.B) {
	s := newTestSealer(b, testKey)
	for b.Loop() {
		s.Seal("access", accessLike)
	}
}

func BenchmarkOpen(b *testing.B) {
	s := newTestSealer(b, testKey)
	text := s.Seal("access", accessLike)
	for b.Loop() {
		if _, err := s.Open("access", text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMACVerify(b *testing.B) {
	m, _ := NewMAC(testKey)
	tok := m.Sum("consent csrf", "flow-id", "login")
	for b.Loop() {
		if !m.Verify(tok, "consent csrf", "flow-id", "login") {
			b.Fatal("refused")
		}
	}
}
