package app

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/fhir"
	"github.com/bcbsnc-sandbox/sandbox/fixtures"
	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// The edge-case accounts and their patients (README, "Test accounts").
const (
	edgeDeceased      = "BCNCEdgeDeceased"
	edgeTerminated    = "BCNCEdgeTerminated"
	edgeNoClaims      = "BCNCEdgeNoClaims"
	edgeMerged        = "BCNCEdgeMerged"
	edgeGuardian      = "BCNCEdgeGuardian"
	edgeManyClaims    = "BCNCEdgeManyClaims"
	edgeAdvantageOnly = "BCNCEdgeAdvantageOnly"
	edgePharmacyOnly  = "BCNCEdgePharmacyOnly"
	edgeUpdatedAfter  = "BCNCEdgeUpdatedAfter"

	edgeMergedPatient = "-40000000000004"
	edgeFormerPatient = "-49000000000004"
	edgeMinorPatient  = "-40000000000005"
)

// edgeBundle is what the edge tests read of a searchset.
type edgeBundle struct {
	Total *int `json:"total"`
	Link  []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
}

// edgeSearch reads one page of a search, checks it is valid R4 and
// returns it.
func edgeSearch(t *testing.T, sb *sandbox, target, token string) edgeBundle {
	t.Helper()
	return edgePage(t, sb, target, token, true)
}

// edgePage reads one page of a search, checked as valid R4 when validate
// is set.
func edgePage(t *testing.T, sb *sandbox, target, token string, validate bool) edgeBundle {
	t.Helper()
	status, body := sb.get(t, target, token)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, status, body)
	}
	if validate {
		if err := r4check.Validate(body); err != nil {
			t.Fatalf("GET %s: not valid R4: %v", target, err)
		}
	}
	var b edgeBundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// edgeSearchAll follows a search's next links to its end and returns
// every entry's resource, and the total the first page gave. It checks the
// first two pages are valid R4: validating all of a thousand claims takes
// half a minute under -race, and the generator's tests validate every
// resource.
func edgeSearchAll(t *testing.T, sb *sandbox, target, token string, pages int) ([]map[string]any, int) {
	t.Helper()
	var all []map[string]any
	total := -1
	for page := 0; target != ""; page++ {
		if page == pages {
			t.Fatalf("more than %d pages", pages)
		}
		b := edgePage(t, sb, target, token, page < 2)
		if total < 0 && b.Total != nil {
			total = *b.Total
		}
		for _, e := range b.Entry {
			var r map[string]any
			if err := json.Unmarshal(e.Resource, &r); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		target = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				target = strings.TrimPrefix(l.URL, sb.URL)
			}
		}
	}
	return all, total
}

