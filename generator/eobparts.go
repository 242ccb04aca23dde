package generator

// The parts of an ExplanationOfBenefit that vary by claim type, each
// following the C4BB profile the claim is rendered with.

// careTeam lists the claim's practitioners (C4BB: careTeam.role 1..1 from
// the profile's role value set; a professional rendering provider carries
// its NUCC taxonomy as qualification).
func (b *builder) careTeam(c *claim, professional bool) []careTeam {
	switch {
	case c.typ == "pde":
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.rendering), Role: role("prescribing", "Prescribing provider")}}
	case c.typ == "dme":
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.referring), Role: role("referring", "Referring")}}
	case professional:
		q := concept{Coding: []coding{specialties[specialtyOf(c.rendering)]}}
		team := []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.rendering), Role: role("rendering", "Rendering provider"), Qualification: &q}}
		if c.referring != "" {
			team = append(team, careTeam{Sequence: 2, Provider: b.refs.practitioner(c.referring), Role: role("referring", "Referring")})
		}
		return team
	default:
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.rendering), Role: role("attending", "Attending")}}
	}
}

// referral is the contained order behind a referred claim, in the docs'
// shape (requester and performer by NPI) but as an R4 ServiceRequest.
func referral(c *claim, patient reference) serviceRequest {
	performer := c.rendering
	if c.typ == "dme" {
		performer = c.provider
	}
	return serviceRequest{
		ResourceType: "ServiceRequest", ID: "1", Status: "completed", Intent: "order", Subject: patient,
		Requester: reference{Identifier: &identifier{System: sysNPI, Value: c.referring}},
		Performer: []reference{{Identifier: &identifier{System: sysNPI, Value: performer}}},
	}
}

// supportingInfos fills the C4BB SupportingInfoType slices: every claim
// has its received date; Pharmacy requires dayssupply, dawcode and
// refillnum (1..1 each); Inpatient-Institutional requires admissionperiod
// (1..1); Professional carries the billing provider's contracting status.
func supportingInfos(c *claim, professional bool, subType string) []supportingInfo {
	received := supporting(1, "clmrecvddate", "Claim Received Date")
	received.TimingDate = fmtDate(addDays(c.end, 1))
	info := []supportingInfo{received}
	switch {
	case c.typ == "pde":
		days := supporting(2, "dayssupply", "Days Supply")
		days.ValueQuantity = &quantity{Value: float64(c.daysSupply)}
		daw := supporting(3, "dawcode", "DAW (Dispense As Written) Code")
		daw.Code = &concept{Coding: []coding{{sysNCPDPDAW, "0", "No Product Selection Indicated"}}}
		refill := supporting(4, "refillnum", "Refill Number")
		refill.ValueQuantity = &quantity{Value: float64(c.refill)}
		info = append(info, days, daw, refill)
	case professional:
		status := supporting(2, "billingnetworkcontractingstatus", "Billing Network Contracting Status")
		status.Code = &concept{Coding: []coding{{sysC4BBPayerStatus, "contracted", "Contracted"}}}
		info = append(info, status)
	case subType == "inpatient":
		adm := supporting(2, "admissionperiod", "Admission Period")
		adm.TimingPeriod = &period{Start: fmtDate(c.start), End: fmtDate(c.end)}
		info = append(info, adm)
	}
	return info
}

// diagnoses lists the claim's ICD-10-CM codes (required 1..* by the
// Professional and Institutional profiles), typed principal / admitting
// from ex-diagnosistype and secondary / other from C4BBClaimDiagnosisType.
func diagnoses(c *claim, professional bool, subType string) []diagnosis {
	out := make([]diagnosis, 0, len(c.diags))
	for i, d := range c.diags {
		var types []concept
		switch {
		case i == 0 && subType == "inpatient":
			types = []concept{conceptOf(sysDiagType, "principal", "Principal Diagnosis"), conceptOf(sysDiagType, "admitting", "Admitting Diagnosis")}
		case i == 0:
			types = []concept{conceptOf(sysDiagType, "principal", "Principal Diagnosis")}
		case professional:
			types = []concept{conceptOf(sysC4BBDiagType, "secondary", "Secondary")}
		default:
			types = []concept{conceptOf(sysC4BBDiagType, "other", "Other")}
		}
		out = append(out, diagnosis{Sequence: i + 1, Diagnosis: concept{Coding: []coding{d}}, Type: types})
	}
	return out
}

// procedures lists a stay's ICD-10-PCS procedures (C4BB
// Inpatient-Institutional: procedure.type from C4BBClaimProcedureType).
func procedures(c *claim) []eobProcedure {
	var out []eobProcedure
	for i, p := range c.pcs {
		out = append(out, eobProcedure{
			Sequence:  i + 1,
			Type:      []concept{conceptOf(sysC4BBProcType, "principal", "Principal")},
			Date:      fmtDate(c.start),
			Procedure: concept{Coding: []coding{p}},
		})
	}
	return out
}

// items renders the claim's lines with their adjudication: revenue codes
// on institutional lines, places of service on professional ones (C4BB
// Professional-NonClinician: item.location[x] from CMS Place of Service).
func items(c *claim, professional bool) []item {
	out := make([]item, 0, len(c.lines))
	for i, l := range c.lines {
		it := item{
			Sequence:         i + 1,
			CareTeamSequence: []int{1},
			ProductOrService: concept{Coding: []coding{l.product}},
			ServicedDate:     fmtDate(l.date),
			Quantity:         &quantity{Value: l.qty},
			Adjudication:     lineAdjudication(l.amt, professional),
		}
		if len(c.diags) > 0 {
			it.DiagnosisSequence = []int{1}
		}
		if l.revenue != nil {
			it.Revenue = &concept{Coding: []coding{*l.revenue}}
		}
		if professional {
			pos := conceptOf(sysPOS, "11", "Office")
			if c.typ == "dme" {
				pos = conceptOf(sysPOS, "12", "Home")
			}
			it.Location = &pos
		}
		if len(c.pcs) > 0 && l.revenue != nil && l.revenue.Code == revSurgery.Code {
			it.ProcedureSequence = []int{1}
		}
		out = append(out, it)
	}
	return out
}
