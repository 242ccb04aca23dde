package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// errHandle is any consent handle that is forged, garbled, expired or spent.
var errHandle = fmt.Errorf("oauth: the authorization request is invalid, expired or already finished: %w", consent.ErrRequestEnded)

// openRequest opens a consent handle and checks it is alive: not expired,
// and not issued later than the clock now reads (a handle lives exactly
// requestTTL, so its expiry says when it was issued).
func (s *Server) openRequest(handle string) (authRequest, error) {
	var req authRequest
	if err := s.seal.OpenJSON(kindRequest, handle, &req); err != nil {
		return authRequest{}, errHandle
	}
	now := s.cfg.Now()
	if !now.Before(time.Unix(req.Expires, 0)) || issuedLater(req.Expires-int64(requestTTL/time.Second), now) {
		return authRequest{}, errHandle
	}
	return req, nil
}

// Describe implements consent.Flow: what the app asked for, for the screens.
// A finished handle is refused too, so a replayed screen shows an error
// instead of a request that can no longer be answered.
func (s *Server) Describe(ctx context.Context, handle string) (consent.Request, error) {
	req, err := s.openRequest(handle)
	if err != nil {
		return consent.Request{}, err
	}
	if spent, err := s.store.isSpentShared(req.ID, req.Minted); err != nil {
		return consent.Request{}, err
	} else if spent {
		return consent.Request{}, errHandle
	}
	return consent.Request{
		ClientID:   req.ClientID,
		ClientName: s.clients[req.ClientID].Name,
		Scopes:     req.Scopes,
		LoginHint:  req.LoginHint,
	}, nil
}

// Finish implements consent.Flow: it ends the flow of handle once and
// returns where to send the browser: the redirect URI with a code, or with
// error=access_denied when the member denied (RFC 6749 §4.1.2.1).
func (s *Server) Finish(ctx context.Context, handle string, d consent.Decision) (string, error) {
	req, err := s.openRequest(handle)
	if err != nil {
		return "", err
	}
	if d.Approved {
		if err := checkDecision(d); err != nil {
			return "", err
		}
		if _, ok := s.cfg.Accounts(d.Username); !ok {
			return "", fmt.Errorf("oauth: unknown member %q", d.Username)
		}
	}
	if spent, err := s.store.spendShared(req.ID, req.Minted, time.Unix(req.Expires, 0)); err != nil {
		return "", err
	} else if spent != spendFirst {
		return "", errHandle
	}
	if !d.Approved {
		return errorRedirect(req.RedirectURI, req.State, req.Issuer,
			&Error{Code: codeAccessDenied, Description: "the member denied the request"}), nil
	}
	return s.finish(req, d)
}

// checkDecision rejects a representative the screens should never send.
func checkDecision(d consent.Decision) error {
	r := d.Representative
	if r == nil {
		return nil
	}
	switch {
	case !knownRelationship(r.Relationship):
		return fmt.Errorf("oauth: unknown representative relationship %q", r.Relationship)
	case strings.TrimSpace(r.FullName) == "":
		return errors.New("oauth: representative without a name")
	case r.Relationship == consent.RelOther && strings.TrimSpace(r.OtherRelationship) == "":
		return errors.New("oauth: representative relationship Other without a description")
	}
	return nil
}

// finish issues the code for an approved request and returns the redirect.
func (s *Server) finish(req authRequest, d consent.Decision) (string, error) {
	acct, ok := s.cfg.Accounts(d.Username)
	if !ok {
		return "", fmt.Errorf("oauth: unknown member %q", d.Username)
	}
	scopes := req.Scopes
	if !d.SharePersonal {
		scopes = s.scopes.withoutPersonal(scopes)
	}
	code := s.approval(acct, req.ClientID, scopes, d.Representative)
	code.Expires = time.Unix(code.IssuedAt, 0).Add(codeTTL).Unix()
	code.RedirectURI, code.RedirectSent = req.RedirectURI, req.RedirectSent
	code.Challenge, code.Method, code.Nonce = req.Challenge, req.Method, req.Nonce
	sealed, err := s.seal.SealJSON(kindCode, code)
	if err != nil {
		return "", err
	}
	p := url.Values{"code": {sealed}, "iss": {req.Issuer}}
	if req.State != "" {
		p.Set("state", req.State)
	}
	return withParams(req.RedirectURI, p), nil
}

// approval is the grant the member approved now, as a code carries it: a
// new family, Self or the representative's RelatedPerson as fhirUser. The
// caller sets its expiry.
func (s *Server) approval(acct Account, clientID string, scopes []string, rep *consent.Representative) token {
	now := s.cfg.Now()
	t := token{
		ID:       rand.Text(),
		ClientID: clientID,
		Username: acct.Username,
		Patient:  acct.PatientID,
		FHIRUser: "Patient/" + acct.PatientID,
		Scopes:   scopes,
		AuthTime: now.Unix(),
		IssuedAt: now.Unix(),
		Minted:   s.mintedNow(),
	}
	t.Family = t.ID // RFC 6749 §4.1.2: every token issued from the code can be revoked with it
	if rep != nil {
		r := *rep
		t.Representative = &r
		t.RelatedPersonID = relatedPersonID(acct.PatientID, r)
		t.FHIRUser = "RelatedPerson/" + t.RelatedPersonID
	}
	return t
}

// relatedPersonID is the FHIR id of a representative's RelatedPerson: a
// pure function of the member and what the representative entered, so every
// replica and the FHIR API name the same resource. It fits FHIR's id syntax
// (R4 §2.24.0.1: [A-Za-z0-9\-\.]{1,64}).
func relatedPersonID(patient string, r consent.Representative) string {
	sum := sha256.Sum256([]byte(patient + "\x00" + r.Relationship + "\x00" +
		strings.TrimSpace(r.OtherRelationship) + "\x00" + strings.TrimSpace(r.FullName)))
	return "rp-" + hex.EncodeToString(sum[:10])
}

// knownRelationship reports whether code is one of the relationships the
// consent screen offers.
func knownRelationship(code string) bool {
	_, ok := representative.Lookup(code)
	return ok
}
