package app

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// serverLog is the server's log: slog for messages, and one line per
// request written by hand in the same format. Both go through one writer
// that is safe for concurrent use, so lines never interleave.
type serverLog struct {
	*slog.Logger
	json bool
	out  io.Writer
}

// newLogger logs to w in slog's "text" or "json" format. A *logWriter is
// safe for concurrent use already; any other writer gets a lock, because
// the request lines bypass the slog handler's own.
func newLogger(format string, w io.Writer) *serverLog {
	if _, ok := w.(*logWriter); !ok {
		w = &lockedWriter{w: w}
	}
	l := &serverLog{json: format == "json", out: w}
	if l.json {
		l.Logger = slog.New(slog.NewJSONHandler(w, nil))
	} else {
		l.Logger = slog.New(slog.NewTextHandler(w, nil))
	}
	return l
}

// lockedWriter makes a writer safe for concurrent Writes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// requestLog writes one line per request. It logs the path but never the
// query or headers, where codes, tokens and passwords travel.
func requestLog(log *serverLog) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req, res := c.Request(), c.Response()
			end := time.Now()
			log.request(req.Context(), end, req.Method, truncate(req.URL.Path, 200), res.Status, res.Size, end.Sub(start))
			return nil
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// request writes the line for one request, as slog would write the record
// {at, INFO, "request", method, path, status, bytes, took}.
func (l *serverLog) request(ctx context.Context, at time.Time, method, path string, status int, size int64, took time.Duration) {
	buf := lineBuffers.Get().(*[]byte)
	defer lineBuffers.Put(buf)
	if line, ok := appendRequestLine((*buf)[:0], l.json, at, method, path, status, size, took); ok {
		*buf = line
		_, _ = l.out.Write(line)
		return
	}
	// A string needs escaping or quoting: slog knows its own rules. The
	// record is built here rather than by Logger.LogAttrs, which would walk
	// the stack for a source position the handler never prints.
	rec := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	rec.AddAttrs(requestAttrs(method, path, status, size, took)...)
	if h := l.Handler(); h.Enabled(ctx, slog.LevelInfo) {
		_ = h.Handle(ctx, rec)
	}
}

func requestAttrs(method, path string, status int, size int64, took time.Duration) []slog.Attr {
	return []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int64("bytes", size),
		slog.Duration("took", took),
	}
}

// appendRequestLine appends the request's line exactly as slog's JSON or
// text handler (with default options) writes it, or reports false when
// method or path has a byte either format would escape or quote. slog's
// generic path (a Record, a stack walk, a walk over the attributes) cost
// more than a microsecond of every cached search page;
// TestRequestLineMatchesSlog and FuzzRequestLine hold this to slog's bytes.
func appendRequestLine(dst []byte, json bool, at time.Time, method, path string, status int, size int64, took time.Duration) ([]byte, bool) {
	if !plainLogString(method) || !plainLogString(path) {
		return dst, false
	}
	if json {
		dst = append(dst, `{"time":"`...)
		dst = appendRFC3339Nano(dst, at)
		dst = append(dst, `","level":"INFO","msg":"request","method":"`...)
		dst = append(dst, method...)
		dst = append(dst, `","path":"`...)
		dst = append(dst, path...)
		dst = append(dst, `","status":`...)
		dst = strconv.AppendInt(dst, int64(status), 10)
		dst = append(dst, `,"bytes":`...)
		dst = strconv.AppendInt(dst, size, 10)
		dst = append(dst, `,"took":`...)
		dst = strconv.AppendInt(dst, int64(took), 10) // nanoseconds, as json.Marshal writes a Duration
		return append(dst, "}\n"...), true
	}
	dst = append(dst, "time="...)
	dst = appendRFC3339Millis(dst, at)
	dst = append(dst, " level=INFO msg=request method="...)
	dst = append(dst, method...)
	dst = append(dst, " path="...)
	dst = append(dst, path...)
	dst = append(dst, " status="...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, " bytes="...)
	dst = strconv.AppendInt(dst, size, 10)
	dst = append(dst, " took="...)
	dst = append(dst, took.String()...)
	return append(dst, '\n'), true
}

// plainLogString reports whether s is written as it is by both of slog's
// handlers: not empty, printable ASCII, and none of the bytes the JSON
// handler escapes (", \) or the text handler quotes (space, =).
func plainLogString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f, c == '"', c == '\\', c == '=':
			return false
		}
	}
	return true
}

// appendRFC3339Nano writes t as slog's JSON handler does, time.RFC3339Nano,
// from the second's cached text: the nanoseconds with their trailing zeros
// trimmed, and no fraction at all on a whole second.
func appendRFC3339Nano(dst []byte, t time.Time) []byte {
	s := stampOf(t)
	dst = append(dst, s.second...)
	if ns := t.Nanosecond(); ns != 0 {
		dst = append(dst, '.')
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		dst = appendDigits(dst, ns, digits)
	}
	return append(dst, s.zone...)
}

// appendRFC3339Millis writes t as slog's text handler does: RFC 3339 with
// exactly three digits of milliseconds, truncated.
func appendRFC3339Millis(dst []byte, t time.Time) []byte {
	s := stampOf(t)
	dst = append(dst, s.second...)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond()/int(time.Millisecond), 3)
	return append(dst, s.zone...)
}

// appendDigits writes n in exactly width digits, zero-padded.
func appendDigits(dst []byte, n, width int) []byte {
	var b [9]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// secondStamp is the text of one second of one time zone: the date and time
// to the second ("2006-01-02T15:04:05") and the zone ("Z" or "-07:00").
// Formatting them was most of a request line's cost; a busy server logs
// thousands of lines in each second, so the last second's text is kept.
type secondStamp struct {
	unix         int64
	loc          *time.Location
	second, zone []byte
}

var lastStamp atomic.Pointer[secondStamp]

func stampOf(t time.Time) *secondStamp {
	if s := lastStamp.Load(); s != nil && s.unix == t.Unix() && s.loc == t.Location() {
		return s
	}
	s := &secondStamp{
		unix:   t.Unix(),
		loc:    t.Location(),
		second: t.AppendFormat(nil, "2006-01-02T15:04:05"),
		zone:   t.AppendFormat(nil, "Z07:00"),
	}
	lastStamp.Store(s)
	return s
}