// edgeString reads a string at a path of object keys.
func edgeString(r map[string]any, path ...string) string {
	var v any = r
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// edgeTokens starts a sandbox and returns it with a token for username.
func edgeTokens(t *testing.T, username string) (*sandbox, tokenResponse) {
	t.Helper()
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	return sb, sb.approvedTokens(t, username)
}

// TestHomePageListsEdgeAccounts: the home page's accounts table names every
// edge-case account with its password and patient id.
func TestHomePageListsEdgeAccounts(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	status, body := sb.get(t, "/", "")
	if status != http.StatusOK {
		t.Fatalf("home page: %d", status)
	}
	page := string(body)
	accounts := fixtures.NewCatalog(1, 0).EdgeAccounts()
	if len(accounts) != len(generator.EdgeTraits) {
		t.Fatalf("%d edge accounts for %d traits", len(accounts), len(generator.EdgeTraits))
	}
	for _, a := range accounts {
		for _, want := range []string{"<code>" + a.Username + "</code>", "<code>" + a.Password + "</code>", "<code>" + a.PatientID + "</code>"} {
			if !strings.Contains(page, want) {
				t.Errorf("home page lacks %s", want)
			}
		}
	}
}

// TestEdgeDeceased: the Patient has deceasedDateTime, no claim is serviced
// on or after the day of death, and every Coverage ended that day.
func TestEdgeDeceased(t *testing.T) {
	sb, tok := edgeTokens(t, edgeDeceased)
	status, body := sb.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("Patient: %d", status)
	}
	if err := r4check.ValidateResource(body, true); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	json.Unmarshal(body, &p)
	death := edgeString(p, "deceasedDateTime")
	if len(death) < 10 || p["deceasedBoolean"] != nil {
		t.Fatalf("deceasedDateTime %q, deceasedBoolean %v", death, p["deceasedBoolean"])
	}
	eobs, total := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
	if len(eobs) == 0 || len(eobs) != total {
		t.Fatalf("%d EOBs of total %d", len(eobs), total)
	}
	for _, e := range eobs {
		if end := edgeString(e, "billablePeriod", "end"); end == "" || end >= death[:10] {
			t.Errorf("EOB %s serviced until %s, death %s", e["id"], end, death)
		}
	}
	coverages, _ := edgeSearchAll(t, sb, fhirPath+"/Coverage", tok.AccessToken, 2)
	for _, c := range coverages {
		if c["status"] != "cancelled" || edgeString(c, "period", "end") != death[:10] {
			t.Errorf("Coverage %s: status %v, period %v; death %s", c["id"], c["status"], c["period"], death)
		}
	}
	if len(coverages) == 0 {
		t.Error("no Coverage")
	}
}

// TestEdgeTerminated: every Coverage was cancelled last calendar year (of
// the as-of date) and no claim is serviced after it ended.
func TestEdgeTerminated(t *testing.T) {
	sb, tok := edgeTokens(t, edgeTerminated)
	lastYear := generator.DefaultAsOf.AddDate(-1, 0, 0).Format("2006")
	coverages, _ := edgeSearchAll(t, sb, fhirPath+"/Coverage", tok.AccessToken, 2)
	end := ""
	for _, c := range coverages {
		end = edgeString(c, "period", "end")
		if c["status"] != "cancelled" || !strings.HasPrefix(end, lastYear+"-") {
			t.Errorf("Coverage %s: status %v, period %v; want cancelled in %s", c["id"], c["status"], c["period"], lastYear)
		}
	}
	if len(coverages) == 0 {
		t.Fatal("no Coverage")
	}
	eobs, _ := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
	if len(eobs) == 0 {
		t.Fatal("no EOBs before the coverage ended")
	}
	for _, e := range eobs {
		if got := edgeString(e, "billablePeriod", "end"); got > end {
			t.Errorf("EOB %s serviced until %s, after coverage ended %s", e["id"], got, end)
		}
	}
	// Searched by service date, nothing after the end.
	after := edgeSearch(t, sb, fhirPath+"/ExplanationOfBenefit?service-date=gt"+end, tok.AccessToken)
	if after.Total == nil || *after.Total != 0 {
		t.Errorf("service-date=gt%s: total %v", end, after.Total)
	}
}

// TestEdgeNoClaims: Coverage is there, and the searches for claims answer
// an empty searchset with total 0.
func TestEdgeNoClaims(t *testing.T) {
	sb, tok := edgeTokens(t, edgeNoClaims)
	for _, target := range []string{
		"/ExplanationOfBenefit",
		"/ExplanationOfBenefit?patient=" + tok.Patient,
		"/ExplanationOfBenefit?type=pde",
	} {
		b := edgeSearch(t, sb, fhirPath+target, tok.AccessToken)
		if b.Total == nil || *b.Total != 0 || len(b.Entry) != 0 {
			t.Errorf("%s: total %v, %d entries", target, b.Total, len(b.Entry))
		}
	}
	if b := edgeSearch(t, sb, fhirPath+"/Coverage", tok.AccessToken); b.Total == nil || *b.Total == 0 {
		t.Errorf("Coverage: total %v", b.Total)
	}
}

