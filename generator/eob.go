package generator

type careTeam struct {
	Sequence      int       `json:"sequence"`
	Provider      reference `json:"provider"`
	Role          *concept  `json:"role,omitempty"`
	Qualification *concept  `json:"qualification,omitempty"`
}

type supportingInfo struct {
	Sequence       int        `json:"sequence"`
	Category       concept    `json:"category"`
	Code           *concept   `json:"code,omitempty"`
	TimingDate     string     `json:"timingDate,omitempty"`
	TimingPeriod   *period    `json:"timingPeriod,omitempty"`
	ValueBoolean   *bool      `json:"valueBoolean,omitempty"`
	ValueString    string     `json:"valueString,omitempty"`
	ValueQuantity  *quantity  `json:"valueQuantity,omitempty"`
	ValueReference *reference `json:"valueReference,omitempty"`
}

type diagnosis struct {
	Sequence    int       `json:"sequence"`
	Diagnosis   concept   `json:"diagnosisCodeableConcept"`
	Type        []concept `json:"type,omitempty"`
	OnAdmission *concept  `json:"onAdmission,omitempty"`
}

type eobProcedure struct {
	Sequence  int       `json:"sequence"`
	Type      []concept `json:"type,omitempty"`
	Date      string    `json:"date,omitempty"`
	Procedure concept   `json:"procedureCodeableConcept"`
}

type insurance struct {
	Focal    bool      `json:"focal"`
	Coverage reference `json:"coverage"`
}

type adjudication struct {
	Category concept  `json:"category"`
	Reason   *concept `json:"reason,omitempty"`
	Amount   *money   `json:"amount,omitempty"`
	Value    *float64 `json:"value,omitempty"`
}

// detail is one ingredient of a compound (C4BB Pharmacy: item.detail
// with the ingredient's NDC and quantity).
type detail struct {
	Sequence         int       `json:"sequence"`
	ProductOrService concept   `json:"productOrService"`
	Quantity         *quantity `json:"quantity,omitempty"`
}

type item struct {
	Sequence            int            `json:"sequence"`
	CareTeamSequence    []int          `json:"careTeamSequence,omitempty"`
	DiagnosisSequence   []int          `json:"diagnosisSequence,omitempty"`
	ProcedureSequence   []int          `json:"procedureSequence,omitempty"`
	InformationSequence []int          `json:"informationSequence,omitempty"`
	Revenue             *concept       `json:"revenue,omitempty"`
	ProductOrService    concept        `json:"productOrService"`
	Modifier            []concept      `json:"modifier,omitempty"`
	ServicedDate        string         `json:"servicedDate,omitempty"`
	Location            *concept       `json:"locationCodeableConcept,omitempty"`
	Quantity            *quantity      `json:"quantity,omitempty"`
	BodySite            *concept       `json:"bodySite,omitempty"`
	SubSite             []concept      `json:"subSite,omitempty"`
	NoteNumber          []int          `json:"noteNumber,omitempty"`
	Adjudication        []adjudication `json:"adjudication,omitempty"`
	Detail              []detail       `json:"detail,omitempty"`
}

type total struct {
	Category concept `json:"category"`
	Amount   *money  `json:"amount"`
}

type payment struct {
	Type   *concept `json:"type,omitempty"`
	Date   string   `json:"date,omitempty"`
	Amount *money   `json:"amount,omitempty"`
}

type payee struct {
	Type  concept    `json:"type"`
	Party *reference `json:"party,omitempty"`
}

// related names the claim an adjusted claim replaces, by its number.
type related struct {
	Relationship concept    `json:"relationship"`
	Reference    identifier `json:"reference"`
}

type processNote struct {
	Number int    `json:"number"`
	Type   string `json:"type"`
	Text   string `json:"text"`
}

// serviceRequest is the R4 successor of the STU3 ReferralRequest the docs'
// carrier example contains (R4 ServiceRequest, "Mappings").
type serviceRequest struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id"`
	Status       string      `json:"status"`
	Intent       string      `json:"intent"`
	Subject      reference   `json:"subject"`
	Requester    reference   `json:"requester"`
	Performer    []reference `json:"performer,omitempty"`
}

