package app

import (
	"bytes"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
)

// balancer is a load balancer in front of replicas that all answer as
// http://sandbox.test: each request goes to the replica chosen now.
type balancer struct {
	replicas []http.RoundTripper
	current  atomic.Int32
}

func (b *balancer) use(i int) { b.current.Store(int32(i)) }

func (b *balancer) RoundTrip(r *http.Request) (*http.Response, error) {
	return b.replicas[b.current.Load()].RoundTrip(r)
}

// TestReplicasShareFlowsAndTokens runs two sandboxes with the same seed and
// signing key behind one name: a consent flow hops between them screen by
// screen, a code issued by one is redeemed at the other, tokens work on
// both, and both serve byte-identical resources.
func TestReplicasShareFlowsAndTokens(t *testing.T) {
	const base = "http://sandbox.test"
	same := sandboxOptions{BaseURL: base, Seed: 7}
	a, b := startSandbox(t, same), startSandbox(t, same)
	lb := &balancer{replicas: []http.RoundTripper{a.client.Transport, b.client.Transport}}
	br := newBrowserVia(t, lb)

	lb.use(0)
	p := br.get(docsAuthorizeURL(base))
	p = br.submit(p, nil, nil, "I Understand")
	lb.use(1)
	p = br.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	lb.use(0)
	p = br.submit(p, nil, []string{"Self"}, "Next")
	lb.use(1)
	p = br.submit(p, nil, nil, "I Agree")
	back, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	code := codeFrom(t, back, "test")

	// The balancer as the apps see it: one URL, either replica behind it.
	front := endpoint{URL: base, client: &http.Client{Transport: lb, CheckRedirect: noRedirect}}
	lb.use(0)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	status, tok, raw := front.tokenCall(t, form, "")
	if status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("replica A refused replica B's code: %d %s", status, raw)
	}

	var bodies [2][]byte
	for i := range lb.replicas {
		lb.use(i)
		var status int
		status, bodies[i] = front.get(t, fhirPath+"/ExplanationOfBenefit?patient="+tok.Patient, tok.AccessToken)
		if status != http.StatusOK {
			t.Fatalf("replica %d refused the token: %d %s", i, status, bodies[i])
		}
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("the replicas served different bytes for the same search")
	}
}
