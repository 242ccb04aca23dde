package oauth

// Kinds of sealed payload, each its own seal purpose: the purpose is the
// AEAD's additional data, so a refresh token can never be opened as an
// access token or a code, nor a code as a consent handle.
const (
	kindRequest = "request"
	kindCode    = "code"
	kindAccess  = "access"
	kindRefresh = "refresh"
)

// tokenKeyPurpose labels the key derived from the signing key for all of
// the above. Changing it changes every replica's key: tokens issued before
// would stop opening.
const tokenKeyPurpose = "oauth tokens"

// tokenKeyLabel is the purpose the sealing key is derived for: the root's
// is tokenKeyPurpose, unchanged, and a scoped server's names its scope, so
// no two scopes share a key (HKDF, RFC 5869 §3.2: distinct info, independent
// keys).
func tokenKeyLabel(scope string) string {
	if scope == "" {
		return tokenKeyPurpose
	}
	return tokenKeyPurpose + " of scope " + scope
}