type eobResource struct {
	ResourceType   string           `json:"resourceType"`
	ID             string           `json:"id"`
	Meta           meta             `json:"meta"`
	Contained      []serviceRequest `json:"contained,omitempty"`
	Identifier     []identifier     `json:"identifier"`
	Status         string           `json:"status"`
	Type           concept          `json:"type"`
	SubType        *concept         `json:"subType,omitempty"`
	Use            string           `json:"use"`
	Patient        reference        `json:"patient"`
	BillablePeriod period           `json:"billablePeriod"`
	Created        string           `json:"created"`
	Insurer        reference        `json:"insurer"`
	Provider       reference        `json:"provider"`
	Related        []related        `json:"related,omitempty"`
	Referral       *reference       `json:"referral,omitempty"`
	Outcome        string           `json:"outcome"`
	Payee          *payee           `json:"payee,omitempty"`
	CareTeam       []careTeam       `json:"careTeam,omitempty"`
	SupportingInfo []supportingInfo `json:"supportingInfo,omitempty"`
	Diagnosis      []diagnosis      `json:"diagnosis,omitempty"`
	Procedure      []eobProcedure   `json:"procedure,omitempty"`
	Insurance      []insurance      `json:"insurance"`
	Item           []item           `json:"item"`
	Adjudication   []adjudication   `json:"adjudication,omitempty"`
	Total          []total          `json:"total,omitempty"`
	Payment        *payment         `json:"payment,omitempty"`
	ProcessNote    []processNote    `json:"processNote,omitempty"`
}

// form is the C4BB profile a claim is rendered with: the claim form it
// comes from decides which supportingInfo, adjudication and item elements
// it has.
type form int

const (
	formProfessional form = iota // CMS-1500 / 837P: carrier, DME
	formInpatient                // UB-04 inpatient: hospital and SNF stays
	formOutpatient               // UB-04 outpatient: outpatient, home health, hospice
	formPharmacy                 // NCPDP: Part D fills
	formOral                     // ADA dental claim form / 837D
)

// institutional reports whether f is a UB-04 form.
func (f form) institutional() bool { return f == formInpatient || f == formOutpatient }

// claimKind maps a claim type to the C4BB profile and the claim-type code
// it is rendered with (C4BB STU 2 §"Profiles": professional claims for
// carrier and DME, inpatient institutional for hospital and SNF stays,
// outpatient institutional for outpatient, home health and hospice, oral
// for dental claims).
func claimKind(typ string) (f form, profile string, claimType, subType coding) {
	switch typ {
	case "carrier", "dme":
		return formProfessional, profEOBProfessional, hl7ClaimType("professional"), coding{}
	case "inpatient", "snf":
		return formInpatient, profEOBInpatient, hl7ClaimType("institutional"), coding{sysC4BBSubType, "inpatient", "Inpatient"}
	case "pde":
		return formPharmacy, profEOBPharmacy, hl7ClaimType("pharmacy"), coding{}
	case ClaimTypeOral:
		return formOral, profEOBOral, hl7ClaimType("oral"), coding{}
	default: // outpatient, hha, hospice
		return formOutpatient, profEOBOutpatient, hl7ClaimType("institutional"), coding{sysC4BBSubType, "outpatient", "Outpatient"}
	}
}

// hl7ClaimType is the claim-type coding of code, with its display.
func hl7ClaimType(code string) coding {
	return coding{sysClaimType, code, map[string]string{
		"professional": "Professional", "institutional": "Institutional", "pharmacy": "Pharmacy", "oral": "Oral",
	}[code]}
}

// Adjudication categories (C4BB Adjudication value set: the HL7
// adjudication codes plus C4BBAdjudication's coinsurance) and the
// discriminators of the other adjudication slices.
var (
	catSubmitted   = conceptOf(sysAdjudCore, "submitted", "Submitted Amount")
	catEligible    = conceptOf(sysAdjudCore, "eligible", "Eligible Amount")
	catDeductible  = conceptOf(sysAdjudCore, "deductible", "Deductible")
	catCopay       = conceptOf(sysAdjudCore, "copay", "CoPay")
	catBenefit     = conceptOf(sysAdjudCore, "benefit", "Benefit Amount")
	catCoinsurance = conceptOf(sysC4BBAdjudication, "coinsurance", "Co-insurance")
	catPayStatus   = conceptOf(sysC4BBDiscrim, "benefitpaymentstatus", "Benefit Payment Status")
	catBilling     = conceptOf(sysC4BBDiscrim, "billingnetworkstatus", "Billing Network Status")
	catRendering   = conceptOf(sysC4BBDiscrim, "renderingnetworkstatus", "Rendering Network Status")
	catAdjustment  = conceptOf(sysC4BBDiscrim, "adjustmentreason", "Adjustment Reason")
	catUnits       = conceptOf(sysC4BBDiscrim, "allowedunits", "allowed units")
	inNetwork      = conceptOf(sysC4BBPayerStatus, "innetwork", "In Network")
	statusPaid     = conceptOf(sysC4BBPayerStatus, "paid", "Paid")
)

