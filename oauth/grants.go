package oauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

// maxGrants bounds the grants the store records by default. A record
// costs about 300 bytes with its strings, so a full book holds some 3 MB.
const maxGrants = 10_000

// A grant is what a member gave one app at one time: the family of tokens
// that began with one code exchange (or one Mint) and every rotation since.
// The store records each live grant by member, so that the member can see
// which apps hold one and end it (the apps page, consent.Apps), and tests
// can do the same through the control API. Ending a grant revokes its
// family: every access and refresh token of it is refused at once.
type grantRecord struct {
	family, patient, clientID string
	username                  string
	scopes                    []string
	representative            string // the representative's full name; "" for Self
	granted                   int64  // Unix s, sandbox clock
	// until is when the grant's last token expires (Unix s): from then on
	// the record says nothing and may go.
	until int64
	// refreshUntil is when its refresh tokens expire, 0 when it has none.
	refreshUntil int64
	refreshEnded bool // ExpireRefresh ended its refresh tokens early
	gone         bool // dropped: ended, evicted or swept
}

// grantBook holds the live grants, at most max, in the order recorded. At
// the bound the oldest grant is revoked before it is forgotten: a grant the
// member can no longer see must not keep working (fail closed).
type grantBook struct {
	max       int
	byFamily  map[string]*grantRecord
	byPatient map[string][]*grantRecord
	order     []*grantRecord // recorded order; dropped ones stay until passed
	head      int
}

func newGrantBook(max int) grantBook {
	return grantBook{max: max, byFamily: map[string]*grantRecord{}, byPatient: map[string][]*grantRecord{}}
}

// drop forgets g.
func (b *grantBook) drop(g *grantRecord) {
	if g.gone {
		return
	}
	g.gone = true
	delete(b.byFamily, g.family)
	list := slices.DeleteFunc(b.byPatient[g.patient], func(x *grantRecord) bool { return x == g })
	if len(list) == 0 {
		delete(b.byPatient, g.patient)
	} else {
		b.byPatient[g.patient] = list
	}
}

// oldest returns the oldest grant still held.
func (b *grantBook) oldest() *grantRecord {
	for b.head < len(b.order) {
		g := b.order[b.head]
		if !g.gone {
			return g
		}
		b.order[b.head] = nil
		b.head++
	}
	return nil
}

// sweep forgets every grant whose tokens are all void, and the dropped
// ones, keeping the order of the rest.
func (b *grantBook) sweep(void func(until int64) bool) {
	kept := b.order[:0]
	for _, g := range b.order[b.head:] {
		if !g.gone && void(g.until) {
			b.drop(g)
		}
		if !g.gone {
			kept = append(kept, g)
		}
	}
	clear(b.order[len(kept):])
	b.order, b.head = kept, 0
}

// addGrant records g. At the bound the oldest grant goes, revoked: the
// revocations are returned, for the other replicas (store.tell).
func (s *store) addGrant(g *grantRecord) []revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	b := &s.grants
	var revs []revocation
	for len(b.byFamily) >= b.max {
		old := b.oldest()
		if old == nil {
			break
		}
		s.revokeLocked(old.family, time.Unix(old.until, 0))
		revs = append(revs, revocation{old.family, time.Unix(old.until, 0)})
		b.drop(old)
	}
	if b.head > len(b.order)/2 {
		b.order = append(b.order[:0], b.order[b.head:]...)
		b.head = 0
	}
	b.byFamily[g.family] = g
	b.byPatient[g.patient] = append(b.byPatient[g.patient], g)
	b.order = append(b.order, g)
	return revs
}

// revokeFamily revokes every token of the grant family until until and
// forgets its grant.
func (s *store) revokeFamily(family string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	s.revokeLocked(family, until)
	if g, ok := s.grants.byFamily[family]; ok {
		s.grants.drop(g)
	}
}

// refreshEndedID is the revocation ledger's id for "the refresh tokens of
// family have ended": a prefix no token id or family (rand.Text, base32)
// can carry.
func refreshEndedID(family string) string { return "refresh-ended:" + family }

