// Package bench holds the reference measurements that bench/run.sh compares
// the sandbox against.
package bench

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// BenchmarkRS256Sign is the machine's bare RS256 signing rate with the
// library the sandbox signs id_tokens with: the ceiling for whole flows,
// each of which signs one id_token. Run it with -cpu set to the core count.
func BenchmarkRS256Sign(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, nil)
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"iss":"http://localhost:8080/fhirmember/sps/oauth/oauth20","sub":"BCNCUser04","aud":"JVjR77J3j4BaRVqoDtLx","exp":1,"iat":1}`)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			jws, err := signer.Sign(payload)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := jws.CompactSerialize(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