// Claim adjustment reason codes (X12 CARC) the adjudications give.
var (
	carcDeductible  = conceptOf(sysCARC, "1", "Deductible Amount")
	carcCoinsurance = conceptOf(sysCARC, "2", "Coinsurance Amount")
	carcCopay       = conceptOf(sysCARC, "3", "Co-payment Amount")
	carcFeeSchedule = conceptOf(sysCARC, "45", "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement")
)

// lineAdjudication lists a line's amounts, the member's shares only when
// not zero; then, on every form but pharmacy, the units allowed and the
// reason the allowed amount is below the charge (CARC 45, the contractual
// write-off, for the difference); and on the professional and oral forms
// the line's benefit payment status (1..1 there).
func lineAdjudication(l *line, f form) []adjudication {
	a := l.amt
	out := make([]adjudication, 0, 9)
	out = append(out,
		adjudication{Category: catSubmitted, Amount: usd(a.submitted)},
		adjudication{Category: catEligible, Amount: usd(a.allowed)})
	if a.deductible > 0 {
		out = append(out, adjudication{Category: catDeductible, Amount: usd(a.deductible)})
	}
	if a.coinsurance > 0 {
		out = append(out, adjudication{Category: catCoinsurance, Amount: usd(a.coinsurance)})
	}
	if a.copay > 0 {
		out = append(out, adjudication{Category: catCopay, Amount: usd(a.copay)})
	}
	out = append(out, adjudication{Category: catBenefit, Amount: usd(a.paid)})
	if f == formPharmacy {
		return out
	}
	units := l.qty
	out = append(out, adjudication{Category: catUnits, Value: &units})
	if a.submitted > a.allowed {
		out = append(out, adjudication{Category: catAdjustment, Reason: &carcFeeSchedule, Amount: usd(a.submitted - a.allowed)})
	}
	if f == formProfessional || f == formOral {
		out = append(out, adjudication{Category: catPayStatus, Reason: &inNetwork})
	}
	return out
}

// sumLines adds up the claim's lines.
func sumLines(lines []line) amounts {
	var sum amounts
	for _, l := range lines {
		sum.submitted += l.amt.submitted
		sum.allowed += l.amt.allowed
		sum.deductible += l.amt.deductible
		sum.coinsurance += l.amt.coinsurance
		sum.copay += l.amt.copay
		sum.paid += l.amt.paid
	}
	return sum
}

// totals sums the lines per category; a category appears when any line
// has it, so the header always equals the sum of the items.
func totals(sum amounts) []total {
	out := []total{{catSubmitted, usd(sum.submitted)}, {catEligible, usd(sum.allowed)}}
	if sum.deductible > 0 {
		out = append(out, total{catDeductible, usd(sum.deductible)})
	}
	if sum.coinsurance > 0 {
		out = append(out, total{catCoinsurance, usd(sum.coinsurance)})
	}
	if sum.copay > 0 {
		out = append(out, total{catCopay, usd(sum.copay)})
	}
	return append(out, total{catBenefit, usd(sum.paid)})
}

// headerAdjudication is the claim-level adjudication: the payment status
// where the profile has it (Institutional and Pharmacy 1..1, Oral 1..*),
// the billing and, for a professional or dental claim with a rendering
// provider, the rendering provider's network status, and on an
// institutional claim the member's shares of the whole bill with their
// adjustment reasons (CARC 1, 2, 3), which Part A settles per stay. No
// amount-type category appears here: the amounts are the items' (C4BB
// invariant EOB-institutional-item-or-header-adjudication).
func headerAdjudication(c *claim, f form, sum amounts) []adjudication {
	out := make([]adjudication, 0, 6)
	if f != formProfessional {
		out = append(out, adjudication{Category: catPayStatus, Reason: &inNetwork})
	}
	out = append(out, adjudication{Category: catBilling, Reason: &inNetwork})
	if f == formOral || c.typ == "carrier" {
		out = append(out, adjudication{Category: catRendering, Reason: &inNetwork})
	}
	if f.institutional() {
		for _, s := range []struct {
			amount cents
			reason *concept
		}{{sum.deductible, &carcDeductible}, {sum.coinsurance, &carcCoinsurance}, {sum.copay, &carcCopay}} {
			if s.amount > 0 {
				out = append(out, adjudication{Category: catAdjustment, Reason: s.reason, Amount: usd(s.amount)})
			}
		}
	}
	return out
}

