package app

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServerLimits pins the limits newHTTPServer sets against slow and
// greedy clients (ReadHeaderTimeout, ReadTimeout, IdleTimeout,
// header limits).
func TestServerLimits(t *testing.T) {
	s := newHTTPServer(http.NotFoundHandler(), newLogger("text", io.Discard).Logger)
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"ReadHeaderTimeout", s.ReadHeaderTimeout, 5 * time.Second},
		{"ReadTimeout", s.ReadTimeout, 30 * time.Second},
		{"WriteTimeout", s.WriteTimeout, 60 * time.Second},
		{"IdleTimeout", s.IdleTimeout, 120 * time.Second},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if s.MaxHeaderBytes != 64<<10 {
		t.Errorf("MaxHeaderBytes = %d, want 64 KiB", s.MaxHeaderBytes)
	}
	if s.ErrorLog == nil {
		t.Error("no ErrorLog: the server's own errors would go to the default logger, unformatted")
	}
}

// TestSlowlorisIsCutOff dribbles a request's headers, one every 500 ms, at
// the real server: the connection is closed once ReadHeaderTimeout (5 s) has
// passed, however steadily bytes arrive. A header block over the limit is
// refused with 431.
func TestSlowlorisIsCutOff(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, sandboxOptions{Run: true})
	addr := strings.TrimPrefix(sb.URL, "http://")

	t.Run("oversized headers", func(t *testing.T) {
		if s, _, _ := sb.send(t, http.MethodGet, "/health", hdr("X-Big", strings.Repeat("b", 100<<10)), ""); s != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("100 KiB of headers: %d, want 431", s)
		}
	})

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: "+addr+"\r\n"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration, 1)
	go func() {
		io.Copy(io.Discard, conn) // returns when the server closes the connection
		closed <- time.Since(start)
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case took := <-closed:
			if took < 4*time.Second || took > 8*time.Second {
				t.Errorf("the slow client was cut off after %v, want about ReadHeaderTimeout (5s)", took)
			}
			return
		case <-tick.C:
			conn.SetWriteDeadline(time.Now().Add(time.Second))
			io.WriteString(conn, "X-Dribble: "+strings.Repeat("d", i%7)+"\r\n")
			if time.Since(start) > 15*time.Second {
				t.Fatal("a client dribbling headers held its connection for 15s")
			}
		}
	}
}

// TestTLS serves HTTPS from run: with --tls-self-signed a TLS 1.1 client is
// refused and a TLS 1.2 one served, the certificate names localhost and
// 127.0.0.1, and the consent and debugger cookies are Secure; with
// --tls-cert/--tls-key the server presents exactly that certificate.
func TestTLS(t *testing.T) {
	t.Run("self-signed", func(t *testing.T) {
		sb := startSandbox(t, sandboxOptions{Run: true, TLSSelfSigned: true})
		if !strings.HasPrefix(sb.URL, "https://127.0.0.1:") {
			t.Fatalf("banner URL %q, want https://127.0.0.1:…", sb.URL)
		}
		addr := strings.TrimPrefix(sb.URL, "https://")
		old, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11})
		if err == nil {
			old.Close()
			t.Error("a TLS 1.1 client was served; the floor is TLS 1.2")
		}
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatalf("TLS 1.2: %v", err)
		}
		leaf := conn.ConnectionState().PeerCertificates[0]
		conn.Close()
		if err := leaf.VerifyHostname("localhost"); err != nil {
			t.Errorf("the certificate does not name localhost: %v", err)
		}
		if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
			t.Errorf("the certificate does not name 127.0.0.1: %v", err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(leaf)
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(sb.URL + "/health")
		if err != nil {
			t.Fatalf("GET /health over TLS 1.2 trusting the served certificate: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("/health over TLS: %d", resp.StatusCode)
		}

		var seen htmlSeen
		b := newBrowserVia(t, seen.watch(tr))
		back := walk(t, b, sb.URL+"/debug/start", member{username: "BCNCUser03", password: "BCNCPSWD03"})
		if back.Query().Get("code") == "" {
			t.Errorf("Try it over TLS came back without a code: %s", back)
		}
		checkCookies(t, seen.all(), true)
	})

	t.Run("cert and key files", func(t *testing.T) {
		certFile, keyFile, cert := writeTestCert(t)
		sb := startSandbox(t, sandboxOptions{Run: true, TLSCert: certFile, TLSKey: keyFile})
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		conn, err := tls.Dial("tcp", strings.TrimPrefix(sb.URL, "https://"), &tls.Config{RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			t.Fatalf("verifying the server against the test's own certificate: %v", err)
		}
		defer conn.Close()
		if got := conn.ConnectionState().PeerCertificates[0]; !got.Equal(cert) {
			t.Error("the server presents another certificate than --tls-cert")
		}
		if v := conn.ConnectionState().Version; v < tls.VersionTLS12 {
			t.Errorf("negotiated TLS version %x", v)
		}
	})
}

