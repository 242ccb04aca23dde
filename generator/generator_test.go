package generator

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestPatientIDRoundTrip(t *testing.T) {
	for _, n := range []int{0, 6, 7, 99, 10000, 123456789, maxNumber} {
		id := PatientID(n)
		got, ok := NumberOf(id)
		if !ok || got != n {
			t.Errorf("NumberOf(PatientID(%d) = %q) = %d, %v", n, id, got, ok)
		}
	}
	if got := PatientID(7); got != "-30000000000007" {
		t.Errorf("PatientID(7) = %q", got)
	}
	for _, id := range []string{"", "-", "-3", "-20140000008325", "-20140000000024", "-19990000000001",
		"-3000000000007", "-300000000000007", "-3000000000000x", "30000000000007", "-3000000000000-7", "-3+000000000007"} {
		if n, ok := NumberOf(id); ok {
			t.Errorf("NumberOf(%q) = %d, true; want false", id, n)
		}
	}
}

// memberBytes joins a member's JSON for byte comparisons.
func memberBytes(m *Member) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%s|%s\n", m.PatientID, m.Username, m.Password, m.GivenName, m.FamilyName, m.Email, m.BirthDate, m.Created)
	for _, r := range m.Resources {
		fmt.Fprintf(&b, "%s|%s|%s|%s|%s|%s|%v|%v\n", r.Type, r.ID, r.LastUpdated, r.ClaimType, r.Start, r.End, r.Category, r.Code)
		b.Write(r.JSON)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestDeterminism builds the same members with two Generators of one seed,
// in opposite orders and concurrently, and wants byte-identical members;
// another seed must give different data.
func TestDeterminism(t *testing.T) {
	specs := []Spec{{Number: 6, Rich: true}, {Number: 4, PatientID: "-20140000000024", ClaimCounts: map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}}}
	for n := 7; n < 47; n++ {
		specs = append(specs, Spec{Number: n})
	}
	a, b := New(1), New(1)
	forward := make([][]byte, len(specs))
	for i, s := range specs {
		forward[i] = memberBytes(a.Build(s))
	}
	backward := make([][]byte, len(specs))
	var wg sync.WaitGroup
	for i := len(specs) - 1; i >= 0; i-- {
		wg.Go(func() { backward[i] = memberBytes(b.Build(specs[i])) })
	}
	wg.Wait()
	for i := range specs {
		if !bytes.Equal(forward[i], backward[i]) {
			t.Errorf("member %d differs between two builds", specs[i].Number)
		}
	}
	// Building again on a Generator whose directory cache is warm changes nothing.
	if again := memberBytes(a.Build(specs[2])); !bytes.Equal(again, forward[2]) {
		t.Error("rebuilding a member on a warm Generator changed it")
	}
	other := New(2)
	same := 0
	for i, s := range specs {
		if bytes.Equal(memberBytes(other.Build(s)), forward[i]) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of %d members are identical under seeds 1 and 2", same, len(specs))
	}
}

// TestPrefixStability: a member is the same whatever else was built, and
// whichever members come after it.
func TestPrefixStability(t *testing.T) {
	alone := memberBytes(New(1).Build(Spec{Number: 300}))
	g := New(1)
	for n := 7; n < 40; n++ {
		g.Build(Spec{Number: n})
	}
	if after := memberBytes(g.Build(Spec{Number: 300})); !bytes.Equal(alone, after) {
		t.Fatal("member 300 depends on the members built before it")
	}
}

func TestUsernames(t *testing.T) {
	g := New(1)
	for n, want := range map[int][2]string{6: {"BCNCUser06", "BCNCPSWD06"}, 7: {"BCNCUser07", "BCNCPSWD07"}, 123: {"BCNCUser123", "BCNCPSWD123"}} {
		m := g.Build(Spec{Number: n})
		if m.Username != want[0] || m.Password != want[1] {
			t.Errorf("member %d: %s / %s, want %s / %s", n, m.Username, m.Password, want[0], want[1])
		}
		if m.GivenName == "" || m.FamilyName == "" || m.Email == "" || len(m.BirthDate) != 10 || len(m.Created) != 10 {
			t.Errorf("member %d has empty account fields: %+v", n, m)
		}
		if m.PatientID != PatientID(n) || m.Resources[0].Type != "Patient" || m.Resources[0].ID != m.PatientID {
			t.Errorf("member %d: patient id %q, first resource %s/%s", n, m.PatientID, m.Resources[0].Type, m.Resources[0].ID)
		}
	}
	if m := g.Build(Spec{Number: 3, PatientID: "-20140000008325"}); m.PatientID != "-20140000008325" || m.Resources[0].ID != "-20140000008325" {
		t.Errorf("Spec.PatientID ignored: %q", m.PatientID)
	}
}

