package oauth

import (
	"strings"
	"testing"
)

func TestCheckChallenge(t *testing.T) {
	ch := challengeOf(verifier)
	tests := []struct {
		name              string
		challenge, method string
		public, strict    bool
		wantMethod        string
		wantErr           bool
	}{
		{"none, confidential", "", "", false, false, "", false},
		{"none, public", "", "", true, false, "", true},
		{"none, strict", "", "", false, true, "", true},
		{"method alone", "", "S256", false, false, "", true},
		{"S256", ch, "S256", true, true, "S256", false},
		{"no method is plain (RFC 7636 §4.3)", verifier, "", false, false, "plain", false},
		{"plain in strict", verifier, "plain", false, true, "", true},
		{"lower-case s256", ch, "s256", false, false, "", true},
		{"42 characters", ch[:42], "S256", false, false, "", true},
		{"129 characters", strings.Repeat("a", 129), "plain", false, false, "", true},
		{"128 characters", strings.Repeat("a", 128), "plain", false, false, "plain", false},
		{"space", strings.Repeat("a", 42) + " ", "plain", false, false, "", true},
	}
	for _, tc := range tests {
		m, err := checkChallenge(tc.challenge, tc.method, tc.public, tc.strict)
		if (err != nil) != tc.wantErr || m != tc.wantMethod {
			t.Errorf("%s: got %q, %v", tc.name, m, err)
		}
		if err != nil && err.Code != codeInvalidRequest {
			t.Errorf("%s: code %q, want invalid_request (RFC 7636 §4.4.1)", tc.name, err.Code)
		}
	}
}

// RFC 7636 Appendix B's example verifies; nothing else does.
func TestVerifyPKCE(t *testing.T) {
	const appendixB = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	if err := verifyPKCE("S256", appendixB, verifier, true); err != nil {
		t.Errorf("RFC 7636 Appendix B: %v", err)
	}
	for _, v := range []string{"", appendixB, verifier + "x", strings.ToUpper(verifier)} {
		if err := verifyPKCE("S256", appendixB, v, false); err == nil || err.Code != codeInvalidGrant {
			t.Errorf("verifier %q: %v", v, err)
		}
	}
	if err := verifyPKCE("plain", verifier, verifier, true); err == nil {
		t.Error("plain accepted in strict")
	}
	if err := verifyPKCE("plain", verifier, verifier, false); err != nil {
		t.Errorf("plain in bcbsnc: %v", err)
	}
	if err := verifyPKCE("", "", "", true); err != nil {
		t.Errorf("no PKCE at all: %v", err)
	}
}
