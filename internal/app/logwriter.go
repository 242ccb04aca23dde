package app

import (
	"io"
	"sync"
	"time"
)

const (
	// logFlushDelay is the longest a log line waits before it is written:
	// short enough that a person tailing the log sees each request as it
	// happens.
	logFlushDelay = 50 * time.Millisecond
	// logBatchBytes is the most a batch holds before it is written at once.
	logBatchBytes = 32 << 10
)

// logWriter gathers log lines into batches, written with one call each.
// The request log writes a line per request, and a write(2) per line was a
// tenth of what a cached search page cost the server under load
// (nginx's access_log buffer= does the same). A line reaches the underlying
// writer at most logFlushDelay after it was written, at once when the batch
// is full, and on Close; lines keep their order. It is safe for concurrent
// use, as slog's handlers require of their writer.
type logWriter struct {
	mu     sync.Mutex // guards every field below and orders the writes to w
	w      io.Writer
	buf    []byte
	timer  *time.Timer // flushes the batch logFlushDelay after its first line
	armed  bool        // the timer will fire for the current batch
	closed bool        // Close ran: lines go straight to w
	err    error       // the first error w returned
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w}
	l.timer = time.AfterFunc(time.Hour, l.flush)
	l.timer.Stop()
	return l
}

// Write adds p to the batch. p is copied, so the caller may reuse it.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) > logBatchBytes {
		l.writeBatch()
	}
	l.buf = append(l.buf, p...)
	if !l.armed {
		l.armed = true
		l.timer.Reset(logFlushDelay)
	}
	return len(p), nil
}

// flush writes the batch; the timer calls it.
func (l *logWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writeBatch()
}

// writeBatch writes what is buffered. l.mu must be held.
func (l *logWriter) writeBatch() {
	l.armed = false
	if len(l.buf) == 0 {
		return
	}
	if _, err := l.w.Write(l.buf); err != nil && l.err == nil {
		l.err = err
	}
	// Keep the buffer unless one huge line grew it: a batch stays small.
	if cap(l.buf) > 2*logBatchBytes {
		l.buf = nil
	} else {
		l.buf = l.buf[:0]
	}
}

// Close writes what is buffered and makes later lines go straight through,
// so nothing logged while the server shuts down is lost. It returns the
// first error the underlying writer returned.
func (l *logWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer.Stop()
	l.writeBatch()
	l.closed = true
	return l.err
}
