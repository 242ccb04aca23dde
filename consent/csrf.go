package consent

import "github.com/bcbsnc-sandbox/sandbox/internal/seal"

// csrfMAC makes and checks the hidden token each form carries: a MAC of the
// flow id and the step. It is bound to the flow whose sealed state the
// form carries (which is in turn bound to the browser cookie) and to the
// one step the form is for, so another flow's form fails.
type csrfMAC struct {
	mac *seal.MAC
}

// newCSRF derives the CSRF key from key (Config.Key).
func newCSRF(key []byte) (csrfMAC, error) {
	mac, err := seal.NewMAC(seal.DeriveKey(key, csrfPurpose))
	if err != nil {
		return csrfMAC{}, err
	}
	return csrfMAC{mac: mac}, nil
}

func (m csrfMAC) token(flowID, step string) string {
	return m.mac.Sum(csrfPurpose, flowID, step)
}

// valid compares in constant time, so the token cannot be guessed byte by byte.
func (m csrfMAC) valid(flowID, step, got string) bool {
	return m.mac.Verify(got, csrfPurpose, flowID, step)
}
