package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/store"
	"github.com/bcbsnc-sandbox/sandbox/internal/store/storetest"
)

// revocationBound is how soon a revocation on one replica is refused on
// the others (README, "Running replicas").
const revocationBound = 100 * time.Millisecond

// replicas are two sandboxes of one seed and signing key, behind one
// name, sharing one store.
type replicas struct {
	a, b  *sandbox
	redis *storetest.Server // nil for a shared store.Memory
}

// replicaStores are the ways the tests share a store: a store.Memory in
// process, and a Redis of their own when redis-server is installed.
var replicaStores = []string{"memory", "redis"}

func startReplicas(t *testing.T, kind string, o sandboxOptions) *replicas {
	t.Helper()
	o.BaseURL = "http://sandbox.test"
	r := &replicas{}
	switch kind {
	case "memory":
		o.Shared = store.NewMemory()
	case "redis":
		r.redis = storetest.Redis(t)
		o.Args = append(o.Args, "--store", r.redis.URL())
	}
	r.a, r.b = startSandbox(t, o), startSandbox(t, o)
	for _, sb := range []*sandbox{r.a, r.b} {
		waitLive(t, sb.app.shared)
	}
	return r
}

func waitLive(t *testing.T, s store.Store) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Live() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the shared store is not live after 5s: %v", s.Live())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func forEachReplicaStore(t *testing.T, test func(t *testing.T, kind string)) {
	for _, kind := range replicaStores {
		t.Run(kind, func(t *testing.T) { test(t, kind) })
	}
}

func codeForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
}

// A code redeemed at the same moment on both replicas gives exactly one
// token (RFC 6749 §4.1.2: a code is used once).
func TestReplicasRedeemACodeOnce(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		for round := range 5 {
			code := r.a.mintCode(t, docsApp, "BCNCUser03", nil)
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			start := make(chan struct{})
			for _, sb := range []*sandbox{r.a, r.b, r.a, r.b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					status, _, _ := sb.tokenCall(t, codeForm(code), "")
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 3 {
				t.Fatalf("round %d: four concurrent redemptions across the replicas answered %v; want one 200 and three 400", round, statuses)
			}
		}
	})
}

// A refresh token rotated on one replica is refused on the other
// (RFC 9700 §4.14.2).
func TestReplicasRotateARefreshTokenOnce(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		tok := r.a.approvedTokens(t, "BCNCUser03")
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
			"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
		if status, _, raw := r.a.tokenCall(t, form, ""); status != http.StatusOK {
			t.Fatalf("the first rotation on A: %d %s", status, raw)
		}
		status, tr, raw := r.b.tokenCall(t, form, "")
		if status != http.StatusBadRequest || tr.Error != "invalid_grant" || !strings.Contains(raw, "already used") {
			t.Fatalf("the same refresh token on B: %d %s; want 400 invalid_grant, already used", status, raw)
		}
	})
}

// A token revoked on one replica is refused on the other within
// revocationBound, without the other asking the store per request.
func TestReplicasRefuseARevokedTokenWithinTheBound(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		var worst time.Duration
		for round := range 5 {
			tok := r.a.approvedTokens(t, "BCNCUser03")
			read := fhirPath + "/Patient/" + tok.Patient
			if status, body := r.b.get(t, read, tok.AccessToken); status != http.StatusOK {
				t.Fatalf("B refused a live token: %d %s", status, body)
			}
			form := url.Values{"token": {tok.AccessToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}
			status, _, raw := r.a.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType), form.Encode())
			if status != http.StatusOK {
				t.Fatalf("revoke on A: %d %s", status, raw)
			}
			revoked := time.Now()
			for {
				status, _ := r.b.get(t, read, tok.AccessToken)
				took := time.Since(revoked)
				if status == http.StatusUnauthorized {
					worst = max(worst, took)
					break
				}
				if took > time.Second {
					t.Fatalf("round %d: B still answers %d a second after the revocation on A", round, status)
				}
				time.Sleep(time.Millisecond)
			}
		}
		t.Logf("%s: the revocation reached the other replica within %s at worst (bound %s)", kind, worst, revocationBound)
		if worst > revocationBound {
			t.Errorf("a revocation took %s to reach the other replica, over the %s bound", worst, revocationBound)
		}
	})
}

