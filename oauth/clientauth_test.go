package oauth

import "testing"

// RFC 6749 §2.3.1 and §3.2.1: who authenticates how.
func TestAuthenticate(t *testing.T) {
	s := newServer(t, nil)
	tests := []struct {
		name string
		cr   credentials
		ok   bool
	}{
		{"confidential, right secret", credentials{ID: otherID, Secret: otherSecret}, true},
		{"confidential, Basic", credentials{ID: otherID, Secret: otherSecret, basic: true}, true},
		{"confidential, no secret", credentials{ID: otherID}, false},
		{"confidential, secret of another client", credentials{ID: otherID, Secret: docsClientSecret}, false},
		{"confidential, secret prefix", credentials{ID: otherID, Secret: otherSecret[:5]}, false},
		{"public, id only", credentials{ID: publicID}, true},
		{"public, Basic with an empty password", credentials{ID: publicID, basic: true}, true},
		{"public, with a secret", credentials{ID: publicID, Secret: "x"}, false},
		{"unknown", credentials{ID: "nobody"}, false},
		{"nobody at all", credentials{}, false},
	}
	for _, tc := range tests {
		_, err := s.authenticate(tc.cr)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && (err.Code != codeInvalidClient || err.Status() != 401) {
			t.Errorf("%s: %s %d, want invalid_client 401", tc.name, err.Code, err.Status())
		}
	}
}
