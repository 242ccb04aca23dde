package generator

import (
	"fmt"
	"slices"
	"time"
)

// The parts of an ExplanationOfBenefit that vary by claim type, each
// following the C4BB profile the claim is rendered with.

// careTeam lists the claim's practitioners (C4BB: careTeam.role 1..1 from
// the profile's role value set; a professional or dental rendering
// provider carries its NUCC taxonomy as qualification).
func (b *builder) careTeam(c *claim, f form) []careTeam {
	switch {
	case c.typ == "pde":
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.rendering), Role: role("prescribing", "Prescribing provider")}}
	case c.typ == "dme":
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.referring), Role: role("referring", "Referring")}}
	case f == formOral:
		q := concept{Coding: []coding{dentistTaxonomy}}
		return []careTeam{{Sequence: 1, Provider: b.refs.practitioner(c.rendering), Role: role("rendering", "Rendering provider"), Qualification: &q}}
	case f == formProfessional:
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

// codedInfo is a supportingInfo whose code is value.
func codedInfo(category, display string, value coding) supportingInfo {
	si := supporting(0, category, display)
	si.Code = &concept{Coding: []coding{value}}
	return si
}

// stringInfo is a supportingInfo whose value is s.
func stringInfo(category, display, s string) supportingInfo {
	si := supporting(0, category, display)
	si.ValueString = s
	return si
}

// oralFixedInfos is how many supportingInfo entries every dental claim
// starts with (received date, service facility, chart and account
// numbers); a dental line's informationSequence counts past them.
const oralFixedInfos = 4

// supportingInfos fills the C4BB SupportingInfoType slices of the claim's
// profile, numbered in order: every claim has its received date;
// Pharmacy requires dayssupply, dawcode, refillnum and refillsauthorized
// (1..1 each); Inpatient-Institutional requires admissionperiod (1..1);
// the UB-04 claims carry the bill's type, the admission's priority and
// point of origin, the discharge status and the DRG of an acute stay; the
// professional and dental claims their service facility; and the
// provider's chart and account numbers appear wherever the form has them.
func (b *builder) supportingInfos(c *claim, f form) []supportingInfo {
	received := supporting(0, "clmrecvddate", "Claim Received Date")
	received.TimingDate = fmtDate(addDays(c.end, 1))
	info := []supportingInfo{received}
	switch f {
	case formPharmacy:
		days := supporting(0, "dayssupply", "Days Supply")
		days.ValueQuantity = &quantity{Value: float64(c.daysSupply)}
		daw := codedInfo("dawcode", "DAW (Dispense As Written) Code", coding{sysNCPDPDAW, "0", "No Product Selection Indicated"})
		refill := supporting(0, "refillnum", "Refill Number")
		refill.ValueQuantity = &quantity{Value: float64(c.refill)}
		authorized := supporting(0, "refillsauthorized", "Refills Authorized")
		authorized.ValueQuantity = &quantity{Value: float64(refillsAuthorized(c))}
		info = append(info, days, daw, refill, authorized,
			codedInfo("brandgenericindicator", "Brand Generic Indicator", brandGeneric(c.drug)),
			codedInfo("rxorigincode", "Rx Origin Code", b.rxOrigin(c)),
			codedInfo("compoundcode", "Compound Code", compoundCode(c.drug)))
	case formProfessional:
		if c.typ == "carrier" {
			// The office the visit took place in; DME is delivered home.
			facility := supporting(0, "servicefacility", "Service Facility")
			ref := b.refs.org(c.provider)
			facility.ValueReference = &ref
			info = append(info, facility,
				stringInfo("medicalrecordnumber", "Medical Record Number", b.medicalRecordNumber(c.provider)))
		}
		info = append(info, stringInfo("patientaccountnumber", "Patient Account Number", b.patientAccountNumber(c)))
	case formInpatient, formOutpatient:
		if f == formInpatient {
			adm := supporting(0, "admissionperiod", "Admission Period")
			adm.TimingPeriod = &period{Start: fmtDate(c.start), End: fmtDate(c.end)}
			info = append(info, adm)
		}
		info = append(info, codedInfo("typeofbill", "Type of Bill", b.typeOfBill(c)))
		if priority, origin, ok := admissionOfBill(c); ok {
			info = append(info,
				codedInfo("pointoforigin", "Point Of Origin", origin),
				codedInfo("admtype", "Admission Type", priority))
		}
		info = append(info, codedInfo("discharge-status", "Discharge Status", dischargeStatus(c)))
		if drg, ok := msDRGOf(c); ok {
			info = append(info, codedInfo("drg", "DRG", drg))
		}
		info = append(info,
			stringInfo("medicalrecordnumber", "Medical Record Number", b.medicalRecordNumber(c.provider)),
			stringInfo("patientaccountnumber", "Patient Account Number", b.patientAccountNumber(c)))
	case formOral:
		facility := supporting(0, "servicefacility", "Service Facility")
		ref := b.refs.org(c.dental.office)
		facility.ValueReference = &ref
		info = append(info, facility,
			stringInfo("medicalrecordnumber", "Medical Record Number", b.medicalRecordNumber(c.dental.office)),
			stringInfo("patientaccountnumber", "Patient Account Number", b.patientAccountNumber(c)))
		info = append(info, c.dental.infos...)
	}
	for i := range info {
		info[i].Sequence = i + 1
	}
	return info
}

