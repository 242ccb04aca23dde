package generator

type careTeam struct {
	Sequence      int       `json:"sequence"`
	Provider      reference `json:"provider"`
	Role          *concept  `json:"role,omitempty"`
	Qualification *concept  `json:"qualification,omitempty"`
}

type supportingInfo struct {
	Sequence      int       `json:"sequence"`
	Category      concept   `json:"category"`
	Code          *concept  `json:"code,omitempty"`
	TimingDate    string    `json:"timingDate,omitempty"`
	TimingPeriod  *period   `json:"timingPeriod,omitempty"`
	ValueQuantity *quantity `json:"valueQuantity,omitempty"`
}

type diagnosis struct {
	Sequence  int       `json:"sequence"`
	Diagnosis concept   `json:"diagnosisCodeableConcept"`
	Type      []concept `json:"type,omitempty"`
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
}

type item struct {
	Sequence          int            `json:"sequence"`
	CareTeamSequence  []int          `json:"careTeamSequence,omitempty"`
	DiagnosisSequence []int          `json:"diagnosisSequence,omitempty"`
	ProcedureSequence []int          `json:"procedureSequence,omitempty"`
	Revenue           *concept       `json:"revenue,omitempty"`
	ProductOrService  concept        `json:"productOrService"`
	ServicedDate      string         `json:"servicedDate,omitempty"`
	Location          *concept       `json:"locationCodeableConcept,omitempty"`
	Quantity          *quantity      `json:"quantity,omitempty"`
	Adjudication      []adjudication `json:"adjudication,omitempty"`
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
}

// claimKind maps a docs claim type to the C4BB profile and the claim-type
// code it is rendered with (C4BB STU 2 §"Profiles": professional claims for
// carrier and DME, inpatient institutional for hospital and SNF stays,
// outpatient institutional for outpatient, home health and hospice).
func claimKind(typ string) (profile string, claimType, subType coding) {
	professional := coding{sysClaimType, "professional", "Professional"}
	institutional := coding{sysClaimType, "institutional", "Institutional"}
	switch typ {
	case "carrier", "dme":
		return profEOBProfessional, professional, coding{}
	case "inpatient", "snf":
		return profEOBInpatient, institutional, coding{sysC4BBSubType, "inpatient", "Inpatient"}
	case "pde":
		return profEOBPharmacy, coding{sysClaimType, "pharmacy", "Pharmacy"}, coding{}
	default: // outpatient, hha, hospice
		return profEOBOutpatient, institutional, coding{sysC4BBSubType, "outpatient", "Outpatient"}
	}
}

// Adjudication categories (C4BB Adjudication value set: the HL7
// adjudication codes plus C4BBAdjudication's coinsurance).
var (
	catSubmitted   = conceptOf(sysAdjudCore, "submitted", "Submitted Amount")
	catEligible    = conceptOf(sysAdjudCore, "eligible", "Eligible Amount")
	catDeductible  = conceptOf(sysAdjudCore, "deductible", "Deductible")
	catCopay       = conceptOf(sysAdjudCore, "copay", "CoPay")
	catBenefit     = conceptOf(sysAdjudCore, "benefit", "Benefit Amount")
	catCoinsurance = conceptOf(sysC4BBAdjudication, "coinsurance", "Co-insurance")
	catPayStatus   = conceptOf(sysC4BBDiscrim, "benefitpaymentstatus", "Benefit Payment Status")
	inNetwork      = conceptOf(sysC4BBPayerStatus, "innetwork", "In Network")
)

// lineAdjudication lists a line's amounts; the member's shares appear only
// when not zero.
func lineAdjudication(a amounts, professional bool) []adjudication {
	out := make([]adjudication, 0, 6)
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
	if professional {
		// C4BB Professional-NonClinician: item.adjudication:benefitpaymentstatus 1..1.
		out = append(out, adjudication{Category: catPayStatus, Reason: &inNetwork})
	}
	return out
}

// totals sums the lines per category; a category appears when any line
// has it, so the header always equals the sum of the items. It also
// returns the benefit paid.
func totals(lines []line) ([]total, cents) {
	var sum amounts
	for _, l := range lines {
		sum.submitted += l.amt.submitted
		sum.allowed += l.amt.allowed
		sum.deductible += l.amt.deductible
		sum.coinsurance += l.amt.coinsurance
		sum.copay += l.amt.copay
		sum.paid += l.amt.paid
	}
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
	return append(out, total{catBenefit, usd(sum.paid)}), sum.paid
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
	profile, claimType, sub := claimKind(c.typ)
	professional := claimType.Code == "professional"
	patient := reference{Reference: "Patient/" + b.pid}
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
		Type:           concept{Coding: []coding{claimType, {sysEOBType, c.typ, ""}}},
		Use:            "claim",
		Patient:        patient,
		BillablePeriod: period{Start: fmtDate(c.start), End: fmtDate(c.end)},
		Created:        fmtInstant(c.created),
		Insurer:        payerRef(),
		Provider:       b.refs.org(c.provider),
		Outcome:        "complete",
		Payee: &payee{
			Type:  conceptOf(sysPayeeType, "provider", "Provider"),
			Party: &reference{Reference: "Organization/" + c.provider},
		},
		CareTeam:       b.careTeam(c, professional),
		SupportingInfo: supportingInfos(c, professional, sub.Code),
		Diagnosis:      diagnoses(c, professional, sub.Code),
		Procedure:      procedures(c),
		Insurance:      []insurance{{Focal: true, Coverage: reference{Reference: "Coverage/" + b.coverageFor(c.typ)}}},
		Item:           items(c, professional),
	}
	if sub.Code != "" {
		res.SubType = &concept{Coding: []coding{sub}}
	}
	if c.referring != "" {
		res.Contained = []serviceRequest{referral(c, patient)}
		res.Referral = &reference{Reference: "#1"}
	}
	if !professional {
		// Institutional and Pharmacy: adjudication:benefitpaymentstatus at
		// the header, amounts only on the items (C4BB invariant
		// EOB-institutional-item-or-header-adjudication).
		res.Adjudication = []adjudication{{Category: catPayStatus, Reason: &inNetwork}}
	}
	var paid cents
	res.Total, paid = totals(c.lines)
	res.Payment = &payment{
		Type:   &concept{Coding: []coding{{sysC4BBPayment, "paid", "Paid"}}},
		Date:   fmtDate(c.created.AddDate(0, 0, 3)),
		Amount: usd(paid),
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