func role(code, display string) *concept {
	c := conceptOf(sysC4BBCareRole, code, display)
	return &c
}

func supporting(seq int, code, display string) supportingInfo {
	return supportingInfo{Sequence: seq, Category: conceptOf(sysC4BBSupporting, code, display)}
}

// eob renders one claim as an ExplanationOfBenefit.
func (b *builder) eob(c *claim) Resource {
	f, profile, claimType, sub := claimKind(c.typ)
	patient := reference{Reference: "Patient/" + b.pid}
	types := []coding{claimType}
	if c.typ != ClaimTypeOral {
		// The docs' eob-type coding that the type search parameter
		// matches; it has no code for dental claims (ClaimTypeOral).
		types = append(types, coding{sysEOBType, c.typ, ""})
	}
	// The billing provider: an organization, or for a dental claim the
	// dentist (C4BB Oral: provider only Reference(C4BBPractitioner)).
	var provider reference
	if f == formOral {
		provider = b.refs.practitioner(c.rendering)
	} else {
		provider = b.refs.org(c.provider)
	}
	sum := sumLines(c.lines)
	res := eobResource{
		ResourceType: "ExplanationOfBenefit",
		ID:           c.id(),
		Meta:         meta{LastUpdated: fmtInstant(c.updated), Profile: []string{profile}},
		// C4BB: identifier:uniqueclaimid 1..1, typed uc.
		Identifier: []identifier{{
			Type:   &concept{Coding: []coding{{sysC4BBIdentifier, "uc", "Unique Claim ID"}}},
			System: sysClaimID, Value: c.number,
		}},
		Status: "active",
		// The HL7 claim type the profile fixes, plus the docs' eob-type
		// coding that the type search parameter matches.
		Type:           concept{Coding: types},
		Use:            "claim",
		Patient:        patient,
		BillablePeriod: period{Start: fmtDate(c.start), End: fmtDate(c.end)},
		Created:        fmtInstant(c.created),
		Insurer:        payerRef(),
		Provider:       provider,
		Outcome:        "complete",
		Payee: &payee{
			Type:  conceptOf(sysPayeeType, "provider", "Provider"),
			Party: &reference{Reference: provider.Reference},
		},
		CareTeam:       b.careTeam(c, f),
		SupportingInfo: b.supportingInfos(c, f),
		Diagnosis:      diagnoses(c, f),
		Procedure:      procedures(c),
		Insurance:      []insurance{{Focal: true, Coverage: reference{Reference: "Coverage/" + b.coverageFor(c.typ)}}},
		Item:           b.items(c, f),
		Adjudication:   headerAdjudication(c, f, sum),
		Total:          totals(sum),
		Payment: &payment{
			Type:   &statusPaid,
			Date:   fmtDate(c.created.AddDate(0, 0, 3)),
			Amount: usd(sum.paid),
		},
	}
	if sub.Code != "" {
		res.SubType = &concept{Coding: []coding{sub}}
	}
	if c.referring != "" {
		res.Contained = []serviceRequest{referral(c, patient)}
		res.Referral = &reference{Reference: "#1"}
	}
	if adj, ok := b.adjustment(c); ok {
		res.Related = []related{{
			Relationship: conceptOf(sysRelatedClaim, "prior", "Prior Claim"),
			Reference:    identifier{System: sysClaimID, Value: adj.prior},
		}}
		res.ProcessNote = []processNote{{Number: 1, Type: "display", Text: adj.note}}
		res.Item[adj.line].NoteNumber = []int{1}
	}
	return Resource{
		Type:        "ExplanationOfBenefit",
		ID:          res.ID,
		LastUpdated: c.updated,
		ClaimType:   c.typ,
		Start:       c.start,
		End:         c.end,
		JSON:        b.enc.encode(&res),
	}
}
