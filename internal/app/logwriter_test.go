package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// recordingWriter keeps each Write call separately.
type recordingWriter struct {
	mu     sync.Mutex
	writes []string
	err    error
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	return len(p), w.err
}

func (w *recordingWriter) calls() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.writes...)
}

// TestLogWriterBatches: lines wait at most logFlushDelay and go out
// together in one write; a full batch goes out at once; Close writes what
// is left, and lines after Close go straight through.
func TestLogWriterBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec recordingWriter
		l := newLogWriter(&rec)
		l.Write([]byte("one\n"))
		l.Write([]byte("two\n"))
		time.Sleep(logFlushDelay - time.Millisecond)
		if got := rec.calls(); len(got) != 0 {
			t.Fatalf("written before the delay: %q", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := rec.calls(); len(got) != 1 || got[0] != "one\ntwo\n" {
			t.Fatalf("after the delay: %q, want one write of both lines", got)
		}

		big := strings.Repeat("x", logBatchBytes-4) + "\n"
		l.Write([]byte("three\n"))
		l.Write([]byte(big)) // does not fit beside "three": the batch goes first
		if got := rec.calls(); len(got) != 2 || got[1] != "three\n" {
			t.Fatalf("a full batch waited: %d writes", len(got))
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if got := rec.calls(); len(got) != 3 || got[2] != big {
			t.Fatalf("Close did not write the rest: %d writes", len(got))
		}
		l.Write([]byte("after\n"))
		if got := rec.calls(); len(got) != 4 || got[3] != "after\n" {
			t.Fatalf("a line after Close waited: %q", got[len(got)-1])
		}
		time.Sleep(time.Second) // no timer is left to fire
		synctest.Wait()
		if got := rec.calls(); len(got) != 4 {
			t.Fatalf("a write after Close: %d writes", len(got))
		}
	})
}

// TestLogWriterReportsErrors: a failed write of a batch is what Close says.
func TestLogWriterReportsErrors(t *testing.T) {
	rec := recordingWriter{err: errors.New("disk full")}
	l := newLogWriter(&rec)
	l.Write([]byte("line\n"))
	if err := l.Close(); err == nil || err.Error() != "disk full" {
		t.Fatalf("Close: %v, want the write's error", err)
	}
}

// TestLogWriterKeepsLinesWhole: lines from many goroutines all arrive, in
// each goroutine's order, none split or interleaved with another.
func TestLogWriterKeepsLinesWhole(t *testing.T) {
	var rec recordingWriter
	l := newLogWriter(&rec)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(l, "writer=%d line=%d %s\n", g, i, strings.Repeat("y", i%300))
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	all := strings.Join(rec.calls(), "")
	for _, line := range strings.Split(strings.TrimSuffix(all, "\n"), "\n") {
		var g, i int
		if _, err := fmt.Sscanf(line, "writer=%d line=%d", &g, &i); err != nil {
			t.Fatalf("a broken line %q: %v", line, err)
		}
		if g < 0 || g >= writers || i != next[g] || strings.Count(line, "y") != i%300 {
			t.Fatalf("line %q out of order or cut (want line %d of writer %d)", line, next[g], g)
		}
		next[g]++
	}
	for g, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d lines arrived, want %d", g, n, lines)
		}
	}
}
