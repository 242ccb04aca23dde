package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/representative"
)

// Each fact the sandbox states in more than one place has one home; these
// tests run the wired sandbox and fail when what one package serves drifts
// from that home: the FHIR route table (fhir.Types), the claim types
// (generator.ClaimTypes) and the representative relationships
// (package representative).

// startFactsSandbox serves a sandbox that auto-approves as BCNCUser03 (or
// the login_hint) on a loopback port, and returns the router such a
// sandbox builds, for its route list.
func startFactsSandbox(t *testing.T) (*sandbox, *echo.Echo) {
	t.Helper()
	o := sandboxOptions{Members: 10, AutoApprove: "BCNCUser03"}
	routes := startSandbox(t, o).app.handler.(*echo.Echo)
	o.Run = true
	return startSandbox(t, o), routes
}

// grantFor runs an auto-approved authorization as user asking for scope and
// redeems the code.
func grantFor(t *testing.T, base, user, scope string) tokenResponse {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {scope}, "state": {"facts-0123456789"}, "login_hint": {user}}
	resp, err := c.Get(base + issuerPath + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	status, tok := endpoint{URL: base, client: &http.Client{CheckRedirect: noRedirect}}.docsTokenCall(t, codeFrom(t, loc, "facts-0123456789"), docsRedir)
	if status != http.StatusOK {
		t.Fatalf("token for %q: %d %+v", scope, status, tok)
	}
	return tok
}

// fhirDo sends one FHIR request with strict handling, so an unknown search
// parameter is a 400 rather than ignored (R4 Search, "Handling Errors").
func fhirDo(t *testing.T, method, rawURL, token string, form url.Values) (int, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Prefer", "handling=strict")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func getJSONDoc(t *testing.T, rawURL string, into any) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", rawURL, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
}

func routeTypeNames() []string {
	var out []string
	for _, ti := range fhir.Types() {
		out = append(out, ti.Name)
	}
	return out
}

// TestAdvertisedScopesAreTheRouteTable: both discovery documents and the
// SMART configuration advertise patient/{T}.read and patient/{T}.rs for
// exactly the route table's types.
func TestAdvertisedScopesAreTheRouteTable(t *testing.T) {
	srv, _ := startFactsSandbox(t)
	want := map[string]bool{}
	for _, name := range routeTypeNames() {
		want["patient/"+name+".read"], want["patient/"+name+".rs"] = true, true
	}
	for _, doc := range []string{
		"/.well-known/openid-configuration",
		issuerPath + "/.well-known/openid-configuration",
		fhirPath + "/.well-known/smart-configuration",
	} {
		t.Run(doc, func(t *testing.T) {
			var d struct {
				Scopes []string `json:"scopes_supported"`
			}
			getJSONDoc(t, srv.URL+doc, &d)
			got := map[string]bool{}
			for _, s := range d.Scopes {
				if rest, ok := strings.CutPrefix(s, "patient/"); ok && !strings.HasPrefix(rest, "*.") {
					got[s] = true
				}
			}
			for s := range want {
				if !got[s] {
					t.Errorf("%s is served but not advertised", s)
				}
			}
			for s := range got {
				if !want[s] {
					t.Errorf("%s is advertised but its type is not served", s)
				}
			}
		})
	}
}

// TestEveryRouteTypeIsGrantable: patient/{T}.read and patient/{T}.rs are
// granted for every type of the route table, and the FHIR API lets the
// grant through to that type.
func TestEveryRouteTypeIsGrantable(t *testing.T) {
	srv, _ := startFactsSandbox(t)
	for _, ti := range fhir.Types() {
		t.Run(ti.Name, func(t *testing.T) {
			asked := []string{"patient/" + ti.Name + ".read", "patient/" + ti.Name + ".rs"}
			tok := grantFor(t, srv.URL, "BCNCUser03", "openid "+strings.Join(asked, " "))
			granted := strings.Fields(tok.Scope)
			for _, s := range asked {
				if !slices.Contains(granted, s) {
					t.Errorf("asked %s, granted %q", s, tok.Scope)
				}
			}
			// The FHIR API takes the grant for this type: a search answers
			// 200, a read of an unknown id 404, never 401 or 403.
			target, want := srv.URL+fhirPath+"/"+ti.Name+"/no-such-id", http.StatusNotFound
			if len(ti.Params) > 0 {
				target, want = srv.URL+fhirPath+"/"+ti.Name, http.StatusOK
			}
			if status, body := fhirDo(t, http.MethodGet, target, tok.AccessToken, nil); status != want {
				t.Errorf("GET %s with %s: %d %s, want %d", target, tok.Scope, status, body, want)
			}
		})
	}
}