// refreshEnded reports whether ExpireRefresh ended family's refresh tokens.
func (s *store) refreshEnded(family string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked.byID[s.key(refreshEndedID(family))]
	return ok
}

// grantFilter picks a member's grants: all of them, or one client's.
type grantFilter struct{ patient, clientID string }

func (f grantFilter) picks(g *grantRecord) bool {
	return f.clientID == "" || g.clientID == f.clientID
}

// liveGrants copies the member's grants that may still hold a valid token
// at now, oldest first.
func (s *store) liveGrants(f grantFilter, now time.Time) []grantRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []grantRecord
	for _, g := range s.grants.byPatient[f.patient] {
		if f.picks(g) && now.Unix() < g.until {
			out = append(out, *g)
		}
	}
	return out
}

// endGrants revokes the member's grants f picks and returns the
// revocations.
func (s *store) endGrants(f grantFilter) []revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	var revs []revocation
	for _, g := range slices.Clone(s.grants.byPatient[f.patient]) {
		if f.picks(g) {
			s.revokeLocked(g.family, time.Unix(g.until, 0))
			revs = append(revs, revocation{g.family, time.Unix(g.until, 0)})
			s.grants.drop(g)
		}
	}
	return revs
}

// endRefresh ends the refresh tokens of the member's grants f picks, as if
// they expired now: the access tokens already issued live out their own
// lifetimes, ttl at most. It returns the revocations that end them, one
// for each grant that had refresh tokens to end.
func (s *store) endRefresh(f grantFilter, now time.Time, ttl time.Duration) []revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	var revs []revocation
	for _, g := range s.grants.byPatient[f.patient] {
		if !f.picks(g) || g.refreshUntil == 0 || g.refreshEnded || now.Unix() >= g.refreshUntil {
			continue
		}
		s.revokeLocked(refreshEndedID(g.family), time.Unix(g.refreshUntil, 0))
		revs = append(revs, revocation{refreshEndedID(g.family), time.Unix(g.refreshUntil, 0)})
		g.refreshEnded = true
		g.until = min(g.until, now.Add(ttl).Unix())
	}
	return revs
}

// ErrUnknownClient and ErrUnknownMember are what the grant and Mint calls
// return for a client id or a member the server does not know.
var (
	ErrUnknownClient = errors.New("oauth: unknown client")
	ErrUnknownMember = errors.New("oauth: unknown member")
)

// GrantInfo is one live grant as the control API shows it.
type GrantInfo struct {
	ClientID     string    `json:"client_id"`
	ClientName   string    `json:"client_name"`
	Username     string    `json:"username"`
	Scopes       []string  `json:"scopes"`
	Granted      time.Time `json:"granted"`
	Expires      time.Time `json:"expires"` // when the grant's last token expires
	RefreshEnded bool      `json:"refresh_ended,omitempty"`
	// Representative is the full name of the personal representative who
	// approved it; empty for the member themself.
	Representative string `json:"representative,omitempty"`
}

// filter checks clientID (empty: every client) and builds the filter.
func (s *Server) filter(patient, clientID string) (grantFilter, error) {
	if _, ok := s.clients[clientID]; clientID != "" && !ok {
		return grantFilter{}, fmt.Errorf("%w %q", ErrUnknownClient, clientID)
	}
	return grantFilter{patient: patient, clientID: clientID}, nil
}

