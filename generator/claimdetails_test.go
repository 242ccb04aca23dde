package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The CARIN details of a claim (its DRG, discharge status, type of bill,
// refills, compound, modifiers, tax ids, adjustments, teeth) read from the
// served JSON alone must fit the rest of the member's record, each by a
// rule stated here independently of the generator's tables.

// drgFamilies are the MS-DRG groups a stay for each principal diagnosis
// can fall in, whatever the severity and MS-DRG version: pneumonia
// 193-195, heart failure 291-293, respiratory diagnosis with ventilator
// support 207-208, major joint replacement 469-470, percutaneous
// cardiovascular procedures 246-249 (to FY2020) and 321-322 (from FY2021),
// septicemia 870-872, laparoscopic cholecystectomy 417-419, renal failure
// 682-684.
var drgFamilies = map[string][]string{
	"J18.9":  {"193", "194", "195"},
	"I50.23": {"291", "292", "293"},
	"J44.1":  {"207", "208"},
	"M17.11": {"469", "470"},
	"I21.4":  {"246", "247", "248", "249", "321", "322"},
	"A41.9":  {"870", "871", "872"},
	"K80.20": {"417", "418", "419"},
	"N17.9":  {"682", "683", "684"},
}

// billPrefixes is the UB-04 type of bill (leading zero, facility type, bill
// classification) of each
// institutional claim type, before its frequency digit (NUBC FL4).
var billPrefixes = map[string]string{"inpatient": "011", "snf": "021", "outpatient": "013", "hha": "032", "hospice": "081"}

type detailCoding struct{ System, Code string }
type detailConcept struct {
	Coding []detailCoding
	Text   string
}

func (c detailConcept) has(system, code string) bool {
	return slices.Contains(c.Coding, detailCoding{system, code})
}

type detailEOB struct {
	ID             string
	Type           detailConcept
	BillablePeriod struct{ Start, End string }
	Provider       struct{ Reference string }
	Related        []struct {
		Relationship detailConcept
		Reference    struct{ System, Value string }
	}
	Identifier []struct{ Value string }
	CareTeam   []struct {
		Provider struct{ Reference string }
		Role     detailConcept
	}
	SupportingInfo []struct {
		Sequence       int
		Category       detailConcept
		Code           *detailConcept
		ValueQuantity  *struct{ Value float64 }
		ValueReference *struct{ Reference string }
		ValueBoolean   *bool
	}
	Diagnosis []struct {
		DiagnosisCodeableConcept detailConcept
	}
	Item        []detailItem
	ProcessNote []struct{ Number int }
	Payment     struct{ Type detailConcept }
}

type detailItem struct {
	ProductOrService    detailConcept
	Modifier            []detailConcept
	BodySite            *detailConcept
	SubSite             []detailConcept
	InformationSequence []int
	NoteNumber          []int
	Detail              []struct{ ProductOrService detailConcept }
}

type detailIdentifier struct {
	Type   detailConcept
	System string
	Value  string
}

// info returns the code (or quantity) of the claim's supportingInfo of a
// category, and false when it has none.
func (e *detailEOB) info(category string) (string, bool) {
	for _, si := range e.SupportingInfo {
		if si.Category.Coding[0].Code != category {
			continue
		}
		switch {
		case si.Code != nil:
			return si.Code.Coding[0].Code, true
		case si.ValueQuantity != nil:
			return strconv.FormatFloat(si.ValueQuantity.Value, 'f', -1, 64), true
		case si.ValueReference != nil:
			return si.ValueReference.Reference, true
		}
		return "", true
	}
	return "", false
}

func (e *detailEOB) diagnosis(code string) bool {
	return slices.ContainsFunc(e.Diagnosis, func(d struct{ DiagnosisCodeableConcept detailConcept }) bool {
		return d.DiagnosisCodeableConcept.Coding[0].Code == code
	})
}

func TestClaimDetailsFitTheRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 300 members")
	}
	if raceEnabled {
		// Building and reading 300 members is single-threaded: the race
		// detector finds nothing and only makes it ten times slower;
		// .ci/run runs this test again without -race.
		t.Skip("run without -race (.ci/run does)")
	}
	maintenance, brand := map[string]bool{}, map[string]bool{}
	for _, c := range conditions {
		for _, d := range c.drugs {
			maintenance[d.ndc] = true
		}
	}
	for _, d := range append(slices.Clone(drugsAcute), drugMetformin, drugInsulin, drugLisinopril, drugAmlodipine, drugAtorva,
		drugAdvair, drugAlbuterol, drugFurosemide, drugMetoprolol, drugApixaban, drugSertraline, drugLevothyrox, drugNaproxen) {
		brand[d.ndc] = d.brand
	}
	seen := map[string]int{}
	g := New(1)
	for n := 1; n <= mustSupportMembers; n++ {
		m := g.Build(Spec{Number: n})
		checkClaimDetails(t, g, m, maintenance, brand, seen)
	}
	// The rules above must have had something to judge.
	for _, what := range []string{"drg", "to-snf", "to-hha", "refills", "compound", "tax", "oral-tax", "KX", "KS", "adjusted", "missing-tooth", "hospice-first"} {
		if seen[what] == 0 {
			t.Errorf("no %s in members 1..%d", what, mustSupportMembers)
		}
	}
	t.Logf("checked: %v", seen)
}