// With Redis stopped, what needs it answers 503 in the path's shape and
// nothing is accepted that should be refused; once Redis is back (empty,
// as after a restart without persistence) the replicas recover by
// themselves, refusing whatever was minted before the data was lost.
func TestReplicasRedisOutage(t *testing.T) {
	r := startReplicas(t, "redis", sandboxOptions{AutoApprove: "BCNCUser03"})
	tok := r.a.approvedTokens(t, "BCNCUser03")
	code := r.a.mintCode(t, docsApp, "BCNCUser03", nil)
	read := fhirPath + "/Patient/" + tok.Patient
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	revoke := url.Values{"token": {tok.AccessToken}, "client_id": {docsClientID}, "client_secret": {docsClientSecret}}

	r.redis.Stop()
	deadline := time.Now().Add(3 * time.Second)
	for r.b.app.shared.Live() == nil {
		if time.Now().After(deadline) {
			t.Fatal("B still counts the store live 3s after Redis stopped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, sb := range []*sandbox{r.a, r.b} {
		status, raw := sb.controlPost(t, "/sandbox/clock", `{"advance": "1h"}`)
		if status != http.StatusServiceUnavailable || !strings.HasPrefix(raw, `{"detail":`) {
			t.Errorf("advancing the clock with Redis down: %d %s; want 503 in the control API's shape", status, raw)
		}
		status, tr, raw := sb.tokenCall(t, codeForm(code), "")
		if status != http.StatusServiceUnavailable || tr.Error != "temporarily_unavailable" || tr.AccessToken != "" {
			t.Errorf("code redemption with Redis down: %d %s; want 503 temporarily_unavailable", status, raw)
		}
		status, tr, raw = sb.tokenCall(t, refresh, "")
		if status != http.StatusServiceUnavailable || tr.Error != "temporarily_unavailable" || tr.AccessToken != "" {
			t.Errorf("refresh with Redis down: %d %s; want 503 temporarily_unavailable", status, raw)
		}
		status, h, body := sb.send(t, http.MethodGet, read, hdr("Authorization", "Bearer "+tok.AccessToken), "")
		if status != http.StatusServiceUnavailable || !strings.HasPrefix(string(body), `{"detail":`) || !strings.Contains(string(body), "unreachable") || h.Get("Retry-After") == "" {
			t.Errorf("FHIR read with Redis down: %d %s; want 503 in the profile's {\"detail\"} shape, saying why, with Retry-After", status, body)
		}
		status, _, body = sb.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType), revoke.Encode())
		if status != http.StatusServiceUnavailable || !strings.Contains(string(body), "temporarily_unavailable") {
			t.Errorf("revoke with Redis down: %d %s; want 503", status, body)
		}
	}

	r.redis.Start()
	for _, sb := range []*sandbox{r.a, r.b} {
		waitLive(t, sb.app.shared)
	}
	// Redis lost every record: the code, the refresh token and the access
	// token minted before may have been spent or revoked, and are refused.
	if status, _, raw := r.b.tokenCall(t, codeForm(code), ""); status != http.StatusBadRequest {
		t.Errorf("a code minted before the data was lost: %d %s; want 400", status, raw)
	}
	if status, _, raw := r.b.tokenCall(t, refresh, ""); status != http.StatusBadRequest {
		t.Errorf("a refresh token minted before the data was lost: %d %s; want 400", status, raw)
	}
	if status, body := r.b.get(t, read, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("an access token minted before the data was lost: %d %s; want 401", status, body)
	}
	// What is minted now works on both, once.
	time.Sleep(2 * time.Millisecond) // past the epoch's millisecond
	fresh := r.a.approvedTokens(t, "BCNCUser03")
	for _, sb := range []*sandbox{r.a, r.b} {
		if status, body := sb.get(t, fhirPath+"/Patient/"+fresh.Patient, fresh.AccessToken); status != http.StatusOK {
			t.Errorf("after recovery a new token: %d %s", status, body)
		}
	}
	code = r.b.mintCode(t, docsApp, "BCNCUser03", nil)
	if status, _, raw := r.a.tokenCall(t, codeForm(code), ""); status != http.StatusOK {
		t.Errorf("after recovery a new code: %d %s", status, raw)
	}
	if status, _, _ := r.b.tokenCall(t, codeForm(code), ""); status != http.StatusBadRequest {
		t.Errorf("after recovery a new code redeemed twice: %d", status)
	}
}