// TestEdgeMerged: the former record's identifier finds the surviving
// Patient, which links to it as replaced; the former id reads as an
// inactive Patient whose link replaced-by names the survivor; and neither
// is another member's to read or find.
func TestEdgeMerged(t *testing.T) {
	sb, tok := edgeTokens(t, edgeMerged)
	if tok.Patient != edgeMergedPatient {
		t.Fatalf("patient %s", tok.Patient)
	}
	byOld := fhirPath + "/Patient?identifier=" + url.QueryEscape("http://apiservicessbext.bcbsnc.com/identifier#bene_id|"+edgeFormerPatient)
	found, total := edgeSearchAll(t, sb, byOld, tok.AccessToken, 2)
	if total != 1 || len(found) != 1 || found[0]["id"] != edgeMergedPatient {
		t.Fatalf("search by the old identifier: total %d, %v", total, found)
	}
	if links, _ := json.Marshal(found[0]["link"]); !strings.Contains(string(links), `"reference":"Patient/`+edgeFormerPatient+`"`) || !strings.Contains(string(links), `"type":"replaces"`) {
		t.Errorf("surviving Patient links %s", links)
	}
	if ids, _ := json.Marshal(found[0]["identifier"]); !strings.Contains(string(ids), `"use":"old"`) {
		t.Errorf("surviving Patient identifiers %s", ids)
	}

	status, body := sb.get(t, fhirPath+"/Patient/"+edgeFormerPatient, tok.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("former Patient: %d %s", status, body)
	}
	if err := r4check.ValidateResource(body, false); err != nil {
		t.Fatal(err)
	}
	var former map[string]any
	json.Unmarshal(body, &former)
	if links, _ := json.Marshal(former["link"]); former["active"] != false || !strings.Contains(string(links), `"reference":"Patient/`+edgeMergedPatient+`"`) || !strings.Contains(string(links), `"type":"replaced-by"`) {
		t.Errorf("former Patient: %s", body)
	}

	// Another member's token neither reads nor finds either record.
	other := sb.approvedTokens(t, "BCNCUser03")
	for _, id := range []string{edgeFormerPatient, edgeMergedPatient} {
		if status, _ := sb.get(t, fhirPath+"/Patient/"+id, other.AccessToken); status != http.StatusNotFound {
			t.Errorf("BCNCUser03 reads Patient/%s: %d", id, status)
		}
	}
	if b := edgeSearch(t, sb, byOld, other.AccessToken); b.Total == nil || *b.Total != 0 {
		t.Errorf("BCNCUser03 finds the former identifier: total %v", b.Total)
	}
}

// TestEdgeGuardian: the guardian signs in with the account, chooses
// Personal Representative, and the token's patient is the minor: a
// Patient under 18 on the as-of date.
func TestEdgeGuardian(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	back := sb.consent(t, member{
		username: edgeGuardian, password: "BCNCPSWDGuardian",
		representative: "Parent or guardian of a minor", repName: "Pat Q Parent",
	})
	status, tok := sb.docsTokenCall(t, codeFrom(t, back, "test"), docsRedir)
	if status != http.StatusOK {
		t.Fatalf("token: %d %+v", status, tok)
	}
	if tok.Patient != edgeMinorPatient {
		t.Fatalf("patient %q, want the minor %s", tok.Patient, edgeMinorPatient)
	}
	status, body := sb.get(t, fhirPath+"/Patient/"+tok.Patient, tok.AccessToken)
	if status != http.StatusOK {
		t.Fatalf("Patient: %d", status)
	}
	var p struct{ BirthDate string }
	json.Unmarshal(body, &p)
	birth, err := time.Parse(time.DateOnly, p.BirthDate)
	if err != nil || !birth.AddDate(18, 0, 0).After(generator.DefaultAsOf) {
		t.Errorf("birthDate %q: not under 18 on %s", p.BirthDate, generator.DefaultAsOf.Format(time.DateOnly))
	}
	// The token speaks for the representative, not the child.
	fhirUser, _ := jwtClaims(t, tok.IDToken)["fhirUser"].(string)
	if !strings.Contains(fhirUser, "RelatedPerson/") {
		t.Errorf("fhirUser %q is not a RelatedPerson", fhirUser)
	}
}

