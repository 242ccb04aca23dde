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
