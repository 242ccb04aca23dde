// Command sandbox serves a local emulation of the Blue Cross and Blue Shield
// of North Carolina Patient Access API sandbox: its SMART-on-FHIR
// authorization server and consent screens, and its FHIR R4 API over
// deterministic synthetic members. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/bcbsnc-sandbox/sandbox/internal/app"
)

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT sets
// one: the caches are bounded, so what grows past it is garbage, and
// collecting it sooner keeps a CI container small (64 MB is the README's memory figure).
const memoryLimit = 48 << 20

// gcPercent is GOGC unless the environment sets it. The live heap is small
// (a few MB beside the bounded caches) and the memory limit caps the whole,
// so the collector need not run each time the heap doubles: at Go's default
// of 100 it ran about 20 times a second under load, and 400 served 2-12%
// more cached search pages in interleaved runs.
const gcPercent = 400

// procsPerCPU sets GOMAXPROCS, unless the environment does, to this many
// times the CPUs the runtime found (which respects a container's CPU
// limit). Half of a cached page's cost is write(2) on the socket, and a
// thread in a system call keeps its P until the runtime's monitor takes it
// back (20 µs at the soonest); with a spare P another request runs
// meanwhile. On the 2-core bench
// machine, 4 Ps against 2 served 7-11% more pages with a quarter lower
// p99, for bare net/http as for the sandbox.
const procsPerCPU = 2

func main() {
	applyRuntimeSettings(os.Getenv)
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(app.Healthcheck(os.Args[2:], os.Getenv, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, app.ErrUsage):
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
