package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// slogRequestLine is the line slog's own handler writes for a request: the
// reference the hand-built line must match byte for byte.
func slogRequestLine(t testing.TB, json bool, at time.Time, method, path string, status int, size int64, took time.Duration) string {
	t.Helper()
	var b bytes.Buffer
	var h slog.Handler = slog.NewTextHandler(&b, nil)
	if json {
		h = slog.NewJSONHandler(&b, nil)
	}
	rec := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	rec.AddAttrs(slog.String("method", method), slog.String("path", path), slog.Int("status", status),
		slog.Int64("bytes", size), slog.Duration("took", took))
	if err := h.Handle(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// loggedRequestLine is what serverLog.request writes for the same request.
func loggedRequestLine(json bool, at time.Time, method, path string, status int, size int64, took time.Duration) string {
	format := "text"
	if json {
		format = "json"
	}
	var b bytes.Buffer
	newLogger(format, &b).request(context.Background(), at, method, path, status, size, took)
	return b.String()
}

// TestRequestLineMatchesSlog: the request log's hand-built line is byte for
// byte the line slog writes, in both formats, and anything slog would
// escape or quote goes to slog itself.
func TestRequestLineMatchesSlog(t *testing.T) {
	utc := time.Date(2026, 11, 27, 17, 15, 43, 818083361, time.UTC)
	east := time.FixedZone("", 5*3600+30*60)
	cases := []struct {
		name         string
		at           time.Time
		method, path string
		status       int
		size         int64
		took         time.Duration
		plain        bool
	}{
		{"search", utc, "GET", "/fhir/sb/R4/patientaccess/ExplanationOfBenefit", 200, 49456, 36838 * time.Nanosecond, true},
		{"offset zone, same second", utc.In(east), "OPTIONS", "/fhir/sb/R4/patientaccess/Patient/-20140000000024", 204, 0, 0, true},
		{"same second, trailing zeros", utc.Truncate(time.Second).Add(120 * time.Millisecond), "GET", "/health", 200, 15, 0, true},
		{"same second, one nanosecond", utc.Truncate(time.Second).Add(1), "GET", "/health", 200, 15, 0, true},
		{"whole second", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "POST", "/fhirmember/sps/oauth/oauth20/token", 400, 0, 2 * time.Millisecond, true},
		{"millisecond rounding", time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC), "GET", "/health", 200, 15, time.Second + 5*time.Nanosecond, true},
		{"local time", utc.Local(), "HEAD", "/", 404, -1, 90 * time.Minute, true},
		{"odd but plain", utc, "PROPFIND", "/a-b_c.d~e!$&'()*+,;:@%25/[]{}|^`", 599, 1 << 40, 1, true},
		{"space", utc, "GET", "/a b", 404, 10, time.Microsecond, false},
		{"quote", utc, "GET", `/a"b`, 404, 10, time.Microsecond, false},
		{"backslash", utc, "GET", `/a\b`, 404, 10, time.Microsecond, false},
		{"equals", utc, "GET", "/a=b", 404, 10, time.Microsecond, false},
		{"control", utc, "GET", "/a\x00\nb\tc\x7f", 404, 10, time.Microsecond, false},
		{"unicode", utc, "GET", "/ünïcode\u2028", 404, 10, time.Microsecond, false},
		{"invalid utf-8", utc, "GET", "/\xff\xfe", 404, 10, time.Microsecond, false},
		{"truncated", utc, "GET", truncate(strings.Repeat("/x", 150), 200), 404, 10, time.Microsecond, false},
		{"empty", utc, "", "", 0, 0, 0, false},
	}
	for _, tc := range cases {
		for _, json := range []bool{false, true} {
			name := tc.name + "/text"
			if json {
				name = tc.name + "/json"
			}
			t.Run(name, func(t *testing.T) {
				_, plain := appendRequestLine(nil, json, tc.at, tc.method, tc.path, tc.status, tc.size, tc.took)
				if plain != tc.plain {
					t.Errorf("hand-built: %v, want %v", plain, tc.plain)
				}
				want := slogRequestLine(t, json, tc.at, tc.method, tc.path, tc.status, tc.size, tc.took)
				if got := loggedRequestLine(json, tc.at, tc.method, tc.path, tc.status, tc.size, tc.took); got != want {
					t.Errorf("logged\n%q\nslog writes\n%q", got, want)
				}
			})
		}
	}
}

// FuzzRequestLine: for any request, the line logged is the line slog writes.
func FuzzRequestLine(f *testing.F) {
	f.Add("GET", "/fhir/sb/R4/patientaccess/Patient", 200, int64(1234), int64(5678), int64(1795000000123456789), 0)
	f.Add("POST", "/a b=\"c\\", 500, int64(-1), int64(0), int64(0), 3600)
	f.Add("GET", "/\xff\u2028", 404, int64(1), int64(1), int64(1), -19800)
	f.Fuzz(func(t *testing.T, method, path string, status int, size, took, unixNano int64, offset int) {
		at := time.Unix(0, unixNano).In(time.FixedZone("", offset%86400))
		if y := at.Year(); y < 0 || y > 9999 {
			return // slog's JSON handler writes an error there; the server's clock never gets near
		}
		for _, json := range []bool{false, true} {
			want := slogRequestLine(t, json, at, method, path, status, size, time.Duration(took))
			if got := loggedRequestLine(json, at, method, path, status, size, time.Duration(took)); got != want {
				t.Fatalf("json=%v: logged\n%q\nslog writes\n%q", json, got, want)
			}
		}
	})
}

// BenchmarkRequestLine is the request log's cost per request: the line
// built by hand and added to a batch.
func BenchmarkRequestLine(b *testing.B) {
	for _, format := range []string{"text", "json"} {
		b.Run(format, func(b *testing.B) {
			l := newLogger(format, newLogWriter(io.Discard))
			at := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				l.request(context.Background(), at, "GET", "/fhir/sb/R4/patientaccess/ExplanationOfBenefit", 200, 49456, 36838)
			}
		})
	}
}