// A fault armed through one replica fires the armed number of times in
// all, whichever replica the requests reach.
func TestReplicasShareAFaultsCount(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		tok := r.a.approvedTokens(t, "BCNCUser03")
		read := fhirPath + "/Patient/" + tok.Patient
		status, raw := r.a.controlPost(t, "/sandbox/faults", `{"path": "`+fhirPath+`/Patient/*", "status": 503, "count": 5}`)
		if status != http.StatusCreated {
			t.Fatalf("arm: %d %s", status, raw)
		}
		// B hears of the fault within the bound.
		deadline := time.Now().Add(revocationBound)
		for {
			if status, _ := r.b.get(t, "/sandbox/faults", ""); status == http.StatusOK && time.Now().Before(deadline) {
				_, body := r.b.get(t, "/sandbox/faults", "")
				if strings.Contains(string(body), `"count":5`) {
					break
				}
				time.Sleep(time.Millisecond)
				continue
			}
			t.Fatalf("B does not list the fault armed on A within %s", revocationBound)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		faulted, served := 0, 0
		for i := range 12 {
			sb := r.a
			if i%3 != 0 {
				sb = r.b // most on B, the replica it was not armed on
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _ := sb.get(t, read, tok.AccessToken)
				mu.Lock()
				defer mu.Unlock()
				switch status {
				case http.StatusServiceUnavailable:
					faulted++
				case http.StatusOK:
					served++
				}
			}()
		}
		wg.Wait()
		if faulted != 5 || served != 7 {
			t.Fatalf("12 reads across both replicas: %d faulted, %d served; want 5 and 7", faulted, served)
		}
		for _, sb := range []*sandbox{r.a, r.b} {
			if _, body := sb.get(t, "/sandbox/faults", ""); strings.TrimSpace(string(body)) != "[]" {
				t.Errorf("a fired-out fault is still listed: %s", body)
			}
		}
	})
}

// The clock moved through one replica is the clock of both, and a reset
// through the other sets both back.
func TestReplicasShareTheClock(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		tok := r.a.approvedTokens(t, "BCNCUser03")
		read := fhirPath + "/Patient/" + tok.Patient
		if status, raw := r.a.controlPost(t, "/sandbox/clock", `{"advance": "2h"}`); status != http.StatusOK {
			t.Fatalf("advance on A: %d %s", status, raw)
		}
		waitFor(t, "B's clock to read 2h ahead", func() bool {
			_, body := r.b.get(t, "/sandbox/clock", "")
			return strings.Contains(string(body), `"offset":"2h0m0s"`)
		})
		if status, _ := r.b.get(t, read, tok.AccessToken); status != http.StatusUnauthorized {
			t.Errorf("B accepts an hour-long token two hours on: %d", status)
		}
		if status, raw := r.b.controlPost(t, "/sandbox/reset", ``); status != http.StatusOK {
			t.Fatalf("reset on B: %d %s", status, raw)
		}
		waitFor(t, "A's clock to be reset", func() bool {
			_, body := r.a.get(t, "/sandbox/clock", "")
			return strings.Contains(string(body), `"offset":"0s"`)
		})
		if status, _ := r.a.get(t, read, tok.AccessToken); status != http.StatusOK {
			t.Errorf("A refuses the token after the reset on B: %d", status)
		}
	})
}

// A member edit made through one replica is served by both.
func TestReplicasShareMemberEdits(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		tok := r.a.approvedTokens(t, "BCNCUser03")
		search := fhirPath + "/ExplanationOfBenefit?patient=" + tok.Patient
		_, before := r.b.get(t, search, tok.AccessToken)
		status, raw := r.a.controlPost(t, "/sandbox/members/"+tok.Patient+"/claims", `{"type": "carrier"}`)
		if status != http.StatusCreated {
			t.Fatalf("add a claim on A: %d %s", status, raw)
		}
		var added struct{ ID string }
		if err := json.Unmarshal([]byte(raw), &added); err != nil || added.ID == "" {
			t.Fatalf("the added claim has no id: %s", raw)
		}
		if strings.Contains(string(before), added.ID) {
			t.Fatalf("the claim %s was served before it was added", added.ID)
		}
		for name, sb := range map[string]*sandbox{"A": r.a, "B": r.b} {
			waitFor(t, name+" to serve the claim added on A", func() bool {
				status, body := sb.get(t, fhirPath+"/ExplanationOfBenefit/"+added.ID, tok.AccessToken)
				return status == http.StatusOK && strings.Contains(string(body), added.ID)
			})
		}
	})
}

