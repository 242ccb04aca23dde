package oauth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/consent"
	"github.com/go-jose/go-jose/v4"
)

// Deny sends the browser back with access_denied, state and iss (RFC 6749 §4.1.2.1).
func TestFinishDeny(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	to, err := s.Finish(context.Background(), startFlow(t, e, authorizeQuery(nil)), consent.Decision{Approved: false})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	if !strings.HasPrefix(to, docsRedirect+"?") || q.Get("error") != codeAccessDenied ||
		q.Get("state") != "st4te" || q.Get("iss") != issuerURL || q.Has("code") {
		t.Errorf("deny redirect %s", to)
	}
}

// A handle can be finished once, and a forged or foreign one never.
func TestFinishOnce(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	h := startFlow(t, e, authorizeQuery(nil))
	approve(t, s, h)
	if _, err := s.Finish(context.Background(), h, decisionSelf()); err == nil {
		t.Error("second Finish succeeded")
	}
	if _, err := s.Describe(context.Background(), h); err == nil {
		t.Error("Describe accepted a finished handle")
	}
	if _, err := s.Finish(context.Background(), h, consent.Decision{}); err == nil {
		t.Error("Deny after I Agree succeeded")
	}
	if _, err := s.Describe(context.Background(), h+"x"); err == nil {
		t.Error("Describe accepted a garbled handle")
	}
	// A code is sealed with another kind: it is not a handle.
	code := codeFor(t, s, e, authorizeQuery(nil))
	if _, err := s.Describe(context.Background(), code); err == nil {
		t.Error("Describe accepted a code")
	}
	// An unknown member or a representative without a name is refused and
	// the handle stays usable.
	h2 := startFlow(t, e, authorizeQuery(nil))
	if _, err := s.Finish(context.Background(), h2, consent.Decision{Approved: true, Username: "nobody"}); err == nil {
		t.Error("Finish accepted an unknown member")
	}
	bad := decisionSelf()
	bad.Representative = &consent.Representative{Relationship: consent.RelParent}
	if _, err := s.Finish(context.Background(), h2, bad); err == nil {
		t.Error("Finish accepted a representative without a name")
	}
	approve(t, s, h2)
}

// Declining personal info (README, "Tokens") drops profile and patient/Patient.*
// and expands patient/*.read to every other type; userinfo then answers 403.
func TestDeclinePersonalInfo(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	h := startFlow(t, e, authorizeQuery(map[string]string{"scope": "openid profile patient/*.read patient/Patient.rs patient/Coverage.read"}))
	d := decisionSelf()
	d.SharePersonal = false
	code := finishCode(t, s, h, d)
	tr := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(code), nil))
	scopes := strings.Fields(tr.Scope)
	for _, sc := range scopes {
		if sc == "profile" || strings.HasPrefix(sc, "patient/Patient.") || sc == "patient/*.read" {
			t.Errorf("scope %q granted after the member declined personal info", sc)
		}
	}
	for _, want := range []string{"openid", "patient/Coverage.read", "patient/ExplanationOfBenefit.read", "patient/Observation.read"} {
		if !slices.Contains(scopes, want) {
			t.Errorf("scope %q missing from %q", want, tr.Scope)
		}
	}
	if strings.Count(tr.Scope, "patient/Coverage.read") != 1 {
		t.Errorf("duplicate scope in %q", tr.Scope)
	}
	g, err := s.Lookup(context.Background(), tr.AccessToken)
	if err != nil || !slices.Equal(g.Scopes, scopes) {
		t.Errorf("Lookup = %q, %v", g.Scopes, err)
	}
	if w := bearerGet(e, "/v1/connect/userinfo", tr.AccessToken); w.Code != http.StatusForbidden {
		t.Errorf("userinfo status %d, want 403", w.Code)
	}
}

// A representative's token is for the member's patient with fhirUser
// RelatedPerson/{id}, the id deterministic from what was entered.
func TestRepresentativeGrant(t *testing.T) {
	s := newServer(t, nil)
	e := router(s)
	rep := consent.Representative{Relationship: consent.RelOther, OtherRelationship: "Aunt", FullName: "Ann Example"}
	d := decisionSelf()
	d.Representative = &rep
	tr := tokens(t, postForm(e, IssuerPath+"/token",
		exchangeForm(finishCode(t, s, startFlow(t, e, authorizeQuery(nil)), d)), nil))
	if tr.Patient != "-20140000008325" {
		t.Errorf("patient %q, want the member's", tr.Patient)
	}
	g, err := s.Lookup(context.Background(), tr.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := relatedPersonID("-20140000008325", rep)
	if g.RelatedPersonID != want || g.FHIRUser != "RelatedPerson/"+want || g.Patient != "-20140000008325" ||
		g.Representative == nil || *g.Representative != rep {
		t.Errorf("grant %+v", g)
	}
	if !strings.HasPrefix(want, "rp-") || len(want) > 64 {
		t.Errorf("related person id %q", want)
	}
	// The same representative gets the same id; another name another id.
	if relatedPersonID("-20140000008325", rep) != want {
		t.Error("related person id is not deterministic")
	}
	rep2 := rep
	rep2.FullName = "Bob Example"
	if relatedPersonID("-20140000008325", rep2) == want || relatedPersonID("-20140000000024", rep) == want {
		t.Error("related person id ignores the name or the patient")
	}
	claims := idTokenPayload(t, tr.IDToken)
	if claims["fhirUser"] != fhirURL+"/RelatedPerson/"+want {
		t.Errorf("id_token fhirUser %v", claims["fhirUser"])
	}
}

// --auto-approve answers /authorize with a code at once, as login_hint when
// it names a known account, else as the configured user.
func TestAutoApprove(t *testing.T) {
	s := newServer(t, func(c *Config) { c.AutoApprove = "BCNCUser03" })
	e := router(s)
	for hint, patient := range map[string]string{"": "-20140000008325", "BCNCUser04": "-20140000000024", "nobody": "-20140000008325"} {
		q := authorizeQuery(map[string]string{"login_hint": hint})
		u := location(t, get(e, IssuerPath+"/authorize?"+q.Encode()))
		if !strings.HasPrefix(u.String(), docsRedirect+"?") || u.Query().Get("iss") != issuerURL || u.Query().Get("state") != "st4te" {
			t.Fatalf("hint %q: redirected to %s", hint, u)
		}
		tr := tokens(t, postForm(e, IssuerPath+"/token", exchangeForm(u.Query().Get("code")), nil))
		if tr.Patient != patient || !strings.Contains(tr.Scope, "profile") {
			t.Errorf("hint %q: patient %q scope %q, want %q sharing everything", hint, tr.Patient, tr.Scope, patient)
		}
	}
	// Errors are still errors under auto-approve.
	u := location(t, get(e, IssuerPath+"/authorize?"+authorizeQuery(map[string]string{"response_type": "token"}).Encode()))
	if u.Query().Get("error") != codeUnsupportedResponseType {
		t.Errorf("auto-approve hid an error: %s", u)
	}
}

// idTokenPayload verifies an id_token with the server's key and returns its claims.
func idTokenPayload(t testing.TB, raw string) map[string]any {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := jws.Verify(&testKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}