// TestClaimCounts: Spec.ClaimCounts gives exactly those EOBs (the docs'
// BCNCUser04: 44 carrier, 1 inpatient, 103 pde = 148).
func TestClaimCounts(t *testing.T) {
	want := map[string]int{"carrier": 44, "inpatient": 1, "pde": 103}
	m := New(1).Build(Spec{Number: 4, PatientID: "-20140000000024", ClaimCounts: want})
	got := map[string]int{}
	total := 0
	for _, r := range m.Resources {
		if r.Type == "ExplanationOfBenefit" {
			got[r.ClaimType]++
			total++
		}
	}
	if total != 148 {
		t.Errorf("%d EOBs, want 148", total)
	}
	for _, ct := range ClaimTypes {
		if got[ct] != want[ct] {
			t.Errorf("%s: %d EOBs, want %d", ct, got[ct], want[ct])
		}
	}
	// Absurd counts are bounded rather than honoured, and negative ones are zero.
	m = New(1).Build(Spec{Number: 9, ClaimCounts: map[string]int{"dme": -5, "snf": 1 << 40}})
	got = map[string]int{}
	for _, r := range m.Resources {
		got[r.ClaimType]++
	}
	if got["dme"] != 0 || got["snf"] != maxClaimsPerType {
		t.Errorf("bounded counts: dme %d, snf %d", got["dme"], got["snf"])
	}
}

// TestRich: a rich member has every claim type and every clinical type.
func TestRich(t *testing.T) {
	for _, n := range []int{6, 7, 8, 50} {
		m := New(1).Build(Spec{Number: n, Rich: true})
		have := map[string]bool{}
		for _, r := range m.Resources {
			have[r.Type] = true
			have["eob:"+r.ClaimType] = true
		}
		for _, ct := range ClaimTypes {
			if !have["eob:"+ct] {
				t.Errorf("rich member %d has no %s EOB", n, ct)
			}
		}
		for _, typ := range append([]string{"Patient", "Coverage", "Practitioner", "Organization"}, clinicalTypes...) {
			if !have[typ] {
				t.Errorf("rich member %d has no %s", n, typ)
			}
		}
	}
}

// TestNPILuhn: every NPI passes the Luhn check over "80840" + NPI (CMS NPI
// check digit), and a changed digit fails it.
func TestNPILuhn(t *testing.T) {
	luhn := func(s string) bool {
		sum := 0
		for i := len(s) - 1; i >= 0; i-- {
			d := int(s[i] - '0')
			if (len(s)-1-i)%2 == 1 {
				d *= 2
				if d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		return sum%10 == 0
	}
	if !luhn("80840" + "1234567893") { // CMS's worked example
		t.Fatal("the Luhn helper rejects the CMS example NPI 1234567893")
	}
	if npi(123456789) != "1234567893" {
		t.Errorf("npi(123456789) = %s, want CMS's 1234567893", npi(123456789))
	}
	seen := map[string]bool{}
	for k := range practitionerCount {
		id := practitionerID(k)
		if len(id) != 10 || !luhn("80840"+id) || seen[id] {
			t.Fatalf("practitioner %d: bad or duplicate NPI %s", k, id)
		}
		seen[id] = true
	}
	for kind, n := range orgCounts {
		for k := range n {
			id := organizationID(kind, k)
			if len(id) != 10 || !luhn("80840"+id) || seen[id] {
				t.Fatalf("organization %d/%d: bad or duplicate NPI %s", kind, k, id)
			}
			seen[id] = true
			bad := []byte(id)
			bad[9] = '0' + (bad[9]-'0'+1)%10
			if luhn("80840" + string(bad)) {
				t.Fatalf("corrupted NPI %s passes", bad)
			}
		}
	}
}

// TestDirectoryIsPureFunctionOfID: a Practitioner or Organization renders
// the same bytes whichever Generator (or seed) and member asks for it.
func TestDirectoryIsPureFunctionOfID(t *testing.T) {
	a, b := New(1), New(99)
	ma := a.Build(Spec{Number: 11})
	for _, r := range ma.Resources {
		if r.Type != "Practitioner" && r.Type != "Organization" {
			continue
		}
		other := b.directoryResource(newEncoder(), r.Type, r.ID)
		if !bytes.Equal(other.JSON, r.JSON) || !other.LastUpdated.Equal(r.LastUpdated) {
			t.Fatalf("%s/%s differs between generators:\n%s\n%s", r.Type, r.ID, r.JSON, other.JSON)
		}
	}
}

// TestOddSpecs: no Spec makes Build panic or emit an invalid id.
func TestOddSpecs(t *testing.T) {
	g := New(0)
	for _, s := range []Spec{
		{Number: -1},
		{Number: 0},
		{Number: 1 << 50},
		{Number: 12, ClaimCounts: map[string]int{}},
		{Number: 13, ClaimCounts: map[string]int{"unknown": 3, "CARRIER": 2}},
		{Number: 14, PatientID: "x", Rich: true},
	} {
		m := g.Build(s)
		if len(m.Resources) == 0 || m.Resources[0].Type != "Patient" {
			t.Fatalf("%+v: no Patient first", s)
		}
		for _, r := range m.Resources {
			if r.ID == "" || len(r.ID) > 64 || strings.Trim(r.ID, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") != "" {
				t.Fatalf("%+v: invalid id %q (FHIR R4 id datatype)", s, r.ID)
			}
		}
		if s.ClaimCounts != nil {
			for _, r := range m.Resources {
				if r.Type == "ExplanationOfBenefit" {
					t.Fatalf("%+v: EOB %s though no known claim type was asked for", s, r.ID)
				}
			}
		}
	}
}
