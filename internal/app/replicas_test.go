package app

import (
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
	o.BaseURL, o.AutoApprove = "http://sandbox.test", "BCNCUser03"
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
		r := startReplicas(t, kind, sandboxOptions{})
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
		r := startReplicas(t, kind, sandboxOptions{})
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
		r := startReplicas(t, kind, sandboxOptions{})
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
