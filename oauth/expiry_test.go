package oauth

import (
	"context"
	"net/url"
	"testing"
	"testing/synctest"
	"time"
)

// Codes live 1 hour (the docs, README, "Tokens"), consent handles 1 hour, access
// tokens TokenTTL; the store forgets spent codes once they expire. Config.Now
// is nil, so the server reads the bubble's fake clock.
func TestExpiry(t *testing.T) {
	testKey()
	synctest.Test(t, func(t *testing.T) {
		s := newServer(t, func(c *Config) { c.TokenTTL = 10 * time.Minute })
		e := router(s)

		oldCode := codeFor(t, s, e, authorizeQuery(nil))
		oldHandle := startFlow(t, e, authorizeQuery(nil))
		tr := docsTokens(t, s, e)
		if tr.ExpiresIn != 600 {
			t.Errorf("expires_in %d, want 600", tr.ExpiresIn)
		}
		g, err := s.Lookup(context.Background(), tr.AccessToken)
		if err != nil || !g.ExpiresAt.Equal(time.Now().Add(10*time.Minute).Truncate(time.Second)) {
			t.Errorf("Lookup = %v, %v", g.ExpiresAt, err)
		}

		time.Sleep(10*time.Minute - time.Second)
		if _, err := s.Lookup(context.Background(), tr.AccessToken); err != nil {
			t.Errorf("token died early: %v", err)
		}
		time.Sleep(time.Second)
		if _, err := s.Lookup(context.Background(), tr.AccessToken); err == nil {
			t.Error("Lookup accepted an expired token")
		}
		if w := bearerGet(e, "/v1/connect/userinfo", tr.AccessToken); w.Code != 401 {
			t.Errorf("userinfo with an expired token: %d", w.Code)
		}
		if r := introspectAs(t, s, tr.AccessToken, docsAuth); r["active"] != false {
			t.Errorf("introspection of an expired token: %v", r)
		}
		// The refresh token outlives the access token.
		fresh := tokens(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}, docsAuth))

		time.Sleep(50*time.Minute - time.Second)
		if _, err := s.Describe(context.Background(), oldHandle); err != nil {
			t.Errorf("handle died early: %v", err)
		}
		time.Sleep(time.Second)
		wantError(t, postForm(e, IssuerPath+"/token", exchangeForm(oldCode), nil), 400, codeInvalidGrant)
		if _, err := s.Describe(context.Background(), oldHandle); err == nil {
			t.Error("Describe accepted an expired handle")
		}
		if _, err := s.Finish(context.Background(), oldHandle, decisionSelf()); err == nil {
			t.Error("Finish accepted an expired handle")
		}

		// Spent values are pruned once they expire.
		before := s.store.size()
		time.Sleep(refreshTTL)
		codeFor(t, s, e, authorizeQuery(nil)) // any write prunes
		if after := s.store.size(); before == 0 || after != 1 {
			t.Errorf("store held %d records, then %d after expiry; want 1 (the new handle)", before, after)
		}
		wantError(t, postForm(e, IssuerPath+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {fresh.RefreshToken}}, docsAuth), 400, codeInvalidGrant)
	})
}