func checkClaimDetails(t *testing.T, g *Generator, m *Member, maintenance, brand map[string]bool, seen map[string]int) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s", m.PatientID, fmt.Sprintf(format, args...))
	}
	taxIDs := map[string]string{} // Type/id -> tax id
	var eobs []detailEOB
	var insulinSince time.Time
	numbers := map[string]bool{}
	dispositions := map[string]string{} // claim number -> Encounter discharge disposition
	for _, r := range m.Resources {
		switch r.Type {
		case "Patient", "Practitioner", "Organization", "MedicationRequest", "Encounter", "ExplanationOfBenefit":
		default:
			continue // no rule here reads it (and some types have one address or identifier, not a list)
		}
		var j struct {
			Identifier                []detailIdentifier
			DeceasedBoolean           *bool
			Address                   []struct{ Period struct{ Start string } }
			MedicationCodeableConcept detailConcept
			AuthoredOn                string
			Hospitalization           struct{ DischargeDisposition detailConcept }
		}
		if err := json.Unmarshal(r.JSON, &j); err != nil {
			t.Fatal(err)
		}
		switch r.Type {
		case "Patient":
			moved, err := time.Parse(time.DateOnly, j.Address[0].Period.Start)
			if j.DeceasedBoolean == nil || *j.DeceasedBoolean || err != nil || moved.After(g.AsOf()) || moved.Format("2006-01-02") < m.BirthDate {
				fail("Patient: deceased %v, address since %s (born %s)", j.DeceasedBoolean, j.Address[0].Period.Start, m.BirthDate)
			}
		case "Practitioner", "Organization":
			for _, id := range j.Identifier {
				if id.System == sysTaxID && id.Type.has(sysV20203, "TAX") && len(id.Value) == 9 {
					taxIDs[r.Type+"/"+r.ID] = id.Value
				}
			}
			_, ok := taxIDs[r.Type+"/"+r.ID]
			naic := slices.ContainsFunc(j.Identifier, func(id detailIdentifier) bool {
				return id.System == sysNAIC && id.Type.has(sysC4BBIdentifier, "naiccode")
			})
			if r.ID == organizationPayerID && !naic || r.ID != organizationPayerID && !ok {
				fail("%s/%s: identifiers %+v", r.Type, r.ID, j.Identifier)
			}
		case "MedicationRequest":
			if j.MedicationCodeableConcept.has(sysRxNorm, drugInsulin.rxnorm) {
				if at, _ := time.Parse(time.RFC3339Nano, j.AuthoredOn); insulinSince.IsZero() || at.Before(insulinSince) {
					insulinSince = time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
				}
			}
		case "Encounter":
			if len(j.Hospitalization.DischargeDisposition.Coding) > 0 {
				dispositions[j.Identifier[0].Value] = j.Hospitalization.DischargeDisposition.Coding[0].Code
			}
		case "ExplanationOfBenefit":
			var e detailEOB
			if err := json.Unmarshal(r.JSON, &e); err != nil {
				t.Fatal(err)
			}
			numbers[e.Identifier[0].Value] = true
			eobs = append(eobs, e)
		}
	}
	typeOf := func(e *detailEOB) string { return strings.SplitN(e.ID, "-", 2)[0] }
	date := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	var lost []string // teeth extracted or reported missing so far, in date order
	for i := range eobs {
		e := &eobs[i]
		typ, number := typeOf(e), e.Identifier[0].Value
		start, end := date(e.BillablePeriod.Start), date(e.BillablePeriod.End)

		// The payment status is coded in the code system the IG's value
		// set C4BBPayerClaimPaymentStatusCode draws its codes from.
		if !slices.Equal(e.Payment.Type.Coding, []detailCoding{{"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus", "paid"}}) {
			fail("%s: payment.type %+v", e.ID, e.Payment.Type)
		}

		// A DRG only on an acute stay, of the group its principal
		// diagnosis falls in.
		drg, hasDRG := e.info("drg")
		if typ == "inpatient" {
			principal := e.Diagnosis[0].DiagnosisCodeableConcept.Coding[0].Code
			if !hasDRG || !slices.Contains(drgFamilies[principal], drg) {
				fail("%s: DRG %q for principal diagnosis %s", e.ID, drg, principal)
			}
			seen["drg"]++
		} else if hasDRG {
			fail("%s: a %s claim with DRG %s", e.ID, typ, drg)
		}

		// The discharge status names the care that follows, and the
		// stay's Encounter agrees.
		if prefix, ok := billPrefixes[typ]; ok {
			bill, _ := e.info("typeofbill")
			status, _ := e.info("discharge-status")
			if len(bill) != 4 || !strings.HasPrefix(bill, prefix) {
				fail("%s: type of bill %s", e.ID, bill)
			}
			next := func(kind string, lo, hi int) bool {
				return slices.ContainsFunc(eobs, func(o detailEOB) bool {
					gap := daysBetween(end, date(o.BillablePeriod.Start))
					return typeOf(&o) == kind && gap >= lo && gap <= hi
				})
			}
			switch {
			case typ == "hospice":
				if status != "30" {
					fail("%s: hospice discharge status %s", e.ID, status)
				}
				if bill == "0812" {
					seen["hospice-first"]++
				}
			case status == dischargeToSNF:
				seen["to-snf"]++
				if typ != "inpatient" || !next("snf", 0, 2) {
					fail("%s: discharged to a SNF, no SNF claim follows", e.ID)
				}
			case status == dischargeToHomeHealth:
				seen["to-hha"]++
				if !next("hha", 1, 7) {
					fail("%s: discharged to home health, no home health claim follows", e.ID)
				}
			case status != dischargeHome:
				fail("%s: discharge status %s", e.ID, status)
			case typ == "inpatient" && next("snf", 0, 2):
				fail("%s: a SNF stay follows, discharge status %s", e.ID, status)
			}
			if d, ok := dispositions[number]; ok && (d == "snf") != (status == dischargeToSNF) {
				fail("%s: discharge status %s, Encounter disposition %s", e.ID, status, d)
			}
		}

		// Refills on maintenance drugs only; compounds with their
		// ingredients.
		if typ == "pde" {
			product := e.Item[0].ProductOrService.Coding[0]
			refill, _ := e.info("refillnum")
			authorized, _ := e.info("refillsauthorized")
			days, _ := e.info("dayssupply")
			compound, _ := e.info("compoundcode")
			bg, _ := e.info("brandgenericindicator")
			r, _ := strconv.Atoi(refill)
			a, err := strconv.Atoi(authorized)
			d, _ := strconv.Atoi(days)
			if err != nil || r > a || a > 0 && (!maintenance[product.Code] || d < 30) {
				fail("%s: %s refill %s of %s authorized, %s days", e.ID, product.Code, refill, authorized, days)
			}
			if a > 0 {
				seen["refills"]++
			}
			isCompound := product.Code == "compound"
			if isCompound != (compound == "2") || isCompound != (len(e.Item[0].Detail) > 0) || !isCompound && compound != "1" ||
				slices.ContainsFunc(e.Item[0].Detail, func(d struct{ ProductOrService detailConcept }) bool {
					return d.ProductOrService.Coding[0].System != sysNDC
				}) {
				fail("%s: product %s, compound code %s, %d ingredients", e.ID, product.Code, compound, len(e.Item[0].Detail))
			}
			if isCompound {
				seen["compound"]++
			} else if (bg == "1") != brand[product.Code] {
				fail("%s: %s brand/generic %s", e.ID, product.Code, bg)
			}
		}

		// A physician's tax id is the group practice's that bills for
		// them; a dentist's, the practice where they see patients.
		if typ == "carrier" {
			rendering := e.CareTeam[0].Provider.Reference
			if tax := taxIDs[rendering]; tax == "" || tax != taxIDs[e.Provider.Reference] {
				fail("%s: rendering %s tax id %q, billing %s tax id %q", e.ID, rendering, tax, e.Provider.Reference, taxIDs[e.Provider.Reference])
			}
			seen["tax"]++
		}
		if typ == ClaimTypeOral {
			facility, _ := e.info("servicefacility")
			if !strings.HasPrefix(e.Provider.Reference, "Practitioner/") || taxIDs[e.Provider.Reference] == "" || taxIDs[e.Provider.Reference] != taxIDs[facility] {
				fail("%s: provider %s (tax id %q), facility %s (tax id %q)", e.ID, e.Provider.Reference, taxIDs[e.Provider.Reference], facility, taxIDs[facility])
			}
			seen["oral-tax"]++
		}

		// Modifiers fit the claim: the side of the knee injected, a
		// separate visit beside the injection, diabetic supplies for a
		// member on insulin or not.
		for _, it := range e.Item {
			for _, mod := range it.Modifier {
				switch code := mod.Coding[0].Code; code {
				case "RT", "50":
					want := map[string]string{"RT": "M17.11", "50": "M17.0"}[code]
					if !e.diagnosis(want) {
						fail("%s: modifier %s without %s", e.ID, code, want)
					}
				case "25":
					if !slices.ContainsFunc(e.Item, func(o detailItem) bool {
						return o.ProductOrService.Coding[0].Code == svcArthrocent.code
					}) {
						fail("%s: modifier 25 without a procedure", e.ID)
					}
				case "KX", "KS":
					seen[code]++
					onInsulin := !insulinSince.IsZero() && !insulinSince.After(start)
					if onInsulin != (code == "KX") {
						fail("%s on %s: %s, insulin prescribed since %v", e.ID, e.BillablePeriod.Start, code, insulinSince)
					}
				}
			}
		}

		// An adjusted claim names the claim it replaces, which is not
		// served, and explains itself on the line that changed.
		if len(e.Related) > 0 {
			seen["adjusted"]++
			prior := e.Related[0].Reference.Value
			noted := 0
			for _, it := range e.Item {
				if slices.Equal(it.NoteNumber, []int{1}) {
					noted++
				}
			}
			if prior != "4"+number[1:] || numbers[prior] || !e.Related[0].Relationship.has(sysRelatedClaim, "prior") ||
				len(e.ProcessNote) != 1 || e.ProcessNote[0].Number != 1 || noted != 1 {
				fail("%s: related %+v, notes %+v, %d lines noted", e.ID, e.Related, e.ProcessNote, noted)
			}
		}

		// A tooth once extracted or reported missing is never treated
		// again; a line's surfaces are on a tooth; a line's information
		// sequences name the claim's supporting information, and every
		// additional body site is some line's.
		if typ == ClaimTypeOral {
			sequences := map[int]string{}
			for _, si := range e.SupportingInfo {
				sequences[si.Sequence] = si.Category.Coding[0].Code
				if si.Category.Coding[0].Code == "missingtoothnumber" {
					seen["missing-tooth"]++
					lost = append(lost, si.Code.Coding[0].Code)
				}
			}
			for _, it := range e.Item {
				var site string
				if it.BodySite != nil && it.BodySite.Coding[0].System == sysToothNumber {
					site = it.BodySite.Coding[0].Code
				}
				if site != "" && slices.Contains(lost, site) {
					fail("%s on %s: tooth %s treated after it was lost", e.ID, e.BillablePeriod.Start, site)
				}
				if len(it.SubSite) > 0 && site == "" {
					fail("%s: surfaces without a tooth", e.ID)
				}
				for _, seq := range it.InformationSequence {
					if sequences[seq] == "" {
						fail("%s: informationSequence %d names no supportingInfo", e.ID, seq)
					}
				}
				if site != "" && it.ProductOrService.Coding[0].Code == "D7140" {
					lost = append(lost, site)
				}
			}
			// C4BB invariant Oral-EOB-supportinginfo-additionalbodysite-requires-line-item.
			for seq, category := range sequences {
				if category == "additionalbodysite" && !slices.ContainsFunc(e.Item, func(it detailItem) bool { return slices.Contains(it.InformationSequence, seq) }) {
					fail("%s: additional body site %d on no line", e.ID, seq)
				}
			}
		}
	}
}