// writeTestCert makes a self-signed certificate for localhost and writes
// it and its key as PEM files.
func writeTestCert(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "sandbox test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile, cert
}

// TestRunWritesTheLastLogLines: the log batches lines, and what it holds
// when run returns is written, not lost. An idle server shuts down within
// a millisecond or two, well inside the batching delay.
func TestRunWritesTheLastLogLines(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, sandboxOptions{Run: true})
	sb.stop()
	if err := sb.runResult(t, 15*time.Second); err != nil {
		t.Fatalf("run: %v", err)
	}
	if logs := sb.logs.String(); !strings.Contains(logs, `msg="shutting down"`) {
		t.Errorf("the last line is missing:\n%s", logs)
	}
}

// TestShutdownDrainsInFlight holds a FHIR request for 1.5 s with a control
// API delay fault, cancels run's context (what SIGTERM does in main) while
// it is in flight, and expects the request to complete with 200 and run to
// return nil soon after, well within the grace period.
func TestShutdownDrainsInFlight(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t, sandboxOptions{Run: true})
	fault := `{"path": "` + fhirPath + `/metadata", "delay_ms": 1500}`
	if s, body := sb.controlPost(t, "/sandbox/faults", fault); s != http.StatusCreated {
		t.Fatalf("arming the delay: %d %s", s, body)
	}
	type result struct {
		status int
		body   []byte
		err    error
	}
	got := make(chan result, 1)
	start := time.Now()
	go func() {
		resp, err := sb.client.Get(sb.URL + fhirPath + "/metadata")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, body, err}
	}()
	time.Sleep(300 * time.Millisecond)
	sb.stop()
	res := <-got
	if res.err != nil || res.status != http.StatusOK || !bytes.Contains(res.body, []byte(`"CapabilityStatement"`)) {
		t.Fatalf("the in-flight request: %d %v %s", res.status, res.err, truncate(string(res.body), 200))
	}
	if took := time.Since(start); took < 1400*time.Millisecond {
		t.Errorf("the request took %v: the delay fault did not hold it", took)
	}
	if err := sb.runResult(t, 3*time.Second); err != nil {
		t.Errorf("run after draining: %v, want nil", err)
	}
	if logs := sb.logs.String(); !strings.Contains(logs, "path="+fhirPath+"/metadata status=200") {
		t.Errorf("the drained request's log line is missing:\n%s", logs)
	}
	if _, err := sb.client.Get(sb.URL + "/health"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

// TestSigningKeyFileAcrossRestarts: a missing --signing-key file is created with mode
// 0600 and a restart reuses it, so a token from the first run reads in the
// second; a corrupt file is a clear start-up error and stays untouched.
func TestSigningKeyFileAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.pem")
	first := startSandbox(t, sandboxOptions{Run: true, SigningKey: path, AutoApprove: "BCNCUser03"})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the key file was not created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	pemBefore, _ := os.ReadFile(path)
	tok := first.approvedTokens(t, "BCNCUser03")
	first.stop()
	if err := first.runResult(t, 15*time.Second); err != nil {
		t.Fatalf("the first run: %v", err)
	}

	second := startSandbox(t, sandboxOptions{Run: true, SigningKey: path})
	if status, body := second.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken); status != http.StatusOK {
		t.Errorf("a token of the first run at the second: %d %s", status, truncate(string(body), 200))
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, pemBefore) {
		t.Error("the restart rewrote the key file")
	}

	for name, content := range map[string]string{
		"not PEM":         "garbage",
		"truncated PEM":   string(pemBefore[:len(pemBefore)/2]),
		"not an RSA key":  "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		"a PEM of junk":   "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
		"an empty file":   "",
		"a directory too": "",
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.pem")
			if name == "a directory too" {
				os.Mkdir(bad, 0o700)
			} else {
				os.WriteFile(bad, []byte(content), 0o600)
			}
			_, err := trySandbox(t, sandboxOptions{Run: true, SigningKey: bad})
			if err == nil || !strings.Contains(err.Error(), "signing key") {
				t.Fatalf("run with a corrupt key file: %v, want an error naming the signing key", err)
			}
			if fi, serr := os.Stat(bad); serr == nil && !fi.IsDir() {
				if now, _ := os.ReadFile(bad); string(now) != content {
					t.Error("the corrupt key file was replaced")
				}
			}
		})
	}
}
