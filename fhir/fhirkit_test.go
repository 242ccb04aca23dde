package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/labstack/echo/v4"
)

// TestFHIRKitClient pages through the docs' 148 claims with a third-party
// FHIR client, fhir-kit-client on Node, following its nextPage helper over
// a real HTTP server. It needs node and the npm package installed from
// testdata/fhirkit/package.json; FHIRKIT_DIR names the directory holding
// that node_modules (npm ci --prefix "$FHIRKIT_DIR" testdata/fhirkit).
// Without it the test is skipped, and says so: it is an interop check for
// CI, not a substitute for TestWalkNext.
func TestFHIRKitClient(t *testing.T) {
	dir := os.Getenv("FHIRKIT_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but FHIRKIT_DIR or node is missing: .ci/run installs fhir-kit-client and sets FHIRKIT_DIR")
		}
		t.Skip("set FHIRKIT_DIR to a directory with fhir-kit-client installed, and have node on PATH")
	}
	cat := fixtures.NewCatalog(1, 0)
	api, err := New(Config{
		BaseURL:    func(r *http.Request) string { return "http://" + r.Host },
		IssuerPath: "/fhirmember/sps/oauth/oauth20",
		Authorize: func(_ context.Context, bearer string) (Grant, error) {
			if bearer != "kit" {
				return Grant{}, errors.New("unknown token")
			}
			return Grant{Patient: memberMany, Scopes: []string{"patient/*.read"}}, nil
		},
		Members: cat.Member,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	api.Register(e.Group(BasePath))
	srv := httptest.NewServer(e)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script, err := filepath.Abs(filepath.Join("testdata", "fhirkit", "walk.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, node, script, srv.URL+BasePath, "kit", dir).Output()
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
	if got.Total != 148 || len(seen) != 148 || got.Pages != 15 {
		t.Fatalf("fhir-kit-client walked %d ids in %d pages, total %d", len(seen), got.Pages, got.Total)
	}
	types := map[string]int{}
	for id := range seen {
		types[id[:strings.IndexByte(id, '-')]]++
	}
	if types["carrier"] != 44 || types["inpatient"] != 1 || types["pde"] != 103 {
		t.Errorf("claim types %v", types)
	}
}
