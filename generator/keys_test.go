package generator

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseCents reads a FHIR decimal money value exactly.
func parseCents(t *testing.T, n json.Number) int64 {
	t.Helper()
	s := string(n)
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	c, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		t.Fatalf("money value %q: %v", s, err)
	}
	return c
}

type codingJ struct{ System, Code string }
type conceptJ struct{ Coding []codingJ }
type adjJ struct {
	Category conceptJ
	Reason   *conceptJ
	Amount   *struct{ Value json.Number }
}

type eobJ struct {
	Meta           struct{ LastUpdated string }
	Type           conceptJ
	BillablePeriod struct{ Start, End string }
	Item           []struct {
		Adjudication []adjJ
	}
	Total []struct {
		Category conceptJ
		Amount   struct{ Value json.Number }
	}
	Adjudication []adjJ
	Payment      struct{ Amount struct{ Value json.Number } }
	Insurance    []struct {
		Focal    bool
		Coverage struct{ Reference string }
	}
}

// TestAdjudicationArithmetic: on every EOB of the first 200 members each
// item has submitted >= eligible >= benefit, eligible = benefit + member
// shares, and its contractual adjustment (CARC 45) is submitted - eligible;
// every header total equals the sum of its category over the items, each
// header adjustment reason the member's share it names, and the payment is
// the benefit total.
func TestAdjudicationArithmetic(t *testing.T) {
	checked := 0
	for _, m := range seed1Members() {
		for _, r := range m.Resources {
			if r.Type != "ExplanationOfBenefit" {
				continue
			}
			var e eobJ
			if err := json.Unmarshal(r.JSON, &e); err != nil {
				t.Fatal(err)
			}
			sums := map[string]int64{}
			for i, it := range e.Item {
				amt := map[string]int64{}
				for _, a := range it.Adjudication {
					if a.Amount == nil {
						continue
					}
					code := a.Category.Coding[0].Code
					if code == "adjustmentreason" {
						if a.Reason == nil || a.Reason.Coding[0].Code != "45" {
							t.Fatalf("%s item %d: adjustment reason %+v", r.ID, i+1, a.Reason)
						}
						code = "carc45"
					} else {
						sums[code] += parseCents(t, a.Amount.Value)
					}
					amt[code] = parseCents(t, a.Amount.Value)
				}
				// Fills have no adjustment reasons (C4BB Pharmacy slices
				// none); every other line explains its write-off.
				if pharmacy := e.Type.Coding[0].Code == "pharmacy"; !pharmacy && amt["carc45"] != amt["submitted"]-amt["eligible"] || pharmacy && amt["carc45"] != 0 {
					t.Fatalf("%s item %d: CARC 45 %d, submitted %d - eligible %d", r.ID, i+1, amt["carc45"], amt["submitted"], amt["eligible"])
				}
				if !(amt["submitted"] >= amt["eligible"] && amt["eligible"] >= amt["benefit"] && amt["benefit"] >= 0) {
					t.Fatalf("%s item %d: submitted %d, eligible %d, benefit %d", r.ID, i+1, amt["submitted"], amt["eligible"], amt["benefit"])
				}
				if amt["eligible"] != amt["benefit"]+amt["deductible"]+amt["coinsurance"]+amt["copay"] {
					t.Fatalf("%s item %d: eligible %d != benefit + shares %v", r.ID, i+1, amt["eligible"], amt)
				}
			}
			seen := map[string]bool{}
			for _, tot := range e.Total {
				code := tot.Category.Coding[0].Code
				seen[code] = true
				if got := parseCents(t, tot.Amount.Value); got != sums[code] {
					t.Fatalf("%s: total %s = %d, items sum to %d", r.ID, code, got, sums[code])
				}
			}
			for code := range sums {
				if !seen[code] {
					t.Fatalf("%s: items have %s but the header has no total", r.ID, code)
				}
			}
			carc := map[string]string{"1": "deductible", "2": "coinsurance", "3": "copay"}
			for _, a := range e.Adjudication {
				if a.Amount == nil {
					continue
				}
				share, ok := carc[a.Reason.Coding[0].Code]
				if a.Category.Coding[0].Code != "adjustmentreason" || !ok || parseCents(t, a.Amount.Value) != sums[share] {
					t.Fatalf("%s: header adjudication %+v, %s total %d", r.ID, a, share, sums[share])
				}
			}
			if got := parseCents(t, e.Payment.Amount.Value); got != sums["benefit"] {
				t.Fatalf("%s: payment %d, benefit total %d", r.ID, got, sums["benefit"])
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d EOBs checked", checked)
	}
}

var floor = time.Date(2020, 2, 13, 0, 0, 0, 0, time.FixedZone("", -5*3600))

// TestResourceKeys: the keys beside each resource agree with its JSON, no
// meta.lastUpdated falls on or before 2020-02-12, and none precedes the
// service it records.
func TestResourceKeys(t *testing.T) {
	years := map[int]int{}
	for _, m := range seed1Members() {
		coverages := map[string]bool{}
		for _, r := range m.Resources {
			var j struct {
				Meta               struct{ LastUpdated string }
				Code               conceptJ
				VaccineCode        conceptJ
				Medication         conceptJ `json:"medicationCodeableConcept"`
				Type               json.RawMessage
				Category           json.RawMessage
				EffectiveDateTime  string
				PerformedDateTime  string
				OccurrenceDateTime string
				AuthoredOn         string
				RecordedDate       string
				OnsetDateTime      string
				Period             struct{ Start, End string }
				EffectivePeriod    struct{ Start, End string }
			}
			if err := json.Unmarshal(r.JSON, &j); err != nil && r.Type != "PractitionerRole" { // its code is a list
				t.Fatal(err)
			}
			lu, err := time.Parse(time.RFC3339Nano, j.Meta.LastUpdated)
			if err != nil {
				t.Fatalf("%s/%s: lastUpdated %q: %v", r.Type, r.ID, j.Meta.LastUpdated, err)
			}
			if !lu.Equal(r.LastUpdated) {
				t.Fatalf("%s/%s: LastUpdated %v, JSON %v", r.Type, r.ID, r.LastUpdated, lu)
			}
			if j.Meta.LastUpdated[:10] <= "2020-02-12" || lu.Before(floor) || lu.After(DefaultAsOf.AddDate(0, 0, 1)) {
				t.Fatalf("%s/%s: lastUpdated %s outside 2020-02-13 .. %s", r.Type, r.ID, j.Meta.LastUpdated, fmtDate(DefaultAsOf))
			}
			years[lu.Year()]++
			if r.End.After(floor) && lu.Before(r.End) {
				t.Fatalf("%s/%s: lastUpdated %v before its service %v", r.Type, r.ID, lu, r.End)
			}
			if r.Type != "ExplanationOfBenefit" && r.ClaimType != "" {
				t.Fatalf("%s/%s has ClaimType %q", r.Type, r.ID, r.ClaimType)
			}
			switch r.Type {
			case "Coverage":
				coverages[r.ID] = true
				fallthrough
			case "Patient", "Practitioner", "Organization", "Medication", "Location", "PractitionerRole":
				if !r.Start.IsZero() || !r.End.IsZero() {
					t.Fatalf("%s/%s has a date range", r.Type, r.ID)
				}
			case "ExplanationOfBenefit":
				var e eobJ
				if err := json.Unmarshal(r.JSON, &e); err != nil {
					t.Fatal(err)
				}
				// The HL7 claim type first, then the docs' eob-type code,
				// which a dental claim has none of.
				var eobType string
				for _, c := range e.Type.Coding {
					if c.System == sysEOBType {
						eobType = c.Code
					}
				}
				want := r.ClaimType
				if r.ClaimType == ClaimTypeOral {
					want = ""
				}
				if eobType != want || !strings.HasPrefix(r.ID, r.ClaimType+"-") ||
					!slices.Contains(ClaimTypes, r.ClaimType) && r.ClaimType != ClaimTypeOral {
					t.Fatalf("%s: ClaimType %q, eob-type %q", r.ID, r.ClaimType, eobType)
				}
				if first := e.Type.Coding[0]; first.System != ClaimTypeSystem || first.Code != HL7ClaimType(r.ClaimType) {
					t.Fatalf("%s: ClaimType %q, first type coding %+v", r.ID, r.ClaimType, first)
				}
				if e.BillablePeriod.Start != r.Start.Format(time.DateOnly) || e.BillablePeriod.End != r.End.Format(time.DateOnly) {
					t.Fatalf("%s: Start/End %v..%v, billablePeriod %v", r.ID, r.Start, r.End, e.BillablePeriod)
				}
				if cal := newCalendar(DefaultAsOf); r.Start.Before(cal.historyStart) || r.End.After(cal.lastService) {
					t.Fatalf("%s: service %v..%v outside %s..%s", r.ID, r.Start, r.End, fmtDate(cal.historyStart), fmtDate(cal.lastService))
				}
				if len(e.Insurance) != 1 || !e.Insurance[0].Focal || !coverages[strings.TrimPrefix(e.Insurance[0].Coverage.Reference, "Coverage/")] {
					t.Fatalf("%s: insurance %+v does not name one of the member's Coverages", r.ID, e.Insurance)
				}
			case "DiagnosticReport", "ServiceRequest", "Specimen", "DocumentReference", "CarePlan", "Goal", "CareTeam",
				"MedicationDispense", "Device", "QuestionnaireResponse", "Provenance":
				// The US Core additions: every one has a date to search by
				// (TestUSCoreDateKeys checks each against its JSON).
				if r.Start.IsZero() || r.End.Before(r.Start) {
					t.Fatalf("%s/%s: no date range (%v..%v)", r.Type, r.ID, r.Start, r.End)
				}
			default:
				// Clinical resources: the date keys match the JSON and the
				// code tokens are codings of the resource.
				when := j.EffectiveDateTime + j.EffectivePeriod.Start + j.PerformedDateTime + j.OccurrenceDateTime + j.AuthoredOn + j.OnsetDateTime + j.Period.Start
				if r.Type == "AllergyIntolerance" {
					when = j.RecordedDate
				}
				if when == "" || r.Start.IsZero() {
					t.Fatalf("%s/%s: no date (%q, %v)", r.Type, r.ID, when, r.Start)
				}
				if len(when) == 10 {
					if when != r.Start.Format(time.DateOnly) {
						t.Fatalf("%s/%s: Start %v, JSON %s", r.Type, r.ID, r.Start, when)
					}
				} else if w, err := time.Parse(time.RFC3339Nano, when); err != nil || !w.Equal(r.Start) {
					t.Fatalf("%s/%s: Start %v, JSON %s (%v)", r.Type, r.ID, r.Start, when, err)
				}
				codings := append(append(append([]codingJ{}, j.Code.Coding...), j.VaccineCode.Coding...), j.Medication.Coding...)
				if r.Type == "Encounter" {
					var types []conceptJ
					if err := json.Unmarshal(j.Type, &types); err != nil {
						t.Fatal(err)
					}
					for _, c := range types {
						codings = append(codings, c.Coding...)
					}
				}
				// Every coding is a token; a compound's prescription has
				// none, its medication being text alone.
				if len(r.Code) != len(codings) {
					t.Fatalf("%s/%s: Code tokens %v, codings %v", r.Type, r.ID, r.Code, codings)
				}
				for _, tok := range r.Code {
					sys, code, _ := strings.Cut(tok, "|")
					if !slices.Contains(codings, codingJ{sys, code}) {
						t.Fatalf("%s/%s: Code token %s not in the JSON", r.Type, r.ID, tok)
					}
				}
				for _, tok := range r.Category {
					sys, code, _ := strings.Cut(tok, "|")
					if !strings.Contains(string(j.Category), `"system":"`+sys+`","code":"`+code+`"`) {
						t.Fatalf("%s/%s: Category token %s not in the JSON", r.Type, r.ID, tok)
					}
				}
			}
		}
	}
	// Stamps spread over the years, so _lastUpdated filters select something.
	for y := 2020; y <= 2026; y++ {
		if years[y] < 100 {
			t.Errorf("only %d resources last updated in %d: %v", years[y], y, years)
		}
	}
}
