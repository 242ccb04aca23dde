package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/internal/control"
	"github.com/bcbsnc-sandbox/sandbox/oauth"
)

// mintHook adapts the authorization server's Mint to POST /sandbox/tokens:
// everything wrong with the body is a 400 that says what.
func mintHook(s *oauth.Server) func(*http.Request, control.MintRequest) (json.RawMessage, error) {
	return func(r *http.Request, req control.MintRequest) (json.RawMessage, error) {
		m := oauth.MintRequest{
			Username:      req.Username,
			ClientID:      req.ClientID,
			Scope:         req.Scope,
			SharePersonal: req.SharePersonal == nil || *req.SharePersonal,
		}
		if rep := req.Representative; rep != nil {
			m.Representative = &consent.Representative{Relationship: rep.Relationship, FullName: rep.FullName, OtherRelationship: rep.OtherRelationship}
		}
		body, err := s.Mint(r, m)
		return body, grantError(err)
	}
}

// grantsHook adapts the server's Grants to GET /sandbox/members/{patient}/grants.
func grantsHook(c *fixtures.Catalog, s *oauth.Server) func(patient, clientID string) (any, error) {
	return func(patient, clientID string) (any, error) {
		if _, ok := c.Member(patient); !ok {
			return nil, fmt.Errorf("%w: no member %q", control.ErrNotFound, patient)
		}
		list, err := s.Grants(patient, clientID)
		return list, grantError(err)
	}
}

// grantActionHook adapts RevokeGrants and ExpireRefresh to their control calls.
func grantActionHook(c *fixtures.Catalog, act func(patient, clientID string) (int, error)) func(patient, clientID string) (int, error) {
	return func(patient, clientID string) (int, error) {
		if _, ok := c.Member(patient); !ok {
			return 0, fmt.Errorf("%w: no member %q", control.ErrNotFound, patient)
		}
		n, err := act(patient, clientID)
		return n, grantError(err)
	}
}

// grantError maps the server's errors about a control call's body to a 400
// with the reason; anything else goes up unchanged (a logged 500).
func grantError(err error) error {
	var perr *oauth.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, oauth.ErrUnknownClient):
		return fmt.Errorf("%w: client_id names no registered client", control.ErrInvalid)
	case errors.Is(err, oauth.ErrUnknownMember):
		return fmt.Errorf("%w: username names no account", control.ErrInvalid)
	case errors.As(err, &perr):
		return fmt.Errorf("%w: %s", control.ErrInvalid, perr.Description)
	}
	return err
}
