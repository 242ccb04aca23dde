package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// The Postman collection (format v2.1) of every endpoint, built for the base
// URL the request came in on, so that "Import → Link" of {base}/postman.json
// gives a collection that works against this very sandbox. The docs tell
// their readers to try the API in Postman (Step 3).

const postmanSchema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

type pmCollection struct {
	Info     pmInfo       `json:"info"`
	Auth     *pmAuth      `json:"auth,omitempty"`
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
	OAuth2 []pmVariable `json:"oauth2,omitempty"`
	Basic  []pmVariable `json:"basic,omitempty"`
}

type pmVariable struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	Type  string `json:"type,omitempty"`
}

type pmItem struct {
	Name    string   `json:"name"`
	Item    []pmItem `json:"item,omitempty"`
	Request *pmReq   `json:"request,omitempty"`
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

type pmURL struct {
	Raw string `json:"raw"`
}

var noAuth = &pmAuth{Type: "noauth"}

// clientBasic authenticates as the docs' client with HTTP Basic.
var clientBasic = &pmAuth{Type: "basic", Basic: []pmVariable{
	{Key: "username", Value: "{{clientId}}", Type: "string"},
	{Key: "password", Value: "{{clientSecret}}", Type: "string"},
}}

func get(name, url string, auth *pmAuth) pmItem {
	return pmItem{Name: name, Request: &pmReq{Method: http.MethodGet, Header: []pmHeader{}, URL: pmURL{Raw: url}, Auth: auth}}
}

func postForm(name, url string, auth *pmAuth, fields ...string) pmItem {
	body := &pmBody{Mode: "urlencoded", URLEncoded: []pmVariable{}}
	for i := 0; i+1 < len(fields); i += 2 {
		body.URLEncoded = append(body.URLEncoded, pmVariable{Key: fields[i], Value: fields[i+1], Type: "text"})
	}
	return pmItem{Name: name, Request: &pmReq{
		Method: http.MethodPost,
		Header: []pmHeader{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}},
		Body:   body, URL: pmURL{Raw: url}, Auth: auth,
	}}
}

