package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

const (
	issuerPath       = "/fhirmember/sps/oauth/oauth20"
	fhirPath         = "/fhir/sb/R4/patientaccess"
	docsClientID     = "JVjR77J3j4BaRVqoDtLx"
	docsClientSecret = "SR3SrK6U1WpGOdjWS2LY"
	docsRedir        = "https://oidcdebugger.com/debug"
)

// docsAuthorizeURL is Step 1's URL from the vendor docs with only the host
// replaced.
func docsAuthorizeURL(base string) string {
	return base + issuerPath + "/authorize?response_type=code&client_id=" + docsClientID +
		"&redirect_uri=" + docsRedir + "&scope=openid%20read%20profile%20patient/*.read&state=test"
}

// member is how the member answers the screens.
type member struct {
	username, password string
	representative     string // "" for Self, else the relationship's label
	repName, repOther  string
	withholdPersonal   bool
	deny               bool
}

// walk drives the screens from an authorize URL to the redirect back to the
// app and returns that redirect.
func walk(t *testing.T, b *browser, authorizeURL string, m member) *url.URL {
	t.Helper()
	p := b.get(authorizeURL)
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": m.username, "password": m.password}, nil, "Log In")
	if m.representative == "" {
		p = b.submit(p, nil, []string{"Self"}, "Next")
	} else {
		text := map[string]string{"full name": m.repName}
		if m.repOther != "" {
			text["relationship to"] = m.repOther
		}
		p = b.submit(p, text, []string{"Personal Representative", m.representative}, "Next")
	}
	var choose []string
	if m.withholdPersonal {
		choose = []string{"not my personal"}
	}
	press := "I Agree"
	if m.deny {
		press = "Deny"
	}
	p = b.submit(p, nil, choose, press)
	if p.Status != http.StatusSeeOther && p.Status != http.StatusFound {
		t.Fatalf("the last screen answered %d, not a redirect back to the app:\n%s", p.Status, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func codeFrom(t *testing.T, u *url.URL, wantState string) string {
	t.Helper()
	q := u.Query()
	if q.Get("error") != "" {
		t.Fatalf("redirected with error %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != wantState {
		t.Errorf("state %q, want %q", q.Get("state"), wantState)
	}
	if q.Get("iss") == "" {
		t.Error("the redirect carries no iss (RFC 9207)")
	}
	if q.Get("code") == "" {
		t.Fatalf("no code in %s", u)
	}
	return q.Get("code")
}

// TestDocsWalkthrough follows the vendor docs from Step 1 to Step 3 as
// written: their authorize URL, the four screens as BCNCUser03, their curl
// token call, and their Patient read.
func TestDocsWalkthrough(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	back := sb.consent(t, member{username: "BCNCUser03", password: "BCNCPSWD03"})
	if got := back.Scheme + "://" + back.Host + back.Path; got != docsRedir {
		t.Fatalf("sent back to %s, want the docs' redirect %s", got, docsRedir)
	}
	code := codeFrom(t, back, "test")

	status, tok := sb.docsTokenCall(t, code, docsRedir)
	if status != http.StatusOK {
		t.Fatalf("token call: %d %+v", status, tok)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn <= 0 || tok.RefreshToken == "" || tok.IDToken == "" {
		t.Errorf("token response incomplete: %+v", tok)
	}
	if tok.Patient != "-20140000008325" {
		t.Fatalf("patient %q, want the docs' -20140000008325", tok.Patient)
	}
	if strings.Contains(" "+tok.Scope+" ", " read ") {
		t.Errorf("granted scope %q includes the unknown scope read", tok.Scope)
	}

	status, body := sb.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("Patient read: %d %s", status, body)
	}
	if err := r4check.ValidateResource(body, true); err != nil {
		t.Errorf("Patient is not valid R4: %v", err)
	}
	var pat struct {
		Name []struct {
			Family string   `json:"family"`
			Given  []string `json:"given"`
		} `json:"name"`
		BirthDate string `json:"birthDate"`
	}
	json.Unmarshal(body, &pat)
	if len(pat.Name) == 0 || pat.Name[0].Family != "Doe" || pat.BirthDate != "2014-06-01" {
		t.Errorf("not the docs' Jane X Doe: %s", body)
	}

	// The code is single-use (RFC 6749 §4.1.2).
	if status, again := sb.docsTokenCall(t, code, docsRedir); status != http.StatusBadRequest || again.Error != "invalid_grant" {
		t.Errorf("replayed code: %d %+v, want 400 invalid_grant", status, again)
	}
	// ... and its reuse revoked what it issued.
	if status, _ := sb.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("a token from a replayed code still reads: %d", status)
	}
}

// TestRepresentativeFlows walks each of the docs' four relationships.
func TestRepresentativeFlows(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	rels := []struct{ label, other string }{
		{"Parent or guardian of a minor", ""},
		{"Active healthcare power of attorney", ""},
		{"Court ordered guardianship", ""},
		{"Other", "Adult daughter"},
	}
	for _, rel := range rels {
		t.Run(rel.label, func(t *testing.T) {
			back := sb.consent(t, member{
				username: "BCNCUser04", password: "BCNCPSWD04",
				representative: rel.label, repName: "Pat Q Rep", repOther: rel.other,
			})
			status, tok := sb.docsTokenCall(t, codeFrom(t, back, "test"), docsRedir)
			if status != http.StatusOK {
				t.Fatalf("token: %d %+v", status, tok)
			}
			if tok.Patient != "-20140000000024" {
				t.Errorf("patient %q, want the member's -20140000000024", tok.Patient)
			}
			claims := jwtClaims(t, tok.IDToken)
			fhirUser, _ := claims["fhirUser"].(string)
			i := strings.Index(fhirUser, "RelatedPerson/")
			if i < 0 {
				t.Fatalf("fhirUser %q is not a RelatedPerson", fhirUser)
			}
			status, body := sb.get(t, fhirPath+"/"+fhirUser[i:], tok.AccessToken)
			if status != http.StatusOK {
				t.Fatalf("RelatedPerson read: %d %s", status, body)
			}
			if err := r4check.ValidateResource(body, false); err != nil {
				t.Errorf("RelatedPerson is not valid R4: %v\n%s", err, body)
			}
			if !strings.Contains(string(body), "Pat Q Rep") || (rel.other != "" && !strings.Contains(string(body), rel.other)) {
				t.Errorf("RelatedPerson does not carry what was entered: %s", body)
			}
		})
	}
}

func TestDenyAndWithheldPersonalInfo(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	t.Run("deny", func(t *testing.T) {
		back := sb.consent(t, member{username: "BCNCUser05", password: "BCNCPSWD05", deny: true})
		q := back.Query()
		if q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != "test" {
			t.Fatalf("Deny redirected with %s, want error=access_denied&state=test and no code", back.RawQuery)
		}
	})
	t.Run("health data without personal info", func(t *testing.T) {
		back := sb.consent(t, member{username: "BCNCUser05", password: "BCNCPSWD05", withholdPersonal: true})
		status, tok := sb.docsTokenCall(t, codeFrom(t, back, "test"), docsRedir)
		if status != http.StatusOK {
			t.Fatalf("token: %d %+v", status, tok)
		}
		if strings.Contains(tok.Scope, "Patient.") || strings.Contains(" "+tok.Scope+" ", " profile ") {
			t.Errorf("granted scope %q still holds Patient or profile", tok.Scope)
		}
		if s, _ := sb.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken); s != http.StatusForbidden {
			t.Errorf("Patient read: %d, want 403", s)
		}
		if s, _ := sb.get(t, "/v1/connect/userinfo", tok.AccessToken); s != http.StatusForbidden {
			t.Errorf("userinfo: %d, want 403", s)
		}
		if s, body := sb.get(t, fhirPath+"/ExplanationOfBenefit/?patient="+tok.Patient, tok.AccessToken); s != http.StatusOK {
			t.Errorf("EOB search: %d %s, want 200", s, body)
		}
	})
}

func TestWrongPasswordIsNotConsent(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	b := sb.newBrowser(t)
	p := b.get(docsAuthorizeURL(sb.URL))
	p = b.submit(p, nil, nil, "I Understand")
	p = b.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD04"}, nil, "Log In")
	if p.Location != "" || p.Status < 200 || p.Status >= 500 {
		t.Fatalf("a wrong password answered %d to %q", p.Status, p.Location)
	}
	if _, ok := p.postForm(t).byLabel("password", "password"); !ok {
		t.Fatal("the login form is not shown again")
	}
	if !strings.Contains(strings.ToLower(p.Body), "incorrect") && !strings.Contains(strings.ToLower(p.Body), "wrong") && !strings.Contains(strings.ToLower(p.Body), "not correct") {
		t.Errorf("the login form gives no error message:\n%s", p.Body)
	}
	// The same browser can still log in properly.
	p = b.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
	p = b.submit(p, nil, []string{"Self"}, "Next")
	p = b.submit(p, nil, nil, "I Agree")
	u, _ := url.Parse(p.Location)
	codeFrom(t, u, "test")
}

func jwtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", jwt)
	}
	raw, err := decodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