// TestEdgeManyClaims: following the EOB search's next links reaches every
// one of more than 1,000 claims, each once.
func TestEdgeManyClaims(t *testing.T) {
	sb, tok := edgeTokens(t, edgeManyClaims)
	start := time.Now()
	eobs, total := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
	seen := map[any]bool{}
	for _, e := range eobs {
		seen[e["id"]] = true
	}
	if len(eobs) <= 1000 || len(eobs) != total || len(seen) != len(eobs) {
		t.Errorf("%d EOBs (%d distinct) of total %d; want more than 1,000, each once", len(eobs), len(seen), total)
	}
	t.Logf("%d EOBs in %d pages in %v", len(eobs), (len(eobs)+49)/50, time.Since(start))
}

// TestEdgeAdvantageOnly: every Coverage is the Medicare Advantage plan:
// Source of Payment Typology 11x (Medicare managed care), an H contract.
func TestEdgeAdvantageOnly(t *testing.T) {
	sb, tok := edgeTokens(t, edgeAdvantageOnly)
	coverages, _ := edgeSearchAll(t, sb, fhirPath+"/Coverage", tok.AccessToken, 2)
	if len(coverages) == 0 {
		t.Fatal("no Coverage")
	}
	for _, c := range coverages {
		raw, _ := json.Marshal(c)
		var cov struct {
			Type struct {
				Coding []struct{ System, Code string }
			}
			Class []struct {
				Type  struct{ Coding []struct{ Code string } }
				Value string
			}
		}
		json.Unmarshal(raw, &cov)
		if len(cov.Type.Coding) == 0 || !strings.HasPrefix(cov.Type.Coding[0].Code, "11") {
			t.Errorf("Coverage %s type %+v: not Medicare managed care", c["id"], cov.Type)
		}
		for _, cl := range cov.Class {
			if cl.Type.Coding[0].Code == "plan" && !strings.HasPrefix(cl.Value, "H") {
				t.Errorf("Coverage %s plan %s: not a Medicare Advantage contract", c["id"], cl.Value)
			}
		}
	}
	// Every claim is the plan's.
	eobs, _ := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
	for _, e := range eobs {
		if raw, _ := json.Marshal(e["insurance"]); !strings.Contains(string(raw), "Coverage/"+edgeString(coverages[0], "id")) {
			t.Errorf("EOB %s insurance %s", e["id"], raw)
		}
	}
}

// TestEdgePharmacyOnly: every EOB is a pharmacy claim.
func TestEdgePharmacyOnly(t *testing.T) {
	sb, tok := edgeTokens(t, edgePharmacyOnly)
	eobs, total := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
	if len(eobs) == 0 || len(eobs) != total {
		t.Fatalf("%d EOBs of total %d", len(eobs), total)
	}
	for _, e := range eobs {
		if raw, _ := json.Marshal(e["type"]); !strings.Contains(string(raw), `"code":"pharmacy"`) {
			t.Errorf("EOB %s type %s", e["id"], raw)
		}
	}
	if b := edgeSearch(t, sb, fhirPath+"/ExplanationOfBenefit?type=pde", tok.AccessToken); b.Total == nil || *b.Total != total {
		t.Errorf("type=pde: total %v of %d", b.Total, total)
	}
}

