package app

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// hostileEnv is one sandbox with a second and a public client, and live
// grants minted on an --auto-approve replica that shares its signing key
// and clients.
type hostileEnv struct {
	*sandbox
	auto     *sandbox      // the replica: mintCode there, redeem here
	tokA     tokenResponse // docs' client, BCNCUser03
	tokB     tokenResponse // client B, BCNCUser04
	patientA string
	patientB string
}

func newHostileEnv(tb testing.TB) *hostileEnv {
	tb.Helper()
	env := &hostileEnv{
		sandbox: startSandbox(tb, sandboxOptions{Clients: true}),
		auto:    startSandbox(tb, sandboxOptions{Clients: true, AutoApprove: "BCNCUser03"}),
	}
	env.tokA = env.redeem(tb, docsApp, env.auto.mintCode(tb, docsApp, "BCNCUser03", nil))
	env.tokB = env.redeem(tb, clientB, env.auto.mintCode(tb, clientB, "BCNCUser04", nil))
	env.patientA, env.patientB = env.tokA.Patient, env.tokB.Patient
	if env.patientA == "" || env.patientB == "" || env.patientA == env.patientB {
		tb.Fatalf("patients %q and %q: want two different members", env.patientA, env.patientB)
	}
	return env
}

// basicAuth is client_secret_basic: id and secret form-urlencoded, then
// base64 (RFC 6749 §2.3.1).
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
