package oauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/labstack/echo/v4"
)

// testKey is the package's one RSA key: generating one costs ~100 ms.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

const (
	docsClientID     = "JVjR77J3j4BaRVqoDtLx"
	docsClientSecret = "SR3SrK6U1WpGOdjWS2LY"
	docsRedirect     = "https://oidcdebugger.com/debug"
	host             = "sandbox.test"
	base             = "http://" + host
	issuerURL        = base + IssuerPath
	fhirPath         = "/fhir/sb/R4/patientaccess"
	fhirURL          = base + fhirPath

	publicID       = "native-app"
	publicRedirect = "com.example.app:/callback"
	otherID        = "other-app"
	otherSecret    = "o+ther:sec ret/=" // needs RFC 6749 §2.3.1 encoding inside Basic
	otherRedirect  = "https://other.example/cb"
	codeOnlyID     = "code-only"
	codeOnlySecret = "code-only-secret"

	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
)

// challenge is the S256 challenge of verifier (RFC 7636 Appendix B).
func challengeOf(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// testResourceTypes stand in for the FHIR route table, which main passes in.
var testResourceTypes = []string{"Patient", "Coverage", "ExplanationOfBenefit", "Condition", "Observation", "Procedure",
	"AllergyIntolerance", "Immunization", "MedicationRequest", "Encounter", "Practitioner", "Organization", "RelatedPerson"}

// testScopes are the scope rules of a server built from testResourceTypes.
var testScopes = scopeRules{types: testResourceTypes}

// testConfig is the tests' Config before any edit.
func testConfig() Config {
	return Config{Key: testKey(), Clients: testClients(), Accounts: testAccounts, BaseURL: hostBaseURL,
		FHIRBasePath: fhirPath, ResourceTypes: testResourceTypes}
}

func testClients() []Client {
	return []Client{
		{ID: docsClientID, Secret: docsClientSecret, Name: "Docs app", RedirectURIs: []string{docsRedirect, "{base}/debug"}},
		{ID: publicID, Name: "Native app", RedirectURIs: []string{publicRedirect, "http://127.0.0.1/callback"}},
		{ID: otherID, Secret: otherSecret, RedirectURIs: []string{otherRedirect}},
		{ID: codeOnlyID, Secret: codeOnlySecret, RedirectURIs: []string{otherRedirect}, GrantTypes: []string{grantCode}},
	}
}

func testAccounts(username string) (Account, bool) {
	accts := map[string]Account{
		"BCNCUser03": {Username: "BCNCUser03", PatientID: "-20140000008325", GivenName: "Jane", FamilyName: "Doe", Email: "jane@example.com", Created: "2017-11-28"},
		"BCNCUser04": {Username: "BCNCUser04", PatientID: "-20140000000024", GivenName: "John", FamilyName: "Roe", Email: "john@example.com", Created: "2018-01-02"},
	}
	a, ok := accts[username]
	return a, ok
}

// newServer builds a Server for the tests; edit changes the Config first.
func newServer(t testing.TB, edit func(*Config)) *Server {
	t.Helper()
	cfg := testConfig()
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hostBaseURL is the tests' base URL: plain HTTP on the request's host
// (serve sets it to host; a real listener's requests carry its address).
func hostBaseURL(r *http.Request) string { return "http://" + r.Host }

// router serves s through echo exactly as main does.
func router(s *Server) *echo.Echo {
	e := echo.New()
	s.Register(e.Group(""))
	return e
}

// serve runs one request through e; redirects are never followed.
func serve(e *echo.Echo, r *http.Request) *httptest.ResponseRecorder {
	r.Host = host
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func get(e *echo.Echo, target string) *httptest.ResponseRecorder {
	return serve(e, httptest.NewRequest(http.MethodGet, target, nil))
}

// postForm posts form as application/x-www-form-urlencoded; basic, when not
// nil, is sent as HTTP Basic credentials (id, secret), each form-encoded.
func postForm(e *echo.Echo, path string, form url.Values, basic []string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		r.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	return serve(e, r)
}

// location parses the Location header of a redirect.
func location(t testing.TB, w *httptest.ResponseRecorder) *url.URL {
	t.Helper()
	if w.Code != http.StatusFound {
		t.Fatalf("status %d, want 302; body %s", w.Code, w.Body)
	}
	u, err := url.Parse(w.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorizeQuery is a valid request of the docs' client plus extra.
func authorizeQuery(extra map[string]string) url.Values {
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {docsClientID},
		"redirect_uri":  {docsRedirect},
		"scope":         {"openid fhirUser profile offline_access patient/*.read"},
		"state":         {"st4te"},
	}
	for k, v := range extra {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	return q
}

// startFlow sends q to /authorize and returns the consent handle.
func startFlow(t testing.TB, e *echo.Echo, q url.Values) string {
	t.Helper()
	u := location(t, get(e, IssuerPath+"/authorize?"+q.Encode()))
	if u.Path != IssuerPath+consent.StartPath {
		t.Fatalf("redirected to %s, want the consent screens", u)
	}
	h := u.Query().Get("request")
	if h == "" {
		t.Fatal("no request handle")
	}
	return h
}

// approve finishes handle as BCNCUser03, Self, sharing everything, and
// returns the code.
func approve(t testing.TB, s *Server, handle string) string {
	t.Helper()
	return finishCode(t, s, handle, consent.Decision{Approved: true, Username: "BCNCUser03", SharePersonal: true})
}

func finishCode(t testing.TB, s *Server, handle string, d consent.Decision) string {
	t.Helper()
	to, err := s.Finish(context.Background(), handle, d)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	code := u.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", to)
	}
	return code
}

// codeFor runs the flow for q and returns a code.
func codeFor(t testing.TB, s *Server, e *echo.Echo, q url.Values) string {
	t.Helper()
	return approve(t, s, startFlow(t, e, q))
}

// exchange is the docs client's client_secret_post code exchange.
func exchangeForm(code string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {docsRedirect},
		"client_id": {docsClientID}, "client_secret": {docsClientSecret},
	}
}

// tokens decodes a successful token response.
func tokens(t testing.TB, w *httptest.ResponseRecorder) tokenResponse {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("token status %d: %s", w.Code, w.Body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(w.Body.Bytes(), &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// wantError checks an RFC 6749 §5.2 error answer.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("status %d, body %q: %v", w.Code, w.Body, err)
	}
	if w.Code != status || body.Error != code {
		t.Fatalf("got %d %q (%s), want %d %q", w.Code, body.Error, body.Description, status, code)
	}
	if body.Description == "" {
		t.Error("no error_description")
	}
}

// docsTokens runs the whole flow for the docs' client and returns its tokens.
func docsTokens(t testing.TB, s *Server, e *echo.Echo) tokenResponse {
	t.Helper()
	code := codeFor(t, s, e, authorizeQuery(nil))
	return tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
}

// decisionSelf is I Agree as BCNCUser03, Self, sharing everything.
func decisionSelf() consent.Decision {
	return consent.Decision{Approved: true, Username: "BCNCUser03", SharePersonal: true}
}

// bearerGet is GET target with a bearer token.
func bearerGet(e *echo.Echo, target, tok string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return serve(e, r)
}

// otherKey is a second key, for servers that must not trust each other.
var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