// waitFor polls cond for at most revocationBound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(revocationBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", revocationBound, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Wrong passwords count across the replicas: an account locked through
// one is locked on the other.
func TestReplicasShareTheLoginCoolDown(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{})
		login := func(sb *sandbox, password string) page {
			br := sb.newBrowser(t)
			p := br.get(docsAuthorizeURL(sb.URL))
			p = br.submit(p, nil, nil, "I Understand")
			return br.submit(p, map[string]string{"username": "BCNCUser04", "password": password}, nil, "Log In")
		}
		for i := range 4 {
			sb := []*sandbox{r.a, r.b}[i%2]
			if p := login(sb, "wrong"); p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong password %d: %d, want 422", i+1, p.Status)
			}
		}
		if p := login(r.a, "wrong"); p.Status != http.StatusTooManyRequests {
			t.Fatalf("the fifth wrong password across both replicas: %d, want 429", p.Status)
		}
		if p := login(r.b, "BCNCPSWD04"); p.Status != http.StatusTooManyRequests {
			t.Errorf("the right password on the other replica while locked: %d, want 429", p.Status)
		}
	})
}

// A workspace made with settings through one replica has them on the
// other, and one deleted through the other is gone from both.
func TestReplicasShareWorkspaces(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{})
		status, raw := r.a.controlPost(t, "/sandbox/workspaces", `{"name": "team-1", "profile": "strict", "token_ttl": "5m"}`)
		if status != http.StatusCreated {
			t.Fatalf("create on A: %d %s", status, raw)
		}
		if status, raw := r.b.controlPost(t, "/sandbox/workspaces", `{"name": "team-1"}`); status != http.StatusConflict {
			t.Errorf("the same name created on B: %d %s; want 409", status, raw)
		}
		status, body := r.b.get(t, "/sandbox/workspaces/team-1", "")
		if status != http.StatusOK || !strings.Contains(string(body), `"profile":"strict"`) || !strings.Contains(string(body), `"token_ttl":"5m0s"`) {
			t.Fatalf("B describes team-1 as %d %s; want strict with 5m tokens", status, body)
		}
		status, _, _ = r.b.send(t, http.MethodDelete, "/sandbox/workspaces/team-1", nil, "")
		if status != http.StatusNoContent {
			t.Fatalf("delete on B: %d", status)
		}
		waitFor(t, "A to forget team-1", func() bool {
			status, _ := r.a.get(t, "/sandbox/workspaces/team-1", "")
			return status == http.StatusNotFound
		})
	})
}

// A grant made through one replica is listed by the other, and ending it
// there revokes its tokens on both.
func TestReplicasShareGrants(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{AutoApprove: "BCNCUser03"})
		tok := r.a.approvedTokens(t, "BCNCUser03")
		grants := "/sandbox/members/" + tok.Patient + "/grants"
		status, body := r.b.get(t, grants, "")
		if status != http.StatusOK || !strings.Contains(string(body), `"client_id":"`+docsClientID+`"`) {
			t.Fatalf("B lists %d %s; want the grant made on A", status, body)
		}
		status, raw := r.b.controlPost(t, grants+"/revoke", ``)
		if status != http.StatusOK || !strings.Contains(raw, `"revoked":1`) {
			t.Fatalf("revoke on B: %d %s; want one grant ended", status, raw)
		}
		waitFor(t, "A to refuse the ended grant's token", func() bool {
			status, _ := r.a.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken)
			return status == http.StatusUnauthorized
		})
		if _, body := r.a.get(t, grants, ""); strings.TrimSpace(string(body)) != "[]" {
			t.Errorf("A still lists the ended grant: %s", body)
		}
	})
}

