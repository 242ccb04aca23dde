package fhir

import "testing"

// TestEveryPathParameterHasPaths: a parameter that reads JSON paths and
// has none would match nothing, silently.
func TestEveryPathParameterHasPaths(t *testing.T) {
	n := 0
	for typ, params := range genericParamsOf {
		for _, p := range params {
			n++
			if len(searchPaths[typ+"."+p.Name]) == 0 {
				t.Errorf("%s?%s reads JSON paths but searchPaths has none", typ, p.Name)
			}
		}
	}
	if n == 0 {
		t.Fatal("no parameter reads JSON paths")
	}
}
