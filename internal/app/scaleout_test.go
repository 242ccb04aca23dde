package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// balancer is a load balancer in front of replicas that all answer as
// http://sandbox.test: each new connection goes to the replica chosen now.
type balancer struct {
	replicas []string // host:port
	current  atomic.Int32
}

func (b *balancer) use(i int) { b.current.Store(int32(i)) }

func (b *balancer) transport() *http.Transport {
	return &http.Transport{
		DisableKeepAlives: true, // every request picks the current replica
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, b.replicas[b.current.Load()])
		},
	}
}

// TestReplicasShareFlowsAndTokens runs two sandboxes with the same seed and
// signing key behind one name: a consent flow hops between them screen by
// screen, a code issued by one is redeemed at the other, tokens work on
// both, and both serve byte-identical resources.
func TestReplicasShareFlowsAndTokens(t *testing.T) {
	const base = "http://sandbox.test"
	a := startSandbox(t, "--base-url", base)
	b := startSandbox(t, "--base-url", base)
	lb := &balancer{replicas: []string{strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")}}
	tr := lb.transport()
	br := newBrowserVia(t, tr)

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

	client := &http.Client{Transport: tr}
	lb.use(0)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedir},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret}}
	resp, err := client.PostForm(base+issuerPath+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok tokenResponse
	decodeJSON(t, resp, &tok)
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("replica A refused replica B's code: %d %+v", resp.StatusCode, tok)
	}

	var bodies [2][]byte
	for i := range lb.replicas {
		lb.use(i)
		req, _ := http.NewRequest("GET", base+fhirPath+"/ExplanationOfBenefit?patient="+tok.Patient, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		bodies[i], _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("replica %d refused the token: %d %s", i, resp.StatusCode, bodies[i])
		}
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Error("the replicas served different bytes for the same search")
	}
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, body)
	}
}
