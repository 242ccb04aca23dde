package generator

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// memberJSON renders a member as one pretty JSON document: its account
// fields and every resource in order.
func memberJSON(t *testing.T, m *Member) []byte {
	t.Helper()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"patientId":%q,"username":%q,"password":%q,"givenName":%q,"familyName":%q,"email":%q,"birthDate":%q,"created":%q,"resources":[`,
		m.PatientID, m.Username, m.Password, m.GivenName, m.FamilyName, m.Email, m.BirthDate, m.Created)
	for i, r := range m.Resources {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(r.JSON)
	}
	buf.WriteString("]}")
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// summaryLine is one member's line of testdata/summary.txt: id, name,
// resource counts by type (EOBs by claim type) and the SHA-256 of all of
// its JSON.
func summaryLine(m *Member) string {
	counts := map[string]int{}
	h := sha256.New()
	for _, r := range m.Resources {
		key := r.Type
		if r.ClaimType != "" {
			key = "eob:" + r.ClaimType
		}
		counts[key]++
		h.Write(r.JSON)
		h.Write([]byte{'\n'})
	}
	keys := []string{"Patient", "Coverage"}
	for _, t := range append(slices.Clone(ClaimTypes), ClaimTypeOral) {
		keys = append(keys, "eob:"+t)
	}
	keys = append(keys, clinicalTypes...)
	keys = append(keys, "Practitioner", "Organization")
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return fmt.Sprintf("%s %s %s %s %x", m.PatientID, m.GivenName, m.FamilyName, strings.Join(parts, " "), h.Sum(nil))
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	zipped := strings.HasSuffix(name, ".gz") // a large golden is kept gzip'd
	if *update {
		data := got
		if zipped {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(got)
			zw.Close()
			data = buf.Bytes()
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if zipped {
		zr, err := gzip.NewReader(bytes.NewReader(want))
		if err != nil {
			t.Fatal(err)
		}
		if want, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestGoldenMembers pins seed 1's members 7 and 8 in full (gzip'd: member 7
// holds every type and is some 2.5 MB of JSON).
func TestGoldenMembers(t *testing.T) {
	g := New(1)
	for _, n := range []int{7, 8} {
		checkGolden(t, fmt.Sprintf("member-%d.json.gz", n), memberJSON(t, g.Build(Spec{Number: n})))
	}
}

// TestGoldenSummary pins seed 1's members 7..506 by a summary line each.
func TestGoldenSummary(t *testing.T) {
	g := New(1)
	var buf bytes.Buffer
	for n := 7; n <= 506; n++ {
		buf.WriteString(summaryLine(g.Build(Spec{Number: n})))
		buf.WriteByte('\n')
	}
	checkGolden(t, "summary.txt", buf.Bytes())
}
