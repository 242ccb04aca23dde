package consent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// csrfMAC makes and checks the hidden token each form carries. A token is
// HMAC-SHA256(key, flow id, step): it is bound to the browser's step cookie
// (through the flow id only that cookie holds) and to the one step the form
// is for, so another browser's form, or an old form of this browser, fails.
type csrfMAC struct {
	key []byte
}

func (m csrfMAC) token(flowID, step string) string {
	h := hmac.New(sha256.New, m.key)
	// The NUL separator keeps ("ab","c") and ("a","bc") apart; neither part
	// can contain one (flow ids are base64url, steps are constants).
	h.Write([]byte(flowID))
	h.Write([]byte{0})
	h.Write([]byte(step))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// valid compares in constant time, so the token cannot be guessed byte by byte.
func (m csrfMAC) valid(flowID, step, got string) bool {
	return got != "" && hmac.Equal([]byte(m.token(flowID, step)), []byte(got))
}