// FHIRType is a type the FHIR API serves, as the collection exercises it.
type FHIRType struct {
	Name string
	// Params are its search parameters; nil for a type that is only read.
	Params []FHIRParam
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
// searchable one with a member parameter and an example for every other.
func checkFHIRTypes(types []FHIRType) error {
	if len(types) == 0 {
		return errors.New("console: FHIRTypes is empty")
	}
	for _, t := range types {
		if t.Name == "" {
			return errors.New("console: a FHIRType has no name")
		}
		members := 0
		for _, p := range t.Params {
			switch {
			case p.Member:
				members++
			case p.Name == "" || p.Example == "":
				return fmt.Errorf("console: %s has a search parameter %q without an example", t.Name, p.Name)
			}
		}
		if len(t.Params) > 0 && members == 0 {
			return fmt.Errorf("console: %s has no member parameter", t.Name)
		}
	}
	return nil
}

// memberParam is the first parameter of t that names the member, the one
// the type's searches use; ok is false for a type that is only read.
func (t FHIRType) memberParam() (name string, ok bool) {
	for _, p := range t.Params {
		if p.Member {
			return p.Name, true
		}
	}
	return "", false
}

// fhirItems are the collection's FHIR requests: for every served type a
// read, and for a searchable one a folder with the search by the member in
// each spelling the API takes (GET, the docs' trailing slash, POST
// _search), one search by each other parameter with its example, and the
// docs' own examples for the type.
func fhirItems(types []FHIRType, fhirBase string) []pmItem {
	docs := docsExamples(fhirBase)
	items := []pmItem{get("CapabilityStatement", fhirBase+"/metadata", noAuth)}
	for _, t := range types {
		read := get("Read "+t.Name, fhirBase+"/"+t.Name+"/{{"+lowerFirst(t.Name)+"Id}}", nil)
		member, searchable := t.memberParam()
		if !searchable {
			items = append(items, read)
			continue
		}
		byMember := member + "={{patientId}}"
		folder := pmItem{Name: t.Name, Item: []pmItem{
			get("Search "+t.Name, fhirBase+"/"+t.Name+"?"+byMember, nil),
			get("Search "+t.Name+" (docs' trailing slash)", fhirBase+"/"+t.Name+"/?"+byMember, nil),
			postForm("Search "+t.Name+" (POST _search)", fhirBase+"/"+t.Name+"/_search", nil, member, "{{patientId}}"),
			read,
		}}
		for _, p := range t.Params {
			switch {
			case p.Name == member:
			case p.Member:
				folder.Item = append(folder.Item, get("Search "+t.Name+" by "+p.Name,
					fhirBase+"/"+t.Name+"?"+p.Name+"={{patientId}}", nil))
			default:
				folder.Item = append(folder.Item, get("Search "+t.Name+" by "+p.Name,
					fhirBase+"/"+t.Name+"?"+byMember+"&"+p.Name+"="+queryValue(p.Example), nil))
			}
		}
		folder.Item = append(folder.Item, docs[t.Name]...)
		items = append(items, folder)
	}
	return items
}

// docsExamples are searches the vendor docs show, by type; a type the API
// does not serve gets none.
func docsExamples(fhirBase string) map[string][]pmItem {
	return map[string][]pmItem{
		"Patient": {
			get("Search Patient by _id and _lastUpdated (docs)", fhirBase+"/Patient?_id={{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_format=application%2Fjson%2Bfhir", nil),
		},
		"ExplanationOfBenefit": {
			get("Search by _lastUpdated interval (docs)", fhirBase+"/ExplanationOfBenefit?patient=Patient/{{patientId}}&_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14T08:00:00-05:00", nil),
			get("Page with _count and startIndex (docs)", fhirBase+"/ExplanationOfBenefit?patient={{patientId}}&_count=50&startIndex=50", nil),
		},
	}
}

// queryValue escapes v for a query string (RFC 3986 §3.4), leaving the
// characters a query may hold as they are so the URL stays readable.
func queryValue(v string) string {
	return strings.NewReplacer("%3A", ":", "%2F", "/", "%2C", ",").Replace(url.QueryEscape(v))
}

func (c *Console) collection(base string) pmCollection {
	issuer, fhirBase := "{{issuer}}", "{{fhirBase}}"
	authz := pmItem{Name: "Authorization server", Item: []pmItem{
		get("Authorize (open in a browser)", issuer+"/authorize?response_type=code&client_id={{clientId}}&redirect_uri={{redirectUri}}&scope=openid%20fhirUser%20profile%20offline_access%20patient/*.read&state={{$guid}}", noAuth),
		postForm("Authorize (POST form)", issuer+"/authorize", noAuth, "response_type", "code", "client_id", "{{clientId}}", "redirect_uri", "{{redirectUri}}", "scope", "openid fhirUser profile patient/*.read", "state", "{{$guid}}"),
		get("Authorize (the docs' trailing slash)", issuer+"/authorize/?response_type=code&client_id={{clientId}}&redirect_uri={{redirectUri}}&scope=openid%20read%20profile%20patient/*.read&state=test", noAuth),
		postForm("Authorize (POST form, trailing slash)", issuer+"/authorize/", noAuth, "response_type", "code", "client_id", "{{clientId}}", "redirect_uri", "{{redirectUri}}", "scope", "openid patient/*.read", "state", "{{$guid}}"),
		postForm("Token: authorization_code", issuer+"/token", clientBasic, "grant_type", "authorization_code", "code", "{{code}}", "redirect_uri", "{{redirectUri}}"),
		postForm("Token: refresh_token", issuer+"/token", clientBasic, "grant_type", "refresh_token", "refresh_token", "{{refreshToken}}"),
		postForm("Revoke", issuer+"/revoke", clientBasic, "token", "{{accessToken}}"),
		postForm("Introspect", issuer+"/introspect", clientBasic, "token", "{{accessToken}}"),
		get("JWKS", issuer+"/jwks", noAuth),
		get("OpenID configuration (issuer)", issuer+"/.well-known/openid-configuration", noAuth),
		get("OpenID configuration (root)", "{{baseUrl}}/.well-known/openid-configuration", noAuth),
		get("SMART configuration", fhirBase+"/.well-known/smart-configuration", noAuth),
		get("UserInfo (/v1/connect/userinfo)", "{{baseUrl}}/v1/connect/userinfo", nil),
		get("UserInfo (FHIR base)", fhirBase+"/UserInfo", nil),
		postForm("UserInfo (POST)", "{{baseUrl}}/v1/connect/userinfo", nil),
		postForm("UserInfo (FHIR base, POST)", fhirBase+"/UserInfo", nil),
		get("Consent screens (reached through Authorize)", issuer+"/consent", noAuth),
		postForm("Consent screens: a step (posted by the screens' forms)", issuer+"/consent", noAuth, "step", "", "csrf", ""),
		get("Consent stylesheet", issuer+"/consent/style.css", noAuth),
	}}
	api := pmItem{Name: "FHIR R4", Item: fhirItems(c.cfg.FHIRTypes, fhirBase)}
	sandbox := pmItem{Name: "Sandbox", Item: []pmItem{
		get("Health", "{{baseUrl}}/health", noAuth),
		get("Home page", "{{baseUrl}}/", noAuth),
		get("Debugger", "{{baseUrl}}/debug", noAuth),
		get("Home page stylesheet", "{{baseUrl}}/static/console.css", noAuth),
		postForm("Debugger: exchange", "{{baseUrl}}/debug", noAuth, "code", "{{code}}", "csrf", "(from the debugger page)"),
		get("This collection", "{{baseUrl}}/postman.json", noAuth),
		get("Control API: actions", "{{baseUrl}}/sandbox", noAuth),
		get("Control API: faults", "{{baseUrl}}/sandbox/faults", noAuth),
		postJSONRaw("Control API: arm a fault", "{{baseUrl}}/sandbox/faults", `{"path": "/fhir/sb/R4/patientaccess/*", "count": 1, "status": 429, "retry_after": 2}`),
		deleteReq("Control API: disarm faults", "{{baseUrl}}/sandbox/faults"),
		get("Control API: clock", "{{baseUrl}}/sandbox/clock", noAuth),
		postJSONRaw("Control API: advance the clock", "{{baseUrl}}/sandbox/clock", `{"advance": "2h"}`),
		get("Control API: last requests", "{{baseUrl}}/sandbox/requests?limit=20", noAuth),
		deleteReq("Control API: forget requests", "{{baseUrl}}/sandbox/requests"),
		postJSONRaw("Control API: add a claim", "{{baseUrl}}/sandbox/members/{{patientId}}/claims", `{"type": "carrier"}`),
		postJSONRaw("Control API: update a resource", "{{baseUrl}}/sandbox/members/{{patientId}}/touch", `{"resourceType": "Patient", "id": "{{patientId}}"}`),
		postJSONRaw("Control API: reset", "{{baseUrl}}/sandbox/reset", ``),
	}}
	authz.Item = append(authz.Item, appsPageItems(issuer)...)
	sandbox.Item = append(sandbox.Item, grantAndWorkspaceItems(c.cfg.Workspaces)...)
	return pmCollection{
		Info: pmInfo{
			PostmanID:   "4f1c2b4e-5bcb-4c1e-9a53-bcbsnc0sandbox",
			Name:        "Blue Cross NC API sandbox",
			Description: "Every endpoint of the local Blue Cross NC Patient Access API sandbox at " + base + ". Get a token with the collection's OAuth 2.0 settings (Authorization tab → Get New Access Token), log in as BCNCUser03 / BCNCPSWD03.",
			Schema:      postmanSchema,
		},
		Auth: &pmAuth{Type: "oauth2", OAuth2: []pmVariable{
			{Key: "grant_type", Value: "authorization_code", Type: "string"},
			{Key: "authUrl", Value: base + c.cfg.IssuerPath + "/authorize", Type: "string"},
			{Key: "accessTokenUrl", Value: base + c.cfg.IssuerPath + "/token", Type: "string"},
			{Key: "clientId", Value: "{{clientId}}", Type: "string"},
			{Key: "clientSecret", Value: "{{clientSecret}}", Type: "string"},
			{Key: "redirect_uri", Value: "{{redirectUri}}", Type: "string"},
			{Key: "scope", Value: "openid fhirUser profile offline_access patient/*.read", Type: "string"},
			{Key: "state", Value: "postman-{{$guid}}", Type: "string"},
			{Key: "client_authentication", Value: "header", Type: "string"},
			{Key: "useBrowser", Value: false, Type: "boolean"},
			{Key: "addTokenTo", Value: "header", Type: "string"},
			{Key: "tokenName", Value: "Blue Cross NC sandbox", Type: "string"},
		}},
		Item: []pmItem{authz, api, sandbox},
		Variable: []pmVariable{
			{Key: "baseUrl", Value: base},
			{Key: "issuer", Value: base + c.cfg.IssuerPath},
			{Key: "fhirBase", Value: base + c.cfg.FHIRPath},
			{Key: "clientId", Value: c.cfg.DebugClientID},
			{Key: "clientSecret", Value: c.cfg.DebugClientSecret},
			{Key: "redirectUri", Value: "https://oidcdebugger.com/debug"},
			{Key: "patientId", Value: "-20140000008325"},
			{Key: "coverageId", Value: "part-a-20140000008325"},
			{Key: "explanationOfBenefitId", Value: "carrier-22011027731"},
			{Key: "code", Value: ""},
			{Key: "accessToken", Value: ""},
			{Key: "refreshToken", Value: ""},
		},
	}
}

// appsPageItems are the members' apps page: where a member sees and
// removes the apps holding access.
func appsPageItems(issuer string) []pmItem {
	return []pmItem{
		get("Connected apps page (open in a browser)", issuer+"/apps", noAuth),
		postForm("Connected apps page: log in, remove an app, log out (posted by its forms)", issuer+"/apps", noAuth, "action", "login", "csrf", "(from the page)"),
	}
}

// grantAndWorkspaceItems are the control calls for grants and minted
// tokens, and, where the control API manages them, for workspaces.
func grantAndWorkspaceItems(workspaces bool) []pmItem {
	items := []pmItem{
		postJSONRaw("Control API: tokens without a browser", "{{baseUrl}}/sandbox/tokens",
			`{"username": "BCNCUser03", "client_id": "{{clientId}}", "scope": "openid fhirUser profile offline_access patient/*.read"}`),
		get("Control API: a member's grants", "{{baseUrl}}/sandbox/members/{{patientId}}/grants", noAuth),
		postJSONRaw("Control API: revoke a member's grants", "{{baseUrl}}/sandbox/members/{{patientId}}/grants/revoke", `{"client_id": "{{clientId}}"}`),
		postJSONRaw("Control API: expire a member's refresh tokens", "{{baseUrl}}/sandbox/members/{{patientId}}/grants/expire", `{"client_id": "{{clientId}}"}`),
	}
	if workspaces {
		items = append(items,
			get("Control API: workspaces", "{{baseUrl}}/sandbox/workspaces", noAuth),
			postJSONRaw("Control API: create a workspace", "{{baseUrl}}/sandbox/workspaces", `{"name": "my-suite", "profile": "strict", "token_ttl": "5m"}`),
			get("Control API: a workspace", "{{baseUrl}}/sandbox/workspaces/my-suite", noAuth),
			deleteReq("Control API: forget a workspace", "{{baseUrl}}/sandbox/workspaces/my-suite"),
		)
	}
	return items
}

func postJSONRaw(name, url, body string) pmItem {
	it := pmItem{Name: name, Request: &pmReq{
		Method: http.MethodPost,
		Header: []pmHeader{{Key: "Content-Type", Value: "application/json"}},
		URL:    pmURL{Raw: url}, Auth: noAuth,
	}}
	if body != "" {
		it.Request.Body = &pmBody{Mode: "raw"}
		it.Request.Body.Raw = body
	}
	return it
}

func deleteReq(name, url string) pmItem {
	return pmItem{Name: name, Request: &pmReq{Method: http.MethodDelete, Header: []pmHeader{}, URL: pmURL{Raw: url}, Auth: noAuth}}
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
