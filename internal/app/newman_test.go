package app

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// npmTool finds an npm package's file: under NPM_TOOLS_DIR, where .ci/deps
// installs newman and axe-core (pinned), or for a command, on PATH.
// Without it the test skips, except under CI (CI=true), where its absence
// is a failure rather than a silent pass.
func npmTool(t *testing.T, rel, command string) string {
	t.Helper()
	skipUnderRace(t)
	if dir := os.Getenv("NPM_TOOLS_DIR"); dir != "" {
		p := filepath.Join(dir, "node_modules", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if command != "" {
		if p, err := exec.LookPath(command); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but no %s: .ci/deps must install it under NPM_TOOLS_DIR", rel)
	}
	t.Skipf("no %s (set NPM_TOOLS_DIR to where npm installed it)", rel)
	return ""
}

// newmanReport is the part of newman's JSON reporter output the test reads.
type newmanReport struct {
	Run struct {
		Stats map[string]struct {
			Total  int `json:"total"`
			Failed int `json:"failed"`
		} `json:"stats"`
		Executions []struct {
			Item struct {
				Name string `json:"name"`
			} `json:"item"`
			Response *struct {
				Code int `json:"code"`
			} `json:"response"`
			RequestError *struct {
				Message string `json:"message"`
			} `json:"requestError"`
			Assertions []struct {
				Assertion string `json:"assertion"`
				Error     *struct {
					Message string `json:"message"`
				} `json:"error"`
			} `json:"assertions"`
		} `json:"executions"`
		Failures []struct {
			Error struct {
				Message string `json:"message"`
				Test    string `json:"test"`
			} `json:"error"`
			Source struct {
				Name string `json:"name"`
			} `json:"source"`
		} `json:"failures"`
	} `json:"run"`
}

// TestNewmanRunsTheCollection runs the served Postman collection with
// newman, as the README tells a developer to, against a sandbox started
// with --auto-approve: every request is sent, in order, with no hand
// edits, and every test script in it passes.
func TestNewmanRunsTheCollection(t *testing.T) {
	newman := npmTool(t, ".bin/newman", "newman")
	sb := startSandbox(t, sandboxOptions{Run: true, AutoApprove: "BCNCUser03"})
	status, raw := sb.get(t, "/postman.json", "")
	if status != 200 {
		t.Fatalf("/postman.json: %d", status)
	}
	dir := t.TempDir()
	collection, report := filepath.Join(dir, "collection.json"), filepath.Join(dir, "report.json")
	if err := os.WriteFile(collection, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	requests := requestNames(t, raw)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, newman, "run", collection, "--reporters", "cli,json",
		"--reporter-json-export", report, "--timeout-request", "20000", "--color", "off")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("newman did not finish within 3 minutes:\n%s", out)
	}
	var rep newmanReport
	rawReport, rerr := os.ReadFile(report)
	if rerr != nil {
		t.Fatalf("newman wrote no report (%v, %v):\n%s", err, rerr, out)
	}
	if err := json.Unmarshal(rawReport, &rep); err != nil {
		t.Fatal(err)
	}

	sent := map[string]int{}
	for _, ex := range rep.Run.Executions {
		sent[ex.Item.Name]++
		// Every read reads a resource an earlier answer named (the run's
		// member, BCNCUser07, holds every type), except RelatedPerson: a
		// member's own token names none, and reading one is a 404.
		if typ, ok := strings.CutPrefix(ex.Item.Name, "Read "); ok && !strings.Contains(typ, " ") && ex.Response != nil {
			want := 200
			if typ == "RelatedPerson" {
				want = 404
			}
			if ex.Response.Code != want {
				t.Errorf("%q answered %d, want %d", ex.Item.Name, ex.Response.Code, want)
			}
		}
		if ex.RequestError != nil {
			t.Errorf("%q was not sent: %s", ex.Item.Name, ex.RequestError.Message)
		}
		if ex.Response == nil {
			t.Errorf("%q got no response", ex.Item.Name)
		}
		for _, a := range ex.Assertions {
			if a.Error != nil {
				t.Errorf("%q: %s: %s", ex.Item.Name, a.Assertion, a.Error.Message)
			}
		}
	}
	for _, name := range requests {
		if sent[name] != 1 {
			t.Errorf("%q was sent %d times, want once", name, sent[name])
		}
	}
	stats := rep.Run.Stats
	if stats["requests"].Total != len(requests) || stats["requests"].Failed != 0 {
		t.Errorf("newman sent %d requests (%d failed); the collection has %d", stats["requests"].Total, stats["requests"].Failed, len(requests))
	}
	if stats["assertions"].Failed != 0 || stats["testScripts"].Failed != 0 || stats["prerequestScripts"].Failed != 0 {
		t.Errorf("newman: %d of %d assertions failed, %d test scripts failed", stats["assertions"].Failed, stats["assertions"].Total, stats["testScripts"].Failed)
	}
	if stats["assertions"].Total < len(requests) {
		t.Errorf("only %d assertions for %d requests: every request must check its answer", stats["assertions"].Total, len(requests))
	}
	for _, f := range rep.Run.Failures {
		t.Errorf("newman failure in %q: %s %s", f.Source.Name, f.Error.Test, f.Error.Message)
	}
	if err != nil || t.Failed() {
		t.Logf("newman (%v):\n%s", err, out)
	}
}

// requestNames lists the names of the collection's requests, in order.
func requestNames(t *testing.T, raw []byte) []string {
	t.Helper()
	type item struct {
		Name    string          `json:"name"`
		Item    []item          `json:"item"`
		Request json.RawMessage `json:"request"`
	}
	var c struct {
		Item []item `json:"item"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func([]item)
	walk = func(items []item) {
		for _, it := range items {
			walk(it.Item)
			if len(it.Request) > 0 && !strings.EqualFold(string(it.Request), "null") {
				names = append(names, it.Name)
			}
		}
	}
	walk(c.Item)
	return names
}
