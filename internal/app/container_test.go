package app

import (
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestHealthcheckSubcommand is the container's HEALTHCHECK: 0 while the
// server on --addr answers /health, 1 once nothing listens there.
func TestHealthcheckSubcommand(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Run: true})
	u, err := url.Parse(sb.URL)
	if err != nil {
		t.Fatal(err)
	}
	addr := ":" + u.Port()
	if code := Healthcheck([]string{"--addr", addr}, envOf(nil), io.Discard); code != 0 {
		t.Fatalf("healthcheck of a running server exited %d", code)
	}
	// The environment twin is how a container sets the port for both the
	// server and its health check.
	if code := Healthcheck(nil, envOf(map[string]string{"SANDBOX_ADDR": addr}), io.Discard); code != 0 {
		t.Fatalf("healthcheck with SANDBOX_ADDR exited %d", code)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var stderr strings.Builder
	if code := Healthcheck([]string{"--addr", ":" + strconv.Itoa(free)}, envOf(nil), &stderr); code != 1 || stderr.Len() == 0 {
		t.Errorf("healthcheck with nothing listening exited %d (%q), want 1 and a reason", code, stderr.String())
	}
	if code := Healthcheck([]string{"--profile", "nope"}, envOf(nil), io.Discard); code != 2 {
		t.Errorf("healthcheck with a bad flag exited %d, want 2", code)
	}
}

// TestDockerfile checks what the image promises without a Docker engine
// (none runs here): a Go 1.26 builder, a static binary, a non-root runtime,
// port 8080, and a HEALTHCHECK and ENTRYPOINT that are the binary itself
// with flags it accepts.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for name, pattern := range map[string]string{
		"Go 1.26 builder":        `(?m)^FROM golang:1\.26\S* AS build`,
		"static binary":          `CGO_ENABLED=0 go build`,
		"non-root runtime":       `(?m)^USER nonroot`,
		"port":                   `(?m)^EXPOSE 8080$`,
		"shell-free healthcheck": `(?m)^HEALTHCHECK .*CMD \["/sandbox", "healthcheck"\]`,
		"binary entrypoint":      `(?m)^ENTRYPOINT \["/sandbox"\]`,
	} {
		if !regexp.MustCompile(pattern).MatchString(df) {
			t.Errorf("Dockerfile lacks %s (%s)", name, pattern)
		}
	}
	// The runtime stage has no shell: nothing after the last FROM may RUN.
	last := df[strings.LastIndex(df, "\nFROM "):]
	if regexp.MustCompile(`(?m)^RUN `).MatchString(last) {
		t.Error("the runtime stage runs a command, but its image has no shell")
	}
	// The entrypoint with no arguments is the default configuration, and
	// every SANDBOX_* variable a README example passes is a real flag.
	if _, err := parseConfig(nil, envOf(map[string]string{
		"SANDBOX_AUTO_APPROVE": "BCNCUser04", "SANDBOX_BASE_URL": "http://localhost:8080",
	}), io.Discard); err != nil {
		t.Errorf("the README's container environment is refused: %v", err)
	}
}