// TestEdgeUpdatedAfter: on every resource type searched, _lastUpdated=lt
// the account's instant finds nothing and _lastUpdated=gt it finds all.
func TestEdgeUpdatedAfter(t *testing.T) {
	sb, tok := edgeTokens(t, edgeUpdatedAfter)
	instant := url.QueryEscape(fixtures.UpdatedAfter)
	found := 0
	for _, typ := range fhir.Types() {
		if typ.Name == "RelatedPerson" || len(typ.Params) == 0 {
			// RelatedPerson is the representative's, and this token has
			// none; Provenance and Medication have no search of their
			// own (the generator's TestEdgeCaseTraits checks every
			// resource's meta.lastUpdated).
			continue
		}
		all := edgeSearch(t, sb, fhirPath+"/"+typ.Name, tok.AccessToken)
		before := edgeSearch(t, sb, fhirPath+"/"+typ.Name+"?_lastUpdated=lt"+instant, tok.AccessToken)
		after := edgeSearch(t, sb, fhirPath+"/"+typ.Name+"?_lastUpdated=gt"+instant, tok.AccessToken)
		if all.Total == nil || before.Total == nil || after.Total == nil {
			t.Fatalf("%s: a searchset without total", typ.Name)
		}
		if *before.Total != 0 || *after.Total != *all.Total {
			t.Errorf("%s: lt %d, gt %d of %d", typ.Name, *before.Total, *after.Total, *all.Total)
		}
		found += *all.Total
	}
	if found < 100 {
		t.Errorf("only %d resources", found)
	}
}

// TestEdgeAccountsTakeWorkspaceEdits: a token minted in a workspace for an
// edge account reads it there, and a claim the workspace's control API adds
// to the member without claims shows in that workspace only.
func TestEdgeAccountsTakeWorkspaceEdits(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	ws := sb.inWorkspace("edge-suite")
	tok := ws.mint(t, mintBody(edgeNoClaims))
	rootTok := sb.mint(t, mintBody(edgeNoClaims))
	if tok.Patient != rootTok.Patient || ws.eobTotal(t, tok.AccessToken) != 0 {
		t.Fatalf("workspace token for %s: patient %s", edgeNoClaims, tok.Patient)
	}
	if status, body := ws.controlPost(t, "/sandbox/members/"+tok.Patient+"/claims", `{"type": "pde"}`); status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("add a claim: %d %s", status, body)
	}
	if got := ws.eobTotal(t, tok.AccessToken); got != 1 {
		t.Errorf("workspace: %d EOBs after adding one", got)
	}
	if got := sb.eobTotal(t, rootTok.AccessToken); got != 0 {
		t.Errorf("root: %d EOBs after the workspace added one", got)
	}
}

// TestEdgeRecordsThatEndedTakeNoNewClaim: the control API adds a claim
// serviced today, which for a member who died or left the plan would
// contradict the record, so it answers 409 in the control API's shape
// naming why, and the member's EOBs stay as they were; an edge-case member
// whose record goes on takes the claim.
func TestEdgeRecordsThatEndedTakeNoNewClaim(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{AutoApprove: "BCNCUser03"})
	for _, tc := range []struct {
		name, username string
		want           int
	}{
		{"deceased", edgeDeceased, http.StatusConflict},
		{"terminated", edgeTerminated, http.StatusConflict},
		{"no claims yet", edgeNoClaims, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := sb.approvedTokens(t, tc.username)
			_, before := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
			status, body := sb.controlPost(t, "/sandbox/members/"+tok.Patient+"/claims", `{"type": "carrier"}`)
			if status != tc.want {
				t.Fatalf("adding a claim: %d, want %d: %s", status, tc.want, body)
			}
			_, after := edgeSearchAll(t, sb, fhirPath+"/ExplanationOfBenefit?_count=50", tok.AccessToken, 40)
			if tc.want == http.StatusConflict {
				var e struct{ Detail string }
				if json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Detail, "no claim can be serviced today") {
					t.Errorf("409 body %s: want an error naming why", body)
				}
				if after != before {
					t.Errorf("EOBs %d after a refused claim, %d before", after, before)
				}
			} else if after != before+1 {
				t.Errorf("EOBs %d after an added claim, %d before", after, before)
			}
		})
	}
}
