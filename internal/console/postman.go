package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// The Postman collection (format v2.1) of every endpoint, built for the base
// URL the request came in on, so that "Import → Link" of {base}/postman.json
// gives a collection that works against this very sandbox. The docs tell
// their readers to try the API in Postman (Step 3).
//
// The collection runs end to end, in order, with no hand edits, against a
// sandbox started with --auto-approve: `newman run {base}/postman.json`.
// Each request's test script checks the answer and keeps what the next
// requests need (the code, the tokens, the ids of the member's resources)
// in collection variables.

const postmanSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

type pmCollection struct {
	Info     pmInfo       `json:"info"`
	Auth     *pmAuth      `json:"auth,omitempty"`
	Event    []pmEvent    `json:"event,omitempty"`
	Item     []pmItem     `json:"item"`
	Variable []pmVariable `json:"variable"`
}

type pmInfo struct {
	PostmanID   string `json:"_postman_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Schema      string `json:"schema"`
}

type pmAuth struct {
	Type   string       `json:"type"`
	Bearer []pmVariable `json:"bearer,omitempty"`
	Basic  []pmVariable `json:"basic,omitempty"`
}

type pmVariable struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	Type  string `json:"type,omitempty"`
}

type pmItem struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Item        []pmItem  `json:"item,omitempty"`
	Request     *pmReq    `json:"request,omitempty"`
	Event       []pmEvent `json:"event,omitempty"`
	// ProtocolProfileBehavior turns off following redirects on the
	// authorize requests: the redirect goes to the app (the docs' app is
	// on the internet), and the test reads the code off its Location.
	ProtocolProfileBehavior map[string]any `json:"protocolProfileBehavior,omitempty"`
}

type pmEvent struct {
	Listen string   `json:"listen"`
	Script pmScript `json:"script"`
}

type pmScript struct {
	Type string   `json:"type"`
	Exec []string `json:"exec"`
}

type pmReq struct {
	Method string     `json:"method"`
	Header []pmHeader `json:"header"`
	Body   *pmBody    `json:"body,omitempty"`
	URL    pmURL      `json:"url"`
	Auth   *pmAuth    `json:"auth,omitempty"`
}

type pmHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type pmBody struct {
	Mode       string       `json:"mode"`
	URLEncoded []pmVariable `json:"urlencoded,omitempty"`
	Raw        string       `json:"raw,omitempty"`
}

// pmURL is a URL as Postman stores it. Newman builds the request from
// host, path and query, not from raw (raw alone is "request url is
// empty"), so every URL carries all four.
type pmURL struct {
	Raw   string    `json:"raw"`
	Host  []string  `json:"host"`
	Path  []string  `json:"path,omitempty"`
	Query []pmQuery `json:"query,omitempty"`
}

type pmQuery struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// newURL splits raw, "{{variable}}/path?query" as every URL of the
// collection is written, into the parts Postman stores. The variable holds
// the scheme, host and any base path; query values stay as written,
// already escaped.
func newURL(raw string) pmURL {
	u := pmURL{Raw: raw}
	rest, query, hasQuery := strings.Cut(raw, "?")
	host, path, _ := strings.Cut(rest, "/")
	u.Host = []string{host}
	if path != "" || strings.HasSuffix(rest, "/") {
		u.Path = strings.Split(path, "/")
	}
	if hasQuery {
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			u.Query = append(u.Query, pmQuery{Key: k, Value: v})
		}
	}
	return u
}

var noAuth = &pmAuth{Type: "noauth"}

// clientBasic authenticates as the docs' client with HTTP Basic
// (client_secret_basic, RFC 6749 §2.3.1).
var clientBasic = &pmAuth{Type: "basic", Basic: []pmVariable{
	{Key: "username", Value: "{{clientId}}", Type: "string"},
	{Key: "password", Value: "{{clientSecret}}", Type: "string"},
}}

// bearer sends token (a {{variable}}) as the Bearer token (RFC 6750 §2.1).
func bearer(token string) *pmAuth {
	return &pmAuth{Type: "bearer", Bearer: []pmVariable{{Key: "token", Value: token, Type: "string"}}}
}

func get(name, raw string, auth *pmAuth) pmItem {
	return pmItem{Name: name, Request: &pmReq{Method: http.MethodGet, Header: []pmHeader{}, URL: newURL(raw), Auth: auth}}
}

func postForm(name, raw string, auth *pmAuth, fields ...string) pmItem {
	body := &pmBody{Mode: "urlencoded", URLEncoded: []pmVariable{}}
	for i := 0; i+1 < len(fields); i += 2 {
		body.URLEncoded = append(body.URLEncoded, pmVariable{Key: fields[i], Value: fields[i+1], Type: "text"})
	}
	return pmItem{Name: name, Request: &pmReq{
		Method: http.MethodPost,
		Header: []pmHeader{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		Body:   body, URL: newURL(raw), Auth: auth,
	}}
}

func postJSONRaw(name, raw, body string) pmItem {
	it := pmItem{Name: name, Request: &pmReq{
		Method: http.MethodPost,
		Header: []pmHeader{{Key: "Content-Type", Value: "application/json"}},
		URL:    newURL(raw), Auth: noAuth,
	}}
	if body != "" {
		it.Request.Body = &pmBody{Mode: "raw", Raw: body}
	}
	return it
}

func deleteReq(name, raw string) pmItem {
	return pmItem{Name: name, Request: &pmReq{Method: http.MethodDelete, Header: []pmHeader{}, URL: newURL(raw), Auth: noAuth}}
}

// test adds a test script to the item.
func (it pmItem) test(lines ...string) pmItem {
	it.Event = append(it.Event, pmEvent{Listen: "test", Script: pmScript{Type: "text/javascript", Exec: lines}})
	return it
}

// status adds a test that the answer has this status, and more lines.
func (it pmItem) status(code int, more ...string) pmItem {
	return it.test(append([]string{
		"pm.test(" + jsString("answers "+strconv.Itoa(code)) + ", function () { pm.response.to.have.status(" + strconv.Itoa(code) + "); });",
	}, more...)...)
}

// noRedirects keeps the client from following the redirect, so the test
// sees the Location (the code, or the error) the server sent.
func (it pmItem) noRedirects() pmItem {
	it.ProtocolProfileBehavior = map[string]any{"followRedirects": false}
	return it
}

func (it pmItem) describe(s string) pmItem {
	it.Description = s
	return it
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// FHIRType is a type the FHIR API serves, as the collection exercises it.
type FHIRType struct {
	Name string
	// Params are its search parameters; nil for a type that is only read.
	Params []FHIRParam
	// RevIncludes are the _revinclude values its searches serve.
	RevIncludes []string
}

// FHIRParam is one search parameter of a FHIRType.
type FHIRParam struct {
	Name string
	// Member is true for a parameter that names the member (a type may
	// have two, as Coverage's beneficiary and patient): the collection
	// sends it the member's id.
	Member bool
	// Example is a value the parameter accepts, unescaped; unused when Member.
	Example string
}

// checkFHIRTypes accepts types the collection can exercise: some, each
// with an example for every parameter that does not name the member.
func checkFHIRTypes(types []FHIRType) error {
	if len(types) == 0 {
		return errors.New("console: FHIRTypes is empty")
	}
	for _, t := range types {
		if t.Name == "" {
			return errors.New("console: a FHIRType has no name")
		}
		for _, p := range t.Params {
			if !p.Member && (p.Name == "" || p.Example == "") {
				return fmt.Errorf("console: %s has a search parameter %q without an example", t.Name, p.Name)
			}
		}
	}
	return nil
}

// memberParam is the first parameter of t that names the member, the one
// the type's searches use; "" for a type searched without naming the
// member (the token's member bounds it).
func (t FHIRType) memberParam() string {
	for _, p := range t.Params {
		if p.Member {
			return p.Name
		}
	}
	return ""
}

// idVar is the collection variable holding the id of a resource of type
// name that an earlier answer named: "patientId", "explanationOfBenefitId".
func idVar(name string) string { return lowerFirst(name) + "Id" }

// notCaptured is an id variable's value until an answer names a resource
// of its type: a read of it is then a read of an unknown id, 404.
const notCaptured = "none"

// The test scripts, in Postman's sandbox JavaScript.
var (
	// searchTest checks a search answered a searchset Bundle.
	searchTest = []string{
		"pm.test('answers 200 with a searchset Bundle', function () {",
		"  pm.response.to.have.status(200);",
		"  var b = pm.response.json();",
		"  pm.expect(b.resourceType).to.eql('Bundle');",
		"  pm.expect(b.type).to.eql('searchset');",
		"});",
	}
	// captureIDs, the collection's own test script, runs after every
	// request: from every JSON answer it keeps, for each type that has an
	// id variable still unset, the id of the first resource of that type
	// it holds or references. Reads then use ids the sandbox gave.
	captureIDs = []string{
		"(function () {",
		"  var type = pm.response.headers.get('Content-Type') || '';",
		"  if (type.indexOf('json') < 0) { return; }",
		"  var body;",
		"  try { body = pm.response.json(); } catch (e) { return; }",
		"  function keep(resourceType, id) {",
		"    if (!resourceType || !id) { return; }",
		"    var name = resourceType.charAt(0).toLowerCase() + resourceType.slice(1) + 'Id';",
		"    if (pm.collectionVariables.get(name) === '" + notCaptured + "') { pm.collectionVariables.set(name, id); }",
		"  }",
		"  (function walk(v) {",
		"    if (Array.isArray(v)) { v.forEach(walk); return; }",
		"    if (!v || typeof v !== 'object') { return; }",
		"    if (typeof v.resourceType === 'string' && typeof v.id === 'string' && v.resourceType !== 'Bundle') { keep(v.resourceType, v.id); }",
		"    Object.keys(v).forEach(function (k) {",
		"      if (k === 'contained') { return; }",
		"      var m = k === 'reference' && typeof v[k] === 'string' && /(?:^|\\/)([A-Z][A-Za-z]+)\\/([A-Za-z0-9.-]{1,64})$/.exec(v[k]);",
		"      if (m) { keep(m[1], m[2]); } else { walk(v[k]); }",
		"    });",
		"  })(body);",
		"})();",
	}
	// authorizeTest checks /authorize redirected to the app with a code.
	authorizeTest = []string{
		"pm.test('redirects to the redirect URI with a code, the state and iss', function () {",
		"  pm.response.to.have.status(302);",
		"  var loc = pm.response.headers.get('Location');",
		"  pm.expect(loc).to.match(/^" + regexpQuote("https://oidcdebugger.com/debug") + "\\?/);",
		"  pm.expect(loc).to.match(/[?&]code=[^&]+/);",
		"  pm.expect(loc).to.match(/[?&]iss=/);",
		"});",
	}
	captureCode = []string{
		"var m = /[?&]code=([^&]+)/.exec(pm.response.headers.get('Location') || '');",
		"pm.collectionVariables.set('code', m ? decodeURIComponent(m[1]) : '');",
	}
	// oauthError checks an RFC 6749 §5.2 error body.
	oauthError = func(code string) []string {
		return []string{
			"pm.test(" + jsString("error is "+code) + ", function () { pm.expect(pm.response.json().error).to.eql(" + jsString(code) + "); });",
		}
	}
	// fhirError checks the FHIR API's error body, in either profile's shape.
	fhirError = []string{
		"pm.test('the body says why', function () {",
		"  var b = pm.response.json();",
		"  pm.expect(b.detail || (b.issue && b.issue[0] && b.issue[0].diagnostics)).to.be.a('string');",
		"});",
	}
	htmlPage = []string{
		"pm.test('an HTML page', function () { pm.expect(pm.response.headers.get('Content-Type')).to.include('text/html'); });",
	}
)

// regexpQuote escapes s for a JavaScript regular expression literal.
func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\^$.|?*+()[]{}/`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readTest checks a read of the id in variable v: the resource when an
// earlier answer gave the id, 404 when none did (the member has no such
// resource, or the type is a representative's own, which a member's token
// never names).
func readTest(typ, v string) []string {
	return []string{
		"var id = pm.collectionVariables.get(" + jsString(v) + ");",
		"if (id === '" + notCaptured + "') {",
		"  pm.test(" + jsString("no "+typ+" was named earlier: an unknown id answers 404") + ", function () { pm.response.to.have.status(404); });",
		"} else {",
		"  pm.test(" + jsString("answers 200 with the "+typ) + ", function () {",
		"    pm.response.to.have.status(200);",
		"    var r = pm.response.json();",
		"    pm.expect(r.resourceType).to.eql(" + jsString(typ) + ");",
		"    pm.expect(r.id).to.eql(id);",
		"  });",
		"}",
	}
}

// fhirItems are the collection's FHIR requests: for every served type a
// folder with, for a searchable one, the search by the member in each
// spelling the API takes (GET, the docs' trailing slash, POST _search), one
// search by each other parameter with its example and the docs' own
// examples for the type, then a read of an id an earlier answer named.
func fhirItems(types []FHIRType, fhirBase string) []pmItem {
	docs := docsExamples(fhirBase)
	items := []pmItem{get("CapabilityStatement", fhirBase+"/metadata", noAuth).status(200,
		"pm.test('a CapabilityStatement', function () { pm.expect(pm.response.json().resourceType).to.eql('CapabilityStatement'); });")}
	for _, t := range types {
		v := idVar(t.Name)
		read := get("Read "+t.Name, fhirBase+"/"+t.Name+"/{{"+v+"}}", nil).test(readTest(t.Name, v)...)
		if len(t.Params) == 0 {
			items = append(items, read)
			continue
		}
		member := t.memberParam()
		byMember, query, form := "", "", []string(nil)
		if member != "" {
			byMember, form = member+"={{patientId}}", []string{member, "{{patientId}}"}
			query = "?" + byMember
		}
		folder := pmItem{Name: t.Name, Item: []pmItem{
			get("Search "+t.Name, fhirBase+"/"+t.Name+query, nil).test(searchTest...),
			get("Search "+t.Name+" (docs' trailing slash)", fhirBase+"/"+t.Name+"/"+query, nil).test(searchTest...),
			postForm("Search "+t.Name+" (POST _search)", fhirBase+"/"+t.Name+"/_search", nil, form...).test(searchTest...),
		}}
		for _, p := range t.Params {
			switch {
			case p.Name == member:
			case p.Member:
				folder.Item = append(folder.Item, get("Search "+t.Name+" by "+p.Name,
					fhirBase+"/"+t.Name+"?"+p.Name+"={{patientId}}", nil).test(searchTest...))
			case member == "":
				folder.Item = append(folder.Item, get("Search "+t.Name+" by "+p.Name,
					fhirBase+"/"+t.Name+"?"+p.Name+"="+queryValue(p.Example), nil).test(searchTest...))
			default:
				folder.Item = append(folder.Item, get("Search "+t.Name+" by "+p.Name,
					fhirBase+"/"+t.Name+"?"+byMember+"&"+p.Name+"="+queryValue(p.Example), nil).test(searchTest...))
			}
		}
		for _, rev := range t.RevIncludes {
			folder.Item = append(folder.Item, get("Search "+t.Name+" with _revinclude="+rev,
				fhirBase+"/"+t.Name+query+sep(query)+"_revinclude="+queryValue(rev), nil).test(searchTest...))
		}
		folder.Item = append(folder.Item, docs[t.Name]...)
		folder.Item = append(folder.Item, read)
		items = append(items, folder)
	}
	return items
}

// docsExamples are searches the vendor docs show, by type; a type the API
// does not serve gets none.
func docsExamples(fhirBase string) map[string][]pmItem {
	return map[string][]pmItem{
		"Patient": {
			get("Search Patient by _id and _lastUpdated (docs)", fhirBase+"/Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir", nil).test(searchTest...),
		},
		"ExplanationOfBenefit": {
			get("Search ExplanationOfBenefit by _lastUpdated interval (docs)", fhirBase+"/ExplanationOfBenefit?patient=Patient/{{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00", nil).test(searchTest...),
			get("Page ExplanationOfBenefit with _count and startIndex (docs)", fhirBase+"/ExplanationOfBenefit?patient={{patientId}}&_count=50&startIndex=50", nil).test(searchTest...),
		},
	}
}

// queryValue escapes v for a query string (RFC 3986 §3.4), leaving the
// characters a query may hold as they are so the URL stays readable.
func queryValue(v string) string {
	return strings.NewReplacer("%3A", ":", "%2F", "/", "%2C", ",").Replace(url.QueryEscape(v))
}

// The PKCE pair the collection's flow uses (RFC 7636 §4.1, §4.2). A fixed
// verifier is fine for a sandbox: PKCE binds the code to whoever holds it,
// and here that is whoever holds the collection.
const collectionVerifier = "postman-collection-verifier-0123456789-abcdefghijklmnop"

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// flowScope is what the collection's flow asks for: everything a member
// can grant, so every request after it is allowed.
const flowScope = "openid fhirUser profile offline_access patient/*.read"

func (c *Console) collection(base string) pmCollection {
	issuer, fhirBase := "{{issuer}}", "{{fhirBase}}"
	authorizeQuery := "response_type=code&client_id={{clientId}}&redirect_uri={{redirectUri}}&scope=" +
		url.PathEscape(flowScope) + "&state={{$guid}}&aud={{fhirBase}}&login_hint={{loginHint}}"
	formFields := []string{"response_type", "code", "client_id", "{{clientId}}", "redirect_uri", "{{redirectUri}}",
		"scope", flowScope, "state", "{{$guid}}", "aud", "{{fhirBase}}", "login_hint", "{{loginHint}}"}

	var idVars []string
	for _, t := range c.cfg.FHIRTypes {
		if v := idVar(t.Name); v != "patientId" {
			idVars = append(idVars, v)
		}
	}
	forget := make([]string, 0, len(idVars))
	for _, v := range idVars {
		forget = append(forget, "pm.collectionVariables.set("+jsString(v)+", '"+notCaptured+"');")
	}

	discovery := pmItem{Name: "Discovery", Item: []pmItem{
		get("OpenID configuration (issuer)", issuer+"/.well-known/openid-configuration", noAuth).status(200,
			"pm.test('names the issuer', function () { pm.expect(pm.response.json().issuer).to.eql(pm.collectionVariables.get('issuer')); });"),
		get("OpenID configuration (root)", "{{baseUrl}}/.well-known/openid-configuration", noAuth).status(200),
		get("SMART configuration", fhirBase+"/.well-known/smart-configuration", noAuth).status(200,
			"pm.test('names the token endpoint', function () { pm.expect(pm.response.json().token_endpoint).to.eql(pm.collectionVariables.get('issuer') + '/token'); });"),
		get("JWKS", issuer+"/jwks", noAuth).status(200,
			"pm.test('holds a signing key', function () { pm.expect(pm.response.json().keys).to.have.length.above(0); });"),
	}}

	authz := pmItem{Name: "Authorization", Description: "With --auto-approve, /authorize answers at once with a redirect to the app carrying a code. " +
		"Without it the redirect goes to the consent screens: open the authorize URL in a browser instead and paste the code the debugger shows into the collection variable code.",
		Item: []pmItem{
			postForm("Authorize (POST form)", issuer+"/authorize", noAuth, formFields...).noRedirects().test(authorizeTest...),
			get("Authorize (the docs' trailing slash)", issuer+"/authorize/?response_type=code&client_id={{clientId}}&redirect_uri={{redirectUri}}&scope=openid%20read%20profile%20patient/*.read&state=test&login_hint={{loginHint}}", noAuth).
				noRedirects().test(authorizeTest...),
			postForm("Authorize (POST form, trailing slash)", issuer+"/authorize/", noAuth, formFields...).noRedirects().test(authorizeTest...),
			get("Authorize", issuer+"/authorize?"+authorizeQuery+"&nonce={{$guid}}&code_challenge={{codeChallenge}}&code_challenge_method=S256", noAuth).
				noRedirects().test(append(authorizeTest, captureCode...)...).
				describe("The docs' Step 1 with S256 PKCE: the code it answers with is kept in the variable code for the token request."),
			postForm("Token: authorization_code", issuer+"/token", clientBasic, "grant_type", "authorization_code", "code", "{{code}}", "redirect_uri", "{{redirectUri}}", "code_verifier", "{{codeVerifier}}").
				test(append([]string{
					"pm.test('answers 200 with the tokens and the patient', function () {",
					"  pm.response.to.have.status(200);",
					"  var t = pm.response.json();",
					"  pm.expect(t.token_type).to.eql('Bearer');",
					"  pm.expect(t.access_token).to.be.a('string');",
					"  pm.expect(t.refresh_token).to.be.a('string');",
					"  pm.expect(t.id_token.split('.')).to.have.length(3);",
					"  pm.expect(t.patient).to.be.a('string');",
					"});",
					"var t = pm.response.json();",
					"pm.collectionVariables.set('accessToken', t.access_token);",
					"pm.collectionVariables.set('refreshToken', t.refresh_token);",
					"pm.collectionVariables.set('idToken', t.id_token);",
					"pm.collectionVariables.set('patientId', t.patient);",
					"pm.collectionVariables.set('otherPatientId', t.patient === '-20140000000024' ? '-20140000008325' : '-20140000000024');",
					"// Ids kept for an earlier member are not this member's.",
				}, forget...)...).
				describe("The docs' Step 2. Keeps access_token, refresh_token, id_token and patient for the requests that follow."),
		}}

	api := pmItem{Name: "FHIR R4", Description: "Every read and search the API serves, with the token from the code exchange (the collection's Bearer auth). " +
		"Reads use ids that earlier answers named.", Item: fhirItems(c.cfg.FHIRTypes, fhirBase)}

	userinfoTest := []string{
		"pm.test('answers 200 with the member', function () {",
		"  pm.response.to.have.status(200);",
		"  pm.expect(pm.response.json().sub).to.eql(pm.collectionVariables.get('loginHint'));",
		"});",
	}
	tokens := pmItem{Name: "Tokens", Item: []pmItem{
		get("UserInfo (/v1/connect/userinfo)", "{{baseUrl}}/v1/connect/userinfo", nil).test(userinfoTest...),
		get("UserInfo (FHIR base)", fhirBase+"/UserInfo", nil).test(userinfoTest...),
		postForm("UserInfo (POST)", "{{baseUrl}}/v1/connect/userinfo", nil).test(userinfoTest...),
		postForm("UserInfo (FHIR base, POST)", fhirBase+"/UserInfo", nil).test(userinfoTest...),
		postForm("Token: refresh_token", issuer+"/token", clientBasic, "grant_type", "refresh_token", "refresh_token", "{{refreshToken}}").test(
			"pm.test('answers 200 with new tokens; the refresh token rotates', function () {",
			"  pm.response.to.have.status(200);",
			"  var t = pm.response.json();",
			"  pm.expect(t.access_token).to.be.a('string');",
			"  pm.expect(t.refresh_token).to.not.eql(pm.collectionVariables.get('refreshToken'));",
			"});",
			"var t = pm.response.json();",
			"pm.collectionVariables.set('previousRefreshToken', pm.collectionVariables.get('refreshToken'));",
			"pm.collectionVariables.set('accessToken', t.access_token);",
			"pm.collectionVariables.set('refreshToken', t.refresh_token);",
		).describe("RFC 6749 §6. The refresh token rotates: the new one is kept, the old one is kept too, to show its reuse is refused."),
		get("Read Patient with the refreshed token", fhirBase+"/Patient/{{patientId}}", nil).status(200),
		postForm("Introspect", issuer+"/introspect", clientBasic, "token", "{{accessToken}}").status(200,
			"pm.test('the access token is active', function () { pm.expect(pm.response.json().active).to.eql(true); });"),
		postForm("Token: refresh_token again", issuer+"/token", clientBasic, "grant_type", "refresh_token", "refresh_token", "{{refreshToken}}").status(200,
			"var t = pm.response.json();",
			"pm.collectionVariables.set('freshAccessToken', t.access_token);",
			"pm.collectionVariables.set('refreshToken', t.refresh_token);",
		).describe("A second access token, kept for the error cases after the first is revoked."),
		postForm("Revoke", issuer+"/revoke", clientBasic, "token", "{{accessToken}}").status(200),
		postForm("Introspect the revoked token", issuer+"/introspect", clientBasic, "token", "{{accessToken}}").status(200,
			"pm.test('the revoked token is inactive', function () { pm.expect(pm.response.json().active).to.eql(false); });"),
	}}

	errs := pmItem{Name: "Errors the docs describe", Description: "Each request here is meant to fail, and its test checks the status and body the docs give.",
		Item: []pmItem{
			get("FHIR with the revoked token (401)", fhirBase+"/Patient/{{patientId}}", nil).status(401, fhirError...).test(
				"pm.test('says Bearer', function () { pm.expect(pm.response.headers.get('WWW-Authenticate')).to.include('Bearer'); });"),
			get("FHIR without a token (401)", fhirBase+"/Patient/{{patientId}}", noAuth).status(401, fhirError...),
			get("Read another member's Patient (404)", fhirBase+"/Patient/{{otherPatientId}}", bearer("{{freshAccessToken}}")).status(404, fhirError...),
			get("Search naming another member (403)", fhirBase+"/ExplanationOfBenefit?patient={{otherPatientId}}", bearer("{{freshAccessToken}}")).status(403, fhirError...),
			get("Search with an unknown claim type (400)", fhirBase+"/ExplanationOfBenefit?patient={{patientId}}&type=not-a-type", bearer("{{freshAccessToken}}")).status(400, fhirError...),
			get("Search with a malformed date (400)", fhirBase+"/ExplanationOfBenefit?patient={{patientId}}&_lastUpdated=gt2020-13-45", bearer("{{freshAccessToken}}")).status(400, fhirError...),
			postForm("Token: the rotated refresh token again (400 invalid_grant)", issuer+"/token", clientBasic, "grant_type", "refresh_token", "refresh_token", "{{previousRefreshToken}}").
				status(400, oauthError("invalid_grant")...),
			postForm("Token: the code again (400 invalid_grant)", issuer+"/token", clientBasic, "grant_type", "authorization_code", "code", "{{code}}", "redirect_uri", "{{redirectUri}}", "code_verifier", "{{codeVerifier}}").
				status(400, oauthError("invalid_grant")...),
			postForm("Token: a wrong client secret (401 invalid_client)", issuer+"/token", &pmAuth{Type: "basic", Basic: []pmVariable{
				{Key: "username", Value: "{{clientId}}", Type: "string"}, {Key: "password", Value: "not-the-secret", Type: "string"},
			}}, "grant_type", "refresh_token", "refresh_token", "{{refreshToken}}").status(401, oauthError("invalid_client")...),
			get("Authorize: an unknown client (400 page, no redirect)", issuer+"/authorize?response_type=code&client_id=not-registered&redirect_uri={{redirectUri}}&scope=openid", noAuth).
				noRedirects().status(400, htmlPage...),
			get("Authorize: an unregistered redirect URI (400 page, no redirect)", issuer+"/authorize?response_type=code&client_id={{clientId}}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&scope=openid", noAuth).
				noRedirects().status(400, htmlPage...),
			get("Authorize: an unsupported response_type (redirect with the error)", issuer+"/authorize?response_type=token&client_id={{clientId}}&redirect_uri={{redirectUri}}&scope=openid&state=s", noAuth).
				noRedirects().status(302, "pm.test('the error goes back to the app', function () { pm.expect(pm.response.headers.get('Location')).to.include('error=unsupported_response_type'); });"),
			get("Consent screens without a request (400 page)", issuer+"/consent", noAuth).status(400, htmlPage...),
			postForm("Consent screens: a step without a flow (400 page)", issuer+"/consent", noAuth, "step", "disclaimer", "csrf", "").status(400, htmlPage...),
		}}

	// A fresh token for the control API's demonstrations: the one above is revoked.
	sandbox := pmItem{Name: "Sandbox", Item: []pmItem{
		get("Health", "{{baseUrl}}/health", noAuth).status(200),
		get("Home page", "{{baseUrl}}/", noAuth).status(200, htmlPage...),
		get("Debugger", "{{baseUrl}}/debug", noAuth).status(200, htmlPage...),
		get("Debugger: Try it (starts a flow of its own)", "{{baseUrl}}/debug/start?login_hint={{loginHint}}", noAuth).noRedirects().status(303,
			"pm.test('goes to authorize with S256 PKCE', function () { pm.expect(pm.response.headers.get('Location')).to.include('code_challenge_method=S256'); });"),
		postForm("Debugger: exchange (refused without the page's form token)", "{{baseUrl}}/debug", noAuth, "code", "{{code}}", "csrf", "not-from-the-page").status(403, htmlPage...),
		postForm("Debugger: token buttons (refused without the page's tokens)", "{{baseUrl}}/debug/tokens", noAuth, "action", "introspect", "client_id", "{{clientId}}", "access_token", "{{accessToken}}", "mac", "not-from-the-page").status(403, htmlPage...),
		get("Requests page", "{{baseUrl}}/requests", noAuth).status(200, htmlPage...),
		get("Faults page", "{{baseUrl}}/faults", noAuth).status(200, htmlPage...),
		get("Clock page", "{{baseUrl}}/clock", noAuth).status(200, htmlPage...),
		get("Stylesheet", "{{baseUrl}}/static/style.css", noAuth).status(200),
		get("Debugger script", "{{baseUrl}}/static/console.js", noAuth).status(200),
		get("Favicon", "{{baseUrl}}/favicon.ico", noAuth).status(200),
		get("Consent stylesheet", issuer+"/consent/style.css", noAuth).status(200),
		get("Consent favicon", issuer+"/consent/favicon.ico", noAuth).status(200),
		get("This collection", "{{baseUrl}}/postman.json", noAuth).status(200),
		get("An unknown path (JSON to a client)", "{{baseUrl}}/no-such-page", noAuth).status(404,
			"pm.test('JSON, not a page', function () { pm.expect(pm.response.headers.get('Content-Type')).to.include('json'); });"),
	}}

	control := pmItem{Name: "Control API", Description: "Steers the sandbox for tests (README, \"The control API\"). Run last: it arms a fault, moves the clock and ends with a reset.",
		Item: []pmItem{
			get("Control API: actions", "{{baseUrl}}/sandbox", noAuth).status(200),
			get("Control API: find members", "{{baseUrl}}/sandbox/members?claim_type=inpatient&limit=3", noAuth).status(200,
				"pm.test('lists members with an inpatient stay', function () {",
				"  var r = pm.response.json();",
				"  pm.expect(r.members).to.be.an('array');",
				"  r.members.forEach(function (m) { pm.expect(m.claims.inpatient).to.be.above(0); });",
				"});"),
			postJSONRaw("Control API: arm a fault", "{{baseUrl}}/sandbox/faults", `{"path": "/fhir/sb/R4/patientaccess/metadata", "count": 1, "status": 429, "retry_after": 2}`).status(201),
			get("Control API: faults", "{{baseUrl}}/sandbox/faults", noAuth).status(200,
				"pm.test('the fault is armed', function () { pm.expect(pm.response.json()).to.have.length(1); });"),
			get("The faulted request (429 with Retry-After)", fhirBase+"/metadata", noAuth).status(429,
				"pm.test('says when to retry', function () { pm.expect(pm.response.headers.get('Retry-After')).to.eql('2'); });"),
			deleteReq("Control API: disarm faults", "{{baseUrl}}/sandbox/faults").status(204),
			get("Control API: clock", "{{baseUrl}}/sandbox/clock", noAuth).status(200),
			postJSONRaw("Control API: advance the clock", "{{baseUrl}}/sandbox/clock", `{"advance": "2h"}`).status(200,
				"pm.test('the clock is ahead', function () { pm.expect(pm.response.json().offset).to.eql('2h0m0s'); });"),
			get("Control API: last requests", "{{baseUrl}}/sandbox/requests?limit=20", noAuth).status(200,
				"pm.test('lists requests', function () { pm.expect(pm.response.json()).to.have.length.above(0); });"),
			deleteReq("Control API: forget requests", "{{baseUrl}}/sandbox/requests").status(204),
			postJSONRaw("Control API: add a claim", "{{baseUrl}}/sandbox/members/{{patientId}}/claims", `{"type": "carrier"}`).status(201),
			postJSONRaw("Control API: update a resource", "{{baseUrl}}/sandbox/members/{{patientId}}/touch", `{"resourceType": "Patient", "id": "{{patientId}}"}`).status(201),
			postJSONRaw("Control API: reset", "{{baseUrl}}/sandbox/reset", ``).status(200),
		}}

	vars := []pmVariable{
		{Key: "baseUrl", Value: base},
		{Key: "issuer", Value: base + c.cfg.IssuerPath},
		{Key: "fhirBase", Value: base + c.cfg.FHIRPath},
		{Key: "clientId", Value: c.cfg.DebugClientID},
		{Key: "clientSecret", Value: c.debugSecret()},
		{Key: "redirectUri", Value: "https://oidcdebugger.com/debug"},
		// BCNCUser07, a generated member, holds a resource of every type
		// the API serves but RelatedPerson (the docs' frozen accounts
		// predate the US Core types), so
		// every read of the run reads a resource.
		{Key: "loginHint", Value: "BCNCUser07"},
		{Key: "codeVerifier", Value: collectionVerifier},
		{Key: "codeChallenge", Value: pkceChallenge(collectionVerifier)},
		{Key: "code", Value: ""},
		{Key: "accessToken", Value: ""},
		{Key: "freshAccessToken", Value: ""},
		{Key: "refreshToken", Value: ""},
		{Key: "previousRefreshToken", Value: ""},
		{Key: "idToken", Value: ""},
		{Key: "patientId", Value: "-30000000000007"},
		{Key: "otherPatientId", Value: "-20140000000024"},
	}
	for _, v := range idVars {
		vars = append(vars, pmVariable{Key: v, Value: notCaptured})
	}
	authz.Item = append(authz.Item, appsPageItems(issuer)...)
	// The grant and workspace calls go before the control folder's last
	// request, the reset.
	last := control.Item[len(control.Item)-1]
	control.Item = append(append(control.Item[:len(control.Item)-1:len(control.Item)-1], grantAndWorkspaceItems(c.cfg.Workspaces)...), last)
	return pmCollection{
		Info: pmInfo{
			PostmanID: "4f1c2b4e-5bcb-4c1e-9a53-bcbsnc0sandbox",
			Name:      "Blue Cross NC API sandbox",
			Description: "Every endpoint of the local Blue Cross NC Patient Access API sandbox at " + base + ", in the order a client uses them. " +
				"Start the sandbox with --auto-approve BCNCUser03 and run the whole collection (Runner, or newman run " + base + "/postman.json): " +
				"the authorize request's test keeps the code, the token request keeps the tokens, and every later request uses them. " +
				"Without --auto-approve, walk the screens in a browser from the home page's Try it, and paste the code into the variable code.",
			Schema: postmanSchema,
		},
		Auth:     bearer("{{accessToken}}"),
		Event:    []pmEvent{{Listen: "test", Script: pmScript{Type: "text/javascript", Exec: captureIDs}}},
		Item:     []pmItem{discovery, authz, api, tokens, errs, sandbox, control},
		Variable: vars,
	}
}

// debugSecret is the secret of the docs' client, which the collection
// authenticates as.
func (c *Console) debugSecret() string {
	for _, cl := range c.cfg.Clients {
		if cl.ID == c.cfg.DebugClientID {
			return cl.Secret
		}
	}
	return ""
}

// appsPageItems are the members' apps page, where a member sees and
// removes the apps holding access. A run can only open it: its forms need
// the page's CSRF token, so a post without one is refused.
func appsPageItems(issuer string) []pmItem {
	return []pmItem{
		get("Connected apps page (open in a browser)", issuer+"/apps", noAuth).status(200, htmlPage...),
		postForm("Connected apps page: a form post without the page's token (403)", issuer+"/apps", noAuth, "action", "login", "csrf", "not-from-the-page").status(403, htmlPage...),
	}
}

// grantAndWorkspaceItems are the control calls for grants and minted
// tokens, and, where the control API manages them, for workspaces.
func grantAndWorkspaceItems(workspaces bool) []pmItem {
	items := []pmItem{
		postJSONRaw("Control API: tokens without a browser", "{{baseUrl}}/sandbox/tokens",
			`{"username": "BCNCUser03", "client_id": "{{clientId}}", "scope": "openid fhirUser profile offline_access patient/*.read"}`).status(200,
			"pm.test('a token response', function () { pm.expect(pm.response.json().access_token).to.be.a('string'); });"),
		get("Control API: a member's grants", "{{baseUrl}}/sandbox/members/{{patientId}}/grants", noAuth).status(200),
		postJSONRaw("Control API: expire a member's refresh tokens", "{{baseUrl}}/sandbox/members/{{patientId}}/grants/expire", `{"client_id": "{{clientId}}"}`).status(200),
		postJSONRaw("Control API: revoke a member's grants", "{{baseUrl}}/sandbox/members/{{patientId}}/grants/revoke", `{"client_id": "{{clientId}}"}`).status(200),
	}
	if workspaces {
		items = append(items,
			get("Control API: workspaces", "{{baseUrl}}/sandbox/workspaces", noAuth).status(200),
			postJSONRaw("Control API: create a workspace", "{{baseUrl}}/sandbox/workspaces", `{"name": "my-suite", "profile": "strict", "token_ttl": "5m"}`).status(201),
			get("Control API: a workspace", "{{baseUrl}}/sandbox/workspaces/my-suite", noAuth).status(200),
			deleteReq("Control API: forget a workspace", "{{baseUrl}}/sandbox/workspaces/my-suite").status(204),
		)
	}
	return items
}

// sep is what joins another parameter to query: "&", or "?" when empty.
func sep(query string) string {
	if query == "" {
		return "?"
	}
	return "&"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

func (c *Console) postman(ctx echo.Context) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c.collection(c.cfg.BaseURL(ctx.Request()))); err != nil {
		return err
	}
	return ctx.Blob(http.StatusOK, echo.MIMEApplicationJSON, buf.Bytes())
}
