// Command sandbox serves a local emulation of the Blue Cross and Blue Shield
// of North Carolina Patient Access API sandbox: its SMART-on-FHIR
// authorization server and consent screens, and its FHIR R4 API over
// deterministic synthetic members. See README.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
)

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT sets
// one: the caches are bounded, so what grows past it is garbage, and
// collecting it sooner keeps a CI container small (issue 6: 64 MB).
const memoryLimit = 48 << 20

// gcPercent is GOGC unless the environment sets it. The live heap is small
// (a few MB beside the bounded caches) and the memory limit caps the whole,
// so the collector need not run each time the heap doubles: at Go's default
// of 100 it ran about 20 times a second under load, and 400 served 2-12%
// more cached search pages in interleaved runs (issue 6).
const gcPercent = 400

// procsPerCPU sets GOMAXPROCS, unless the environment does, to this many
// times the CPUs the runtime found (which respects a container's CPU
// limit). Half of a cached page's cost is write(2) on the socket, and a
// thread in a system call keeps its P until the runtime's monitor takes it
// back (20 µs at the soonest); with a spare P another request runs
// meanwhile. On the 2-core bench
// machine, 4 Ps against 2 served 7-11% more pages with a quarter lower
// p99, for bare net/http as for the sandbox (issue 6).
const procsPerCPU = 2

func main() {
	applyRuntimeSettings(os.Getenv)
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:], os.Getenv, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

// applyRuntimeSettings sets the memory limit, GOGC and GOMAXPROCS the
// sandbox runs best with, each unless the environment sets its own.
func applyRuntimeSettings(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(procsPerCPU * runtime.GOMAXPROCS(0))
	}
}

// shutdownGrace bounds how long in-flight requests may run after SIGTERM.
const shutdownGrace = 10 * time.Second

// run serves until ctx is done, then drains in-flight requests. It prints
// the banner to stdout and the request log to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	logs := newLogWriter(stderr)
	defer logs.Close()
	logger := newLogger(cfg.LogFormat, logs)
	app, err := newApp(cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := newHTTPServer(app.handler, logger.Logger)
	if cfg.tlsEnabled() {
		tc, err := tlsConfig(cfg)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = tc
		ln = tls.NewListener(ln, tc)
	}
	printBanner(stdout, cfg, app, listenURL(ln.Addr(), cfg))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newHTTPServer sets the limits that keep slow or greedy clients from
// holding the server: a slowloris cannot dribble headers for ever, nor a
// client keep an idle connection for long.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// listenURL is the URL people should open: the --base-url when set, else the
// listen address with "localhost" for an unspecified host.
func listenURL(addr net.Addr, cfg config) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL
	}
	scheme := "http"
	if cfg.tlsEnabled() {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// healthcheck is the container's HEALTHCHECK: it asks /health of the server
// on this machine, so the runtime image needs no shell or curl.
func healthcheck(args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return 2
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	scheme := "http"
	client := &http.Client{Timeout: 3 * time.Second}
	if cfg.tlsEnabled() {
		scheme = "https"
		// The server's own certificate may be self-signed; this probe only
		// asks whether it answers, on loopback.
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	resp, err := client.Get(scheme + "://127.0.0.1:" + port + "/health")
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}