// TestCapabilityStatementIsTheRoutes: the running server's
// CapabilityStatement lists the route table's types and search parameters
// in order; each listed type has a read route, a search route exactly when
// search-type is listed, and no other type has a route; each listed
// parameter is known to the strict search.
func TestCapabilityStatementIsTheRoutes(t *testing.T) {
	srv, e := startFactsSandbox(t)
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type        string
				Interaction []struct{ Code string }
				SearchParam []struct{ Name string }
			}
		}
	}
	getJSONDoc(t, srv.URL+fhirPath+"/metadata", &cs)
	types := fhir.Types()
	listed := cs.Rest[0].Resource
	if len(listed) != len(types) {
		t.Fatalf("metadata lists %d types, the route table has %d", len(listed), len(types))
	}
	routes := map[string]bool{}
	for _, r := range e.Routes() {
		if rest, ok := strings.CutPrefix(r.Path, fhirPath+"/"); ok {
			routes[rest] = true
		}
	}
	tok := grantFor(t, srv.URL, "BCNCUser03", "openid patient/*.read")
	for i, r := range listed {
		ti := types[i]
		var names []string
		for _, p := range r.SearchParam {
			names = append(names, p.Name)
		}
		var want []string
		for _, p := range ti.Params {
			want = append(want, p.Name)
		}
		if r.Type != ti.Name || !slices.Equal(names, want) {
			t.Errorf("metadata lists %s %q, the route table %s %q", r.Type, names, ti.Name, want)
		}
		search := slices.ContainsFunc(r.Interaction, func(x struct{ Code string }) bool { return x.Code == "search-type" })
		if !routes[r.Type+"/:id"] {
			t.Errorf("%s is listed but has no read route", r.Type)
		}
		if routes[r.Type] != search || routes[r.Type+"/_search"] != search {
			t.Errorf("%s: search-type listed %v, search routes %v", r.Type, search, routes[r.Type])
		}
		for _, p := range r.SearchParam {
			status, body := fhirDo(t, http.MethodGet, srv.URL+fhirPath+"/"+r.Type+"?"+url.Values{p.Name: {"zz"}}.Encode(), tok.AccessToken, nil)
			if status == http.StatusBadRequest && strings.Contains(string(body), "unknown search parameter") {
				t.Errorf("%s?%s is listed but unknown to the search", r.Type, p.Name)
			}
		}
	}
	// The probe tells an unknown parameter apart.
	if status, body := fhirDo(t, http.MethodGet, srv.URL+fhirPath+"/Coverage?not-a-param=1", tok.AccessToken, nil); status != http.StatusBadRequest || !strings.Contains(string(body), "unknown search parameter") {
		t.Errorf("an unknown parameter answered %d %s", status, body)
	}
	// Every route under the FHIR base that names a type names a listed one.
	typeRoute := regexp.MustCompile(`^([A-Z][A-Za-z]*)(/.*)?$`)
	for path := range routes {
		m := typeRoute.FindStringSubmatch(path)
		if m == nil || m[1] == "UserInfo" {
			continue
		}
		if !slices.Contains(routeTypeNames(), m[1]) {
			t.Errorf("route %s/%s serves a type metadata does not list", fhirPath, path)
		}
	}
}

// postmanRequest is one request of the Postman collection, its variables
// filled in.
type postmanRequest struct {
	Name, Method string
	URL          *url.URL
	Form         url.Values
	// Unresolved is a read of an id that the collection's scripts capture
	// from earlier answers at run time (TestNewmanRunsTheCollection runs
	// them), or of a {{variable}} the collection does not define.
	Unresolved bool
}