// The diagnosis types of the profiles: principal and admitting from HL7
// ex-diagnosistype, secondary (professional, oral) and other
// (institutional) from C4BBClaimDiagnosisType; an acute stay's diagnoses
// carry their NUBC present-on-admission indicator.
var (
	dxPrincipal = conceptOf(sysDiagType, "principal", "Principal Diagnosis")
	dxAdmitting = conceptOf(sysDiagType, "admitting", "Admitting Diagnosis")
	dxSecondary = conceptOf(sysC4BBDiagType, "secondary", "Secondary")
	dxOther     = conceptOf(sysC4BBDiagType, "other", "Other")
	poaYes      = conceptOf(sysPresentOnAdmit, "Y", "Diagnosis was present at time of inpatient admission")
)

// diagnoses lists the claim's ICD-10-CM codes (required 1..* by the
// Professional and Institutional profiles), one type each (diagnosis.type
// 1..1): the first is principal, the others secondary or other. A stay
// repeats its principal diagnosis as the admitting one, last.
func diagnoses(c *claim, f form) []diagnosis {
	out := make([]diagnosis, 0, len(c.diags)+1)
	var poa *concept
	if c.typ == "inpatient" {
		// Every diagnosis of a stay here is the reason for it or a
		// chronic condition the member came in with.
		poa = &poaYes
	}
	for i, d := range c.diags {
		t := dxOther
		switch {
		case i == 0:
			t = dxPrincipal
		case f == formProfessional || f == formOral:
			t = dxSecondary
		}
		out = append(out, diagnosis{Sequence: i + 1, Diagnosis: concept{Coding: []coding{d}}, Type: []concept{t}, OnAdmission: poa})
	}
	if f == formInpatient && len(c.diags) > 0 {
		out = append(out, diagnosis{Sequence: len(out) + 1, Diagnosis: concept{Coding: []coding{c.diags[0]}}, Type: []concept{dxAdmitting}, OnAdmission: poa})
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
// on institutional lines, places of service on professional and dental
// ones (C4BB Professional-NonClinician and Oral: item.location[x] from CMS
// Place of Service), the modifiers the codes take, a dental line's tooth,
// surfaces and supporting information, a compound's ingredients.
func (b *builder) items(c *claim, f form) []item {
	out := make([]item, 0, len(c.lines))
	for i := range c.lines {
		l := &c.lines[i]
		it := item{
			Sequence:         i + 1,
			CareTeamSequence: []int{1},
			ProductOrService: concept{Coding: []coding{l.product}},
			Modifier:         b.modifiers(c, l),
			ServicedDate:     fmtDate(l.date),
			Quantity:         &quantity{Value: l.qty},
			Adjudication:     lineAdjudication(l, f),
		}
		if len(c.diags) > 0 {
			it.DiagnosisSequence = []int{1}
		}
		if l.revenue != nil {
			it.Revenue = &concept{Coding: []coding{*l.revenue}}
		}
		switch {
		case f == formOral:
			pos := conceptOf(sysPOS, "11", "Office")
			it.Location = &pos
			if l.bodySite != nil {
				it.BodySite = &concept{Coding: []coding{*l.bodySite}}
			}
			for _, s := range l.surfaces {
				it.SubSite = append(it.SubSite, concept{Coding: []coding{s}})
			}
			for _, k := range l.info {
				it.InformationSequence = append(it.InformationSequence, oralFixedInfos+1+k)
			}
		case f == formProfessional:
			pos := conceptOf(sysPOS, "11", "Office")
			if c.typ == "dme" {
				pos = conceptOf(sysPOS, "12", "Home")
			}
			it.Location = &pos
		}
		if len(c.pcs) > 0 && l.revenue != nil && l.revenue.Code == revSurgery.Code {
			it.ProcedureSequence = []int{1}
		}
		for k, d := range l.details {
			it.Detail = append(it.Detail, detail{Sequence: k + 1, ProductOrService: concept{Coding: []coding{d.ndc}},
				Quantity: &quantity{Value: d.qty, Unit: d.unit, System: "http://unitsofmeasure.org", Code: d.unit}})
		}
		out = append(out, it)
	}
	return out
}

// claimAdjustment is a claim that replaced an earlier one: the number the
// earlier claim had, why, and the line that changed.
type claimAdjustment struct {
	prior, note string
	line        int
}

// adjustedShare is the share of claims that are adjustments of an earlier
// claim the plan reprocessed; the earlier claim is not served, as a payer
// serves only a claim's final version.
const adjustedShare = 0.03

var adjustmentNotes = []string{
	"the provider corrected the units billed",
	"the provider corrected the charge billed",
	"the provider added a missing modifier",
	"a coordination of benefits review found no other coverage",
}

// adjustment reports whether c replaced an earlier claim, and which. The
// earlier claim's number is c's with a leading 4, a prefix no served
// claim number has (the docs' start with 2, generated ones with 3).
func (b *builder) adjustment(c *claim) (claimAdjustment, bool) {
	if len(c.lines) == 0 || len(c.number) < 2 || keyed(b.g.seed, c.number, saltAdjusted) >= adjustedShare {
		return claimAdjustment{}, false
	}
	prior := "4" + c.number[1:]
	why := adjustmentNotes[keyedN(b.g.seed, c.number, saltAdjustedWhy, len(adjustmentNotes))]
	line := keyedN(b.g.seed, c.number, saltAdjustedLine, len(c.lines))
	return claimAdjustment{
		prior: prior,
		note:  fmt.Sprintf("Adjusted claim: replaces claim %s, reprocessed because %s (line %d).", prior, why, line+1),
		line:  line,
	}, true
}

// Modifiers (C4BB: item.modifier from the CPT and HCPCS modifiers): CPT's
// 25, 33 and 50, and HCPCS Level II modifiers.
var (
	modSeparateEM   = conceptOf(sysCPT, "25", "Significant, separately identifiable evaluation and management service by the same physician on the same day of the procedure or other service")
	modPreventive   = conceptOf(sysCPT, "33", "Preventive services")
	modBilateral    = conceptOf(sysCPT, "50", "Bilateral procedure")
	modRight        = conceptOf(sysHCPCS, "RT", "Right side")
	modWaived       = conceptOf(sysHCPCS, "QW", "CLIA waived test")
	modNew          = conceptOf(sysHCPCS, "NU", "New equipment")
	modRental       = conceptOf(sysHCPCS, "RR", "Rental")
	modInsulin      = conceptOf(sysHCPCS, "KX", "Requirements specified in the medical policy have been met")
	modNoInsulin    = conceptOf(sysHCPCS, "KS", "Glucose monitor supply for diabetic beneficiary not treated with insulin")
	modPhysicalTher = conceptOf(sysHCPCS, "GP", "Services delivered under an outpatient physical therapy plan of care")
	modOccupational = conceptOf(sysHCPCS, "GO", "Services delivered under an outpatient occupational therapy plan of care")
)

// modifiers gives the modifiers line's code takes on c: 25 on an office
// visit billed with a joint injection, the injected knee's side, QW on an
// office HbA1c (a CLIA-waived test), 33 on a screening colonoscopy, the
// therapy discipline on a skilled nursing facility's therapy lines, NU
// or RR on equipment bought or rented, and on diabetic supplies KX for a
// member on insulin or KS for one who is not (Medicare DME MAC policy
// for glucose monitors, LCD L33822).
func (b *builder) modifiers(c *claim, l *line) []concept {
	switch code := l.product.Code; code {
	case svcVisitLow.code, svcVisitMod.code:
		if c.hasLine(svcArthrocent.code) {
			return []concept{modSeparateEM}
		}
	case svcArthrocent.code:
		switch {
		case c.hasDiagnosisCode("M17.0"):
			return []concept{modBilateral}
		case c.hasDiagnosisCode("M17.11"):
			return []concept{modRight}
		}
	case labA1c.bill.code:
		if c.typ == "carrier" {
			return []concept{modWaived}
		}
	case svcColonoscopy.code:
		return []concept{modPreventive}
	case svcPTEval.code:
		if c.typ == "snf" {
			return []concept{modPhysicalTher}
		}
	case svcOTEval.code:
		if c.typ == "snf" {
			return []concept{modOccupational}
		}
	case "E0607", "A4253", "A4259":
		diabetic := modNoInsulin
		if b.onInsulin(c.start) {
			diabetic = modInsulin
		}
		if code == "E0607" {
			return []concept{modNew, diabetic}
		}
		return []concept{diabetic}
	case "E1390", "K0001":
		return []concept{modRental}
	case "E0570", "E0143", "E0114":
		return []concept{modNew}
	}
	return nil
}

// hasLine reports whether c bills code.
func (c *claim) hasLine(code string) bool {
	return slices.ContainsFunc(c.lines, func(l line) bool { return l.product.Code == code })
}

// hasDiagnosisCode reports whether c carries the ICD-10-CM code.
func (c *claim) hasDiagnosisCode(code string) bool {
	return slices.ContainsFunc(c.diags, func(d coding) bool { return d.Code == code })
}

// onInsulin reports whether the member had been prescribed insulin by day.
func (b *builder) onInsulin(day time.Time) bool {
	return slices.ContainsFunc(b.prescriptions, func(rx *prescription) bool {
		return rx.d.rxnorm == drugInsulin.rxnorm && !rx.authored.After(day)
	})
}
