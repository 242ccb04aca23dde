package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// PKCE methods (RFC 7636 §4.2).
const (
	pkceS256  = "S256"
	pkcePlain = "plain"
)

// validPKCEText reports whether v is a code_verifier or code_challenge of
// RFC 7636 §4.1/§4.2: 43 to 128 characters of [A-Za-z0-9-._~].
func validPKCEText(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// checkChallenge validates the PKCE parameters of /authorize and returns the
// method to record ("" when the client sent none).
//   - RFC 7636 §4.3: a challenge without a method means plain.
//   - RFC 7636 §4.4.1: a method the server does not support is invalid_request.
//   - strict (SMART App Launch 2 §2.1.11 / Inferno): S256 is required of every client.
//   - RFC 7636 §4.4.1 / RFC 8252 §8.1: a public client must use PKCE.
func checkChallenge(challenge, method string, public, strict bool) (string, *Error) {
	if challenge == "" {
		switch {
		case method != "":
			return "", errInvalidRequest("code_challenge_method was sent without code_challenge")
		case strict:
			return "", errInvalidRequest("PKCE with code_challenge_method=S256 is required")
		case public:
			return "", errInvalidRequest("public clients must use PKCE (code_challenge)")
		}
		return "", nil
	}
	if method == "" {
		method = pkcePlain
	}
	switch {
	case method != pkceS256 && method != pkcePlain:
		return "", errInvalidRequest("code_challenge_method must be S256 or plain")
	case method == pkcePlain && strict:
		return "", errInvalidRequest("code_challenge_method must be S256")
	case !validPKCEText(challenge):
		return "", errInvalidRequest("code_challenge must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2)")
	}
	return method, nil
}

// verifyPKCE checks a code_verifier against the challenge recorded with the
// code (RFC 7636 §4.6), comparing in constant time. Every failure is
// invalid_grant (RFC 7636 §4.6). A verifier sent for a code issued without a
// challenge fails too, so a PKCE downgrade cannot go unnoticed.
func verifyPKCE(method, challenge, verifier string, strict bool) *Error {
	if challenge == "" {
		if verifier != "" {
			return errInvalidGrant("code_verifier was sent but the authorization request had no code_challenge")
		}
		return nil
	}
	if !validPKCEText(verifier) {
		return errInvalidGrant("code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)")
	}
	var computed string
	switch {
	case method == pkceS256:
		sum := sha256.Sum256([]byte(verifier))
		computed = base64.RawURLEncoding.EncodeToString(sum[:])
	case method == pkcePlain && !strict:
		computed = verifier
	default:
		return errInvalidGrant("the code's PKCE method is not accepted")
	}
	if subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) != 1 {
		return errInvalidGrant("code_verifier does not match code_challenge")
	}
	return nil
}
