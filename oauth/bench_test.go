package oauth

import "testing"

// BenchmarkTokenIssue is one authorization code exchange with openid: open
// and check the code, seal an access and a refresh token, sign an id_token.
func BenchmarkTokenIssue(b *testing.B) {
	s := newServer(b, nil)
	e := router(s)
	codes := make([]string, b.N)
	for i := range codes {
		codes[i] = codeFor(b, s, e, authorizeQuery(nil))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := postForm(e, IssuerPath+"/token", exchangeForm(codes[i]), nil)
		if w.Code != 200 {
			b.Fatal(w.Body)
		}
	}
}

// BenchmarkIDTokenSign is the RS256 signature alone.
func BenchmarkIDTokenSign(b *testing.B) {
	s := newServer(b, nil)
	claims := idTokenClaims{Issuer: issuerURL, Subject: "BCNCUser03", Audience: docsClientID, FHIRUser: fhirURL + "/Patient/x"}
	for b.Loop() {
		if _, err := s.signer.sign(claims); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup is what the FHIR API pays per request.
func BenchmarkLookup(b *testing.B) {
	s := newServer(b, nil)
	tr := docsTokens(b, s, router(s))
	ctx := b.Context()
	for b.Loop() {
		if _, err := s.Lookup(ctx, tr.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupUnopened is a token's first use: the cache of opened
// tokens is emptied each time, so every lookup opens the sealed token.
func BenchmarkLookupUnopened(b *testing.B) {
	s := newServer(b, nil)
	tr := docsTokens(b, s, router(s))
	ctx := b.Context()
	for b.Loop() {
		clear(s.opened.byRaw)
		if _, err := s.Lookup(ctx, tr.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}
