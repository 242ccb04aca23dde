package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/consent"
)

// MintRequest is a member's approval as the consent screens would report
// it, for a test's set-up that does not walk them.
type MintRequest struct {
	Username string // the member who approves
	ClientID string // a registered client allowed the authorization code grant
	// Scope is what the app would have asked for at /authorize, spelled as
	// there; scopes the server does not grant are dropped the same way.
	Scope string
	// Representative is nil for the member themself.
	Representative *consent.Representative
	// SharePersonal false withholds personal information, as the consent
	// screen's second choice does.
	SharePersonal bool
}

// Mint issues exactly what /token answers when the client redeems the code
// of an approval as m describes: the same JSON, tokens that behave in every
// way as a flow's (FHIR, refresh, introspection, revocation, the members'
// apps page), an id_token when openid is granted. base is the base URL the
// tokens name, as for a request to /token. An error wraps ErrUnknownMember
// or ErrUnknownClient, or is an *Error saying what else is wrong.
func (s *Server) Mint(r *http.Request, m MintRequest) (json.RawMessage, error) {
	client, ok := s.clients[m.ClientID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownClient, m.ClientID)
	}
	if !client.allows(grantCode) {
		return nil, &Error{Code: codeUnauthorizedClient, Description: "the client may not use the authorization code grant"}
	}
	acct, ok := s.cfg.Accounts(m.Username)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownMember, m.Username)
	}
	scopes := s.scopes.parse(m.Scope)
	if len(scopes) == 0 {
		return nil, errInvalidScope("no scope this server grants was requested (try patient/*.read openid fhirUser)")
	}
	d := consent.Decision{Approved: true, Username: acct.Username, Representative: m.Representative, SharePersonal: m.SharePersonal}
	if err := checkDecision(d); err != nil {
		return nil, errInvalidRequest(strings.TrimPrefix(err.Error(), "oauth: "))
	}
	if !d.SharePersonal {
		scopes = s.scopes.withoutPersonal(scopes)
	}
	g := s.approval(acct, client.ID, scopes, m.Representative)
	g.Expires = time.Unix(g.IssuedAt, 0).Add(refreshTTL).Unix()
	resp, err := s.begin(s.cfg.BaseURL(r), client, g, "")
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}
