package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestRuntimeSettings: the sandbox sets the memory limit, GOGC and
// GOMAXPROCS it runs best with, and leaves each alone when the environment
// sets it.
func TestRuntimeSettings(t *testing.T) {
	procs, gc, limit := runtime.GOMAXPROCS(0), debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
	applyRuntimeSettings(func(string) string { return "" })
	if got := runtime.GOMAXPROCS(0); got != procsPerCPU*procs {
		t.Errorf("GOMAXPROCS %d, want %d", got, procsPerCPU*procs)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != memoryLimit {
		t.Errorf("memory limit %d, want %d", got, memoryLimit)
	}

	runtime.GOMAXPROCS(procs)
	applyRuntimeSettings(func(k string) string {
		return map[string]string{"GOMAXPROCS": "1", "GOGC": "50", "GOMEMLIMIT": "1GiB"}[k]
	})
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS set in the environment, yet changed to %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set in the environment, yet changed to %d", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set in the environment, yet the limit changed to %d", got)
	}
}