// Grants lists the member's live grants, to clientID's app only when it is
// not empty, oldest first.
func (s *Server) Grants(patient, clientID string) ([]GrantInfo, error) {
	f, err := s.filter(patient, clientID)
	if err != nil {
		return nil, err
	}
	out := []GrantInfo{}
	live, err := s.store.grantsOf(f, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	for _, g := range live {
		out = append(out, GrantInfo{
			ClientID:       g.clientID,
			ClientName:     s.clients[g.clientID].Name,
			Username:       g.username,
			Scopes:         slices.Clone(g.scopes),
			Granted:        time.Unix(g.granted, 0).UTC(),
			Expires:        time.Unix(g.until, 0).UTC(),
			RefreshEnded:   g.refreshEnded,
			Representative: g.representative,
		})
	}
	return out, nil
}

// RevokeGrants ends the member's grants (to clientID's app only, when it is
// not empty), as the member removing the app would: every access and
// refresh token of them is refused from now on. It returns how many ended.
func (s *Server) RevokeGrants(patient, clientID string) (int, error) {
	f, err := s.filter(patient, clientID)
	if err != nil {
		return 0, err
	}
	return s.store.endGrantsShared(f)
}

// ExpireRefresh ends the refresh tokens of the member's grants (to
// clientID's app only, when it is not empty) as if they had expired now:
// a refresh answers invalid_grant, so the app must send the member through
// /authorize again, while the access tokens already issued work until their
// own expiry. It returns how many grants it ended the refresh tokens of.
func (s *Server) ExpireRefresh(patient, clientID string) (int, error) {
	f, err := s.filter(patient, clientID)
	if err != nil {
		return 0, err
	}
	return s.store.endRefreshShared(f, s.cfg.Now(), s.cfg.TokenTTL)
}

// ConnectedApps implements consent.Apps: the apps holding a live grant of
// the member's data, by name.
func (s *Server) ConnectedApps(ctx context.Context, username string) ([]consent.ConnectedApp, error) {
	acct, ok := s.cfg.Accounts(username)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownMember, username)
	}
	byClient := map[string]*consent.ConnectedApp{}
	var apps []*consent.ConnectedApp
	live, err := s.store.grantsOf(grantFilter{patient: acct.PatientID}, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	for _, g := range live {
		a, ok := byClient[g.clientID]
		if !ok {
			a = &consent.ConnectedApp{ClientID: g.clientID, ClientName: s.clients[g.clientID].Name}
			byClient[g.clientID] = a
			apps = append(apps, a)
		}
		a.Grants++
		for _, sc := range g.scopes {
			if !slices.Contains(a.Scopes, sc) {
				a.Scopes = append(a.Scopes, sc)
			}
		}
		if t := time.Unix(g.granted, 0); t.After(a.LastGranted) {
			a.LastGranted = t
		}
	}
	out := make([]consent.ConnectedApp, len(apps))
	for i, a := range apps {
		out[i] = *a
	}
	slices.SortFunc(out, func(a, b consent.ConnectedApp) int {
		return cmp.Or(cmp.Compare(a.ClientName, b.ClientName), cmp.Compare(a.ClientID, b.ClientID))
	})
	return out, nil
}

// RemoveApp implements consent.Apps: it ends every grant the member gave
// the app.
func (s *Server) RemoveApp(ctx context.Context, username, clientID string) (int, error) {
	acct, ok := s.cfg.Accounts(username)
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownMember, username)
	}
	return s.RevokeGrants(acct.PatientID, clientID)
}

// refreshes reports whether a grant of scopes to client comes with refresh
// tokens: the docs' response always has one; SMART App Launch 2 §2.1.11
// ties it to offline_access.
func (s *Server) refreshes(client Client, scopes []string) bool {
	return client.allows(grantRefresh) && (hasScope(scopes, scopeOfflineAccess) || s.cfg.Profile == profile.BCBSNC)
}

// begin records g, a grant starting now (its Expires the refresh tokens'),
// then issues its first tokens.
func (s *Server) begin(base string, client Client, g token, nonce string) (tokenResponse, error) {
	rec := &grantRecord{
		family:   g.Family,
		patient:  g.Patient,
		clientID: g.ClientID,
		username: g.Username,
		scopes:   g.Scopes,
		granted:  g.AuthTime,
		until:    s.cfg.Now().Add(s.cfg.TokenTTL).Unix(),
	}
	if g.Representative != nil {
		rec.representative = g.Representative.FullName
	}
	if s.refreshes(client, g.Scopes) {
		rec.refreshUntil = g.Expires
		rec.until = s.familyEnd(g.Expires).Unix()
	}
	if err := s.store.recordGrant(rec); err != nil {
		return tokenResponse{}, err
	}
	return s.issue(base, client, g, g.Scopes, nonce)
}
