package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestFHIRKitClientInAWorkspace pages through a workspace's EOBs with the
// third-party FHIR client fhir-kit-client on Node, over a real socket: the
// docs' 148 claims of BCNCUser04 plus one the workspace added, following
// nextPage through links under the workspace's FHIR base. It needs node and
// fhir-kit-client installed where FHIRKIT_DIR says (.ci/deps); without them
// it skips, except under CI=true, where it fails.
func TestFHIRKitClientInAWorkspace(t *testing.T) {
	dir := os.Getenv("FHIRKIT_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but FHIRKIT_DIR or node is missing: .ci/run installs fhir-kit-client and sets FHIRKIT_DIR")
		}
		t.Skip("set FHIRKIT_DIR to a directory with fhir-kit-client installed, and have node on PATH")
	}
	sb := startSandbox(t, sandboxOptions{Run: true})
	ws := sb.inWorkspace("kit-suite")
	if status, body := ws.controlPost(t, "/sandbox/members/-20140000000024/claims", `{"type": "carrier"}`); status != http.StatusCreated {
		t.Fatalf("adding a claim: %d %s", status, body)
	}
	tok := ws.mint(t, mintBody("BCNCUser04"))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("..", "..", "fhir", "testdata", "fhirkit", "walk.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, node, script, sb.URL+"/w/kit-suite"+fhirPath, tok.AccessToken, dir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got struct {
		Total, Pages int
		IDs          []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	seen := map[string]bool{}
	for _, id := range got.IDs {
		if seen[id] {
			t.Fatalf("%s twice", id)
		}
		seen[id] = true
	}
	if got.Total != 149 || len(seen) != 149 || got.Pages != 15 {
		t.Errorf("fhir-kit-client walked %d ids in %d pages, total %d; want the docs' 148 and the workspace's one in 15 pages", len(seen), got.Pages, got.Total)
	}
	root := sb.mint(t, mintBody("BCNCUser04"))
	if n := sb.eobTotal(t, root.AccessToken); n != 148 {
		t.Errorf("the root serves %d EOBs, want the docs' 148: the workspace's claim is its own", n)
	}
}