// postmanFHIRRequests fetches {base}/postman.json and returns the requests
// of its FHIR folder.
func postmanFHIRRequests(t *testing.T, base string) []postmanRequest {
	t.Helper()
	type item struct {
		Name    string            `json:"name"`
		Item    []json.RawMessage `json:"item"`
		Request *struct {
			Method string `json:"method"`
			URL    struct {
				Raw string `json:"raw"`
			} `json:"url"`
			Body *struct {
				URLEncoded []struct{ Key, Value string } `json:"urlencoded"`
			} `json:"body"`
		} `json:"request"`
	}
	var coll struct {
		Item     []item `json:"item"`
		Variable []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"variable"`
	}
	getJSONDoc(t, base+"/postman.json", &coll)
	vars := map[string]string{}
	for _, v := range coll.Variable {
		if s, ok := v.Value.(string); ok {
			vars[v.Key] = s
		}
	}
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{{"+k+"}}", v)
		}
		return s
	}
	var out []postmanRequest
	var walk func([]json.RawMessage)
	walk = func(raws []json.RawMessage) {
		for _, raw := range raws {
			var it item
			if err := json.Unmarshal(raw, &it); err != nil {
				t.Fatal(err)
			}
			walk(it.Item)
			if it.Request == nil {
				continue
			}
			rq := postmanRequest{Name: it.Name, Method: it.Request.Method}
			filled := fill(it.Request.URL.Raw)
			rq.Unresolved = strings.Contains(filled, "{{") || strings.HasSuffix(filled, "/none")
			u, err := url.Parse(filled)
			if err != nil {
				t.Fatalf("%s: %v", it.Name, err)
			}
			rq.URL = u
			if it.Request.Body != nil {
				rq.Form = url.Values{}
				for _, kv := range it.Request.Body.URLEncoded {
					rq.Form.Add(kv.Key, fill(kv.Value))
				}
			}
			out = append(out, rq)
		}
	}
	for _, folder := range coll.Item {
		if folder.Name == "FHIR R4" {
			walk(folder.Item)
		}
	}
	if len(out) == 0 {
		t.Fatal("the collection has no FHIR R4 folder")
	}
	return out
}

// TestPostmanExercisesTheRouteTable goes beyond TestPostmanNamesEveryRoute:
// the collection reads every type of the route table, searches every
// searchable one by each of its parameters, names no type or parameter the
// route table lacks, and every one of its FHIR requests that the collection
// can fill in succeeds against the sandbox that served it.
func TestPostmanExercisesTheRouteTable(t *testing.T) {
	srv, _ := startFactsSandbox(t)
	// The collection runs as its loginHint, BCNCUser07, whose patient id is
	// its patientId until the token response names it.
	tok := grantFor(t, srv.URL, "BCNCUser07", "openid fhirUser profile patient/*.read")
	reqs := postmanFHIRRequests(t, srv.URL)
	types := map[string]fhir.TypeInfo{}
	for _, ti := range fhir.Types() {
		types[ti.Name] = ti
	}
	read := map[string]bool{}
	searched := map[string]bool{} // "Type?param"
	for _, rq := range reqs {
		rest, ok := strings.CutPrefix(rq.URL.Path, fhirPath+"/")
		if !ok {
			t.Errorf("%s: %s is not under the FHIR base", rq.Name, rq.URL)
			continue
		}
		if rest == "metadata" {
			continue
		}
		typ, tail, _ := strings.Cut(rest, "/")
		ti, served := types[typ]
		if !served {
			t.Errorf("%s: %s names a type the route table lacks", rq.Name, rq.URL)
			continue
		}
		params := rq.URL.Query()
		if rq.Method == http.MethodPost {
			params = rq.Form
		}
		isSearch := tail == "" || tail == "_search"
		if !isSearch {
			read[typ] = true
		}
		for name, values := range params {
			switch {
			case name == "_revinclude":
				for _, v := range values {
					if !slices.Contains(ti.RevIncludes, v) {
						t.Errorf("%s: %s?_revinclude=%s is not a revinclude of the route table", rq.Name, typ, v)
					}
				}
			case !slices.ContainsFunc(ti.Params, func(p fhir.ParamInfo) bool { return p.Name == name }):
				t.Errorf("%s: %s?%s is not a search parameter of the route table", rq.Name, typ, name)
			}
			searched[typ+"?"+name] = true
		}
		if rq.Unresolved {
			continue // a read of an id the collection leaves to the user
		}
		want := http.StatusOK
		status, body := fhirDo(t, rq.Method, rq.URL.String(), tok.AccessToken, rq.Form)
		if status != want {
			t.Errorf("%s: %s %s answered %d %s", rq.Name, rq.Method, rq.URL, status, body)
		}
	}
	for _, ti := range fhir.Types() {
		if !read[ti.Name] {
			t.Errorf("the collection never reads %s", ti.Name)
		}
		for _, p := range ti.Params {
			if !searched[ti.Name+"?"+p.Name] {
				t.Errorf("the collection never searches %s by %s", ti.Name, p.Name)
			}
		}
	}
}

// pageText is the visible text of an HTML page, whitespace collapsed.
func pageText(t *testing.T, body string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return textOf(doc)
}

// TestConsentDescribesEveryRouteType: asked for every type of the route
// table, the consent page says what each holds in the route table's plain
// words, and names none as unknown access.
func TestConsentDescribesEveryRouteType(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	var scopes []string
	for _, ti := range fhir.Types() {
		scopes = append(scopes, "patient/"+ti.Name+".read")
	}
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {docsRedir},
		"scope": {"openid " + strings.Join(scopes, " ")}, "state": {"facts-0123456789"}}
	b := srv.newBrowser(t)
	p := b.get(srv.URL + issuerPath + "/authorize?" + q.Encode())
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	p = b.submit(p, nil, []string{"Self"}, "Next")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "I Agree") {
		t.Fatalf("not at the consent page: %d\n%s", p.Status, p.Body)
	}
	text := pageText(t, p.Body)
	for _, ti := range fhir.Types() {
		if sentence := strings.ToUpper(ti.Plain[:1]) + ti.Plain[1:] + "."; !strings.Contains(text, sentence) {
			t.Errorf("the consent page does not say %q for %s", sentence, ti.Name)
		}
	}
	if strings.Contains(text, "Other access") {
		t.Errorf("the consent page names a served type as unknown access:\n%s", text)
	}
}

// TestRelationshipsOfferedAreRendered: the consent screen offers exactly
// the relationships of package representative, and for each one offered
// the RelatedPerson the FHIR API renders carries it: the RoleCode coding
// and the docs' wording the member chose, or for Other the member's words.
func TestRelationshipsOfferedAreRendered(t *testing.T) {
	srv := startSandbox(t, sandboxOptions{Run: true})
	b := srv.newBrowser(t)
	p := b.get(docsAuthorizeURL(srv.URL))
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "BCNCUser04", "password": "BCNCPSWD04"}, nil, "Log In")
	type offer struct{ Code, Label string }
	var offered []offer
	for _, fd := range p.postForm(t).Fields {
		if fd.Name == "relationship" && fd.Type == "radio" {
			offered = append(offered, offer{fd.Value, fd.Label})
		}
	}
	var want []offer
	for _, r := range representative.Relationships() {
		want = append(want, offer{r.Code, r.Display})
	}
	if !slices.Equal(offered, want) {
		t.Fatalf("the screen offers %q, package representative lists %q", offered, want)
	}
	for _, o := range offered {
		t.Run(o.Code, func(t *testing.T) {
			m := member{username: "BCNCUser04", password: "BCNCPSWD04", representative: o.Label, repName: "Pat Q Rep"}
			wantText := o.Label
			if o.Code == representative.Other {
				m.repOther, wantText = "Adult daughter", "Adult daughter"
			}
			status, tok := srv.docsTokenCall(t, codeFrom(t, srv.consent(t, m), "test"), docsRedir)
			if status != http.StatusOK {
				t.Fatalf("token: %d %+v", status, tok)
			}
			fhirUser, _ := jwtClaims(t, tok.IDToken)["fhirUser"].(string)
			i := strings.Index(fhirUser, "RelatedPerson/")
			if i < 0 {
				t.Fatalf("fhirUser %q is not a RelatedPerson", fhirUser)
			}
			status, body := srv.get(t, fhirPath+"/"+fhirUser[i:], tok.AccessToken)
			if status != http.StatusOK {
				t.Fatalf("RelatedPerson read: %d %s", status, body)
			}
			var rp struct {
				Relationship []struct {
					Coding []struct{ System, Code string }
					Text   string
				}
			}
			if err := json.Unmarshal(body, &rp); err != nil || len(rp.Relationship) != 1 {
				t.Fatalf("RelatedPerson %s", body)
			}
			rel := rp.Relationship[0]
			r, _ := representative.Lookup(o.Code)
			if rel.Text != wantText {
				t.Errorf("relationship text %q, want %q", rel.Text, wantText)
			}
			switch {
			case r.RoleCode == "" && len(rel.Coding) != 0:
				t.Errorf("%s rendered a coding: %s", o.Code, body)
			case r.RoleCode != "" && (len(rel.Coding) != 1 || rel.Coding[0].Code != r.RoleCode || rel.Coding[0].System != representative.RoleCodeSystem):
				t.Errorf("%s rendered %+v, want %s %s", o.Code, rel.Coding, representative.RoleCodeSystem, r.RoleCode)
			}
		})
	}
}

// TestClaimTypeSearchIsTheGenerators: the ExplanationOfBenefit type search
// accepts each of generator.ClaimTypes, bare and with
// generator.EOBTypeSystem, and finds exactly the member's claims of that
// type; it refuses a code of no served system; the CapabilityStatement
// documents the same list.
func TestClaimTypeSearchIsTheGenerators(t *testing.T) {
	srv, _ := startFactsSandbox(t)
	// BCNCUser06 holds every claim type.
	tok := grantFor(t, srv.URL, "BCNCUser06", "openid patient/ExplanationOfBenefit.rs")
	type eobBundle struct {
		Total int
		Entry []struct {
			Resource struct {
				Type struct {
					Coding []struct{ System, Code string }
				}
			}
		}
	}
	for _, ct := range generator.ClaimTypes {
		for _, v := range []string{ct, generator.EOBTypeSystem + "|" + ct} {
			target := srv.URL + fhirPath + "/ExplanationOfBenefit?_count=50&" + url.Values{"type": {v}}.Encode()
			status, body := fhirDo(t, http.MethodGet, target, tok.AccessToken, nil)
			if status != http.StatusOK {
				t.Errorf("type=%s: %d %s", v, status, body)
				continue
			}
			var bundle eobBundle
			if err := json.Unmarshal(body, &bundle); err != nil {
				t.Fatal(err)
			}
			if bundle.Total == 0 {
				t.Errorf("type=%s found none of BCNCUser06's claims", v)
			}
			for _, e := range bundle.Entry {
				i := slices.IndexFunc(e.Resource.Type.Coding, func(c struct{ System, Code string }) bool { return c.System == generator.EOBTypeSystem })
				if i < 0 || e.Resource.Type.Coding[i].Code != ct {
					t.Errorf("type=%s found a claim typed %+v", v, e.Resource.Type.Coding)
				}
			}
		}
	}
	for _, v := range []string{"CARRIER", "dental", "http://example.com|carrier"} {
		if status, _ := fhirDo(t, http.MethodGet, srv.URL+fhirPath+"/ExplanationOfBenefit?"+url.Values{"type": {v}}.Encode(), tok.AccessToken, nil); status != http.StatusBadRequest {
			t.Errorf("type=%s answered %d, want 400", v, status)
		}
	}
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type        string
				SearchParam []struct{ Name, Documentation string }
			}
		}
	}
	getJSONDoc(t, srv.URL+fhirPath+"/metadata", &cs)
	documented := ""
	for _, r := range cs.Rest[0].Resource {
		for _, p := range r.SearchParam {
			if r.Type == "ExplanationOfBenefit" && p.Name == "type" {
				documented = p.Documentation
			}
		}
	}
	if want := "(" + strings.Join(generator.ClaimTypes, ", ") + ")"; !strings.Contains(documented, want) {
		t.Errorf("metadata documents type as %q, want the list %s", documented, want)
	}
}

// TestFHIRBasePathIsOne: the authorization server names and serves the
// FHIR base where the FHIR API serves it (fhir.BasePath): the SMART
// configuration and UserInfo under it, and the fhirUser of the id_token and
// of introspection, which the CapabilityStatement's URL agrees with.
func TestFHIRBasePathIsOne(t *testing.T) {
	srv, _ := startFactsSandbox(t)
	fhirBase := srv.URL + fhir.BasePath
	var cs struct {
		Implementation struct{ URL string }
	}
	getJSONDoc(t, fhirBase+"/metadata", &cs)
	if cs.Implementation.URL != fhirBase {
		t.Errorf("metadata implementation.url %q, want %q", cs.Implementation.URL, fhirBase)
	}
	var smart struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSONDoc(t, fhirBase+"/.well-known/smart-configuration", &smart)
	if smart.TokenEndpoint == "" {
		t.Error("the SMART configuration under the FHIR base has no token_endpoint")
	}
	tok := grantFor(t, srv.URL, "BCNCUser03", "openid fhirUser patient/*.read")
	want := fhirBase + "/Patient/" + tok.Patient
	if got, _ := jwtClaims(t, tok.IDToken)["fhirUser"].(string); got != want {
		t.Errorf("id_token fhirUser %q, want %q", got, want)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+issuerPath+"/introspect", strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(docsClientID, docsClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var intro struct {
		FHIRUser string `json:"fhirUser"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&intro); err != nil || intro.FHIRUser != want {
		t.Errorf("introspection fhirUser %q (%v), want %q", intro.FHIRUser, err, want)
	}
	if status, body := fhirDo(t, http.MethodGet, fhirBase+"/UserInfo", tok.AccessToken, nil); status != http.StatusForbidden && status != http.StatusOK {
		t.Errorf("UserInfo under the FHIR base: %d %s", status, body)
	}
}
