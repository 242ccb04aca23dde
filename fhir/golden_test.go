package fhir

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestGolden pins a few whole responses byte for byte (status and body).
func TestGolden(t *testing.T) {
	cases := []struct {
		file    string
		profile profile.Profile
		rq      request
	}{
		{"metadata.json", profile.BCBSNC, get("/metadata", "")},
		{"eob-inpatient-bundle.json", profile.BCBSNC, get("/ExplanationOfBenefit/?type=inpatient&_format=json", "v1-all")},
		{"eob-empty-page.json", profile.BCBSNC, get("/ExplanationOfBenefit?type=carrier&startIndex=100&_count=20", "v1-all")},
		{"relatedperson.json", profile.BCBSNC, get("/RelatedPerson/"+testRepID, "representative")},
		{"type-error-bcbsnc.json", profile.BCBSNC, get("/ExplanationOfBenefit?type=Carrier", "v1-all")},
		{"not-found-strict.json", profile.Strict, get("/Patient/"+memberRich, "v1-all")},
		{"unauthorized-strict.json", profile.Strict, get("/Patient/"+memberMany, "")},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			w := do(t, testAPI(t, tc.profile), tc.rq)
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, w.Body.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			got := append(fmt.Appendf(nil, "HTTP %d\n", w.Code), pretty.Bytes()...)
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file:\n%s", tc.file, got)
			}
		})
	}
}