// The FHIR API's bearer check reads the replica's own copy of the
// revocations: a hundred reads cost Redis no command (beyond the
// subscription's pings).
func TestReplicasReadWithoutAskingRedis(t *testing.T) {
	r := startReplicas(t, "redis", sandboxOptions{AutoApprove: "BCNCUser03"})
	tok := r.a.approvedTokens(t, "BCNCUser03")
	read := fhirPath + "/Patient/" + tok.Patient
	before, start := r.redis.Commands(), time.Now()
	for range 100 {
		if status, body := r.b.get(t, read, tok.AccessToken); status != http.StatusOK {
			t.Fatalf("read: %d %s", status, body)
		}
	}
	took := time.Since(start)
	// Each replica pings every 250 ms; INFO itself counts one.
	pings := 2 * (int64(took/(250*time.Millisecond)) + 1)
	if n := r.redis.Commands() - before; n > pings+1 {
		t.Errorf("100 FHIR reads took Redis %d commands in %s; the subscriptions' pings account for %d", n, took, pings)
	}
}

// TestReplicasConsentWithRedisDown: a member who presses I Agree while the
// shared store is unreachable gets the consent screens' own page, 503 with
// Retry-After, saying to try again in a moment, and no code goes back to the
// app; a flow started meanwhile is never a 500. Once Redis is back, a new
// flow finishes with a code.
func TestReplicasConsentWithRedisDown(t *testing.T) {
	r := startReplicas(t, "redis", sandboxOptions{})
	b := r.a.newBrowser(t)
	p := b.get(docsAuthorizeURL(r.a.URL))
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	p = b.submit(p, nil, []string{"Self"}, "Next")

	r.redis.Stop()
	deadline := time.Now().Add(3 * time.Second)
	for r.a.app.shared.Live() == nil {
		if time.Now().After(deadline) {
			t.Fatal("A still counts the store live 3s after Redis stopped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := b.submit(p, nil, nil, "I Agree")
	if done.Status != http.StatusServiceUnavailable || !strings.Contains(done.Body, "Try again in a moment") || strings.Contains(done.Location, "code=") {
		t.Errorf("I Agree with Redis down: %d, Location %q:\n%s\nwant 503 and the try-again page, no code", done.Status, done.Location, done.Body)
	}
	if started := r.b.newBrowser(t).get(docsAuthorizeURL(r.b.URL)); started.Status >= 500 && started.Status != http.StatusServiceUnavailable {
		t.Errorf("a flow started with Redis down: %d:\n%s", started.Status, started.Body)
	}

	r.redis.Start()
	for _, sb := range []*sandbox{r.a, r.b} {
		waitLive(t, sb.app.shared)
	}
	back := r.b.consent(t, member{username: "BCNCUser03", password: "BCNCPSWD03"})
	if back.Query().Get("code") == "" {
		t.Errorf("after recovery the flow came back without a code: %s", back)
	}
}

// A workspace deleted through one replica and made again under its name
// refuses, on both, the tokens its earlier life minted, as a lone sandbox
// does: the store keeps the deletion's floor. What the new life mints
// works on both.
func TestReplicasRecreatedWorkspaceRefusesItsEarlierLife(t *testing.T) {
	forEachReplicaStore(t, func(t *testing.T, kind string) {
		r := startReplicas(t, kind, sandboxOptions{})
		wa, wb := r.a.inWorkspace("team-2"), r.b.inWorkspace("team-2")
		old := wa.mint(t, mintBody("BCNCUser03"))
		read := fhirPath + "/Patient/" + old.Patient
		if status, body := wb.get(t, read, old.AccessToken); status != http.StatusOK {
			t.Fatalf("B reads with A's token before the deletion: %d %s", status, body)
		}
		if status, _, body := r.b.send(t, http.MethodDelete, "/sandbox/workspaces/team-2", nil, ""); status != http.StatusNoContent {
			t.Fatalf("delete on B: %d %s", status, body)
		}
		time.Sleep(2 * time.Millisecond) // past the floor's millisecond
		fresh := wb.mint(t, mintBody("BCNCUser03"))
		refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {old.RefreshToken},
			"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
		for name, ep := range map[string]endpoint{"A": wa, "B": wb} {
			if status, body := ep.get(t, read, old.AccessToken); status != http.StatusUnauthorized {
				t.Errorf("%s: the earlier life's access token: %d %s; want 401", name, status, body)
			}
			if status, _, raw := ep.tokenCall(t, refresh, ""); status != http.StatusBadRequest {
				t.Errorf("%s: the earlier life's refresh token: %d %s; want 400", name, status, raw)
			}
			if status, body := ep.get(t, read, fresh.AccessToken); status != http.StatusOK {
				t.Errorf("%s: the new life's token: %d %s; want 200", name, status, body)
			}
		}
	})
}
