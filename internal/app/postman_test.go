package app

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestPostmanNamesEveryRoute checks that /postman.json has a request for
// every route the router serves, so a new endpoint cannot be left out.
func TestPostmanNamesEveryRoute(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Members: 10})
	_, body := sb.get(t, "/postman.json", "")
	var coll struct {
		Variable []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"variable"`
		Item []json.RawMessage `json:"item"`
	}
	if err := json.Unmarshal(body, &coll); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, v := range coll.Variable {
		if s, ok := v.Value.(string); ok {
			vars[v.Key] = s
		}
	}
	var paths []string // "METHOD path" of every request in the collection
	var walk func([]json.RawMessage)
	walk = func(items []json.RawMessage) {
		for _, raw := range items {
			var it struct {
				Item    []json.RawMessage `json:"item"`
				Request *struct {
					Method string `json:"method"`
					URL    struct {
						Raw string `json:"raw"`
					} `json:"url"`
				} `json:"request"`
			}
			json.Unmarshal(raw, &it)
			walk(it.Item)
			if it.Request == nil {
				continue
			}
			u := it.Request.URL.Raw
			for k, v := range vars {
				u = strings.ReplaceAll(u, "{{"+k+"}}", v)
			}
			u = strings.TrimPrefix(u, sb.URL)
			u, _, _ = strings.Cut(u, "?")
			paths = append(paths, it.Request.Method+" "+u)
		}
	}
	walk(coll.Item)

	param := regexp.MustCompile(`:[^/]+`)
	routes := routesOf(t, sb.app)
	for _, r := range routes {
		// Catch-alls answer 404s and wrong methods in the FHIR error shape;
		// they are not endpoints. Any() registers every method: only the
		// ones the route serves count.
		if strings.HasSuffix(r.Path, "/*") && r.Path != "/static/*" || r.Path == "/fhir/sb/R4/patientaccess" || r.Method == "OPTIONS" ||
			strings.Contains(r.Name, "methodNotAllowed") {
			continue
		}
		pattern := "^" + param.ReplaceAllString(regexp.QuoteMeta(r.Path), `[^/]+`) + "$"
		pattern = strings.ReplaceAll(pattern, `/\*`, `/.*`)
		re := regexp.MustCompile(pattern)
		found := false
		for _, p := range paths {
			method, path, _ := strings.Cut(p, " ")
			if re.MatchString(path) && (method == r.Method || isAnyRoute(routes, r.Path)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the Postman collection has no request for %s %s", r.Method, r.Path)
		}
	}
}

// isAnyRoute reports whether path was registered for every method (the
// FHIR routes, which answer a wrong method with 405 themselves).
func isAnyRoute(routes []*echo.Route, path string) bool {
	n := 0
	for _, r := range routes {
		if r.Path == path {
			n++
		}
	}
	return n > 5
}
