package generator

import (
	"fmt"
	"slices"
	"time"
)

// This file holds what a claim's form says beside its lines: the UB-04
// codes of an institutional bill, the NCPDP fields of a fill, the
// provider's chart and account numbers.
//
// These details were added after the members' random streams were fixed,
// so they are drawn from a hash of the seed and a key of their own (a
// claim number; a provider and a member), never from a stream: drawing
// them changes no other detail of any member.

// Salts keep the keyed draws of each purpose apart.
const (
	saltAdjusted uint64 = iota + 1
	saltAdjustedWhy
	saltAdjustedLine
	saltChart
	saltAccount
	saltRxOrigin
	saltTaxID
)

// keyedUint is a 64-bit draw from seed, key and salt alone.
func keyedUint(seed uint64, key string, salt uint64) uint64 {
	return splitmix64(idHash(key) ^ splitmix64(seed^salt<<48))
}

// keyed is a draw in [0, 1) from seed, key and salt alone.
func keyed(seed uint64, key string, salt uint64) float64 {
	return float64(keyedUint(seed, key, salt)>>11) / (1 << 53)
}

// keyedN is a draw in [0, n) from seed, key and salt alone.
func keyedN(seed uint64, key string, salt uint64, n int) int {
	return int(keyedUint(seed, key, salt) % uint64(n))
}

// medicalRecordNumber is the member's chart number at provider: the same
// on every claim of that provider.
func (b *builder) medicalRecordNumber(provider string) string {
	return fmt.Sprintf("%09d", keyedUint(b.g.seed, provider+"/"+b.pid, saltChart)%1_000_000_000)
}

// patientAccountNumber is the provider's account number for the visit or
// stay a claim bills.
func (b *builder) patientAccountNumber(c *claim) string {
	return fmt.Sprintf("%010d", keyedUint(b.g.seed, c.number, saltAccount)%10_000_000_000)
}

// NCPDP fields of a fill.

// refillsAuthorized is how many refills the prescriber allowed: none for
// an acute course (filled for fewer than 30 days) or a compound; for a
// maintenance drug as many as make a year's supply with the first fill,
// the longest most states let a prescription run: 11 refills of 30 days,
// 3 of 90 (the fills of medication.go keep to it).
func refillsAuthorized(c *claim) int {
	if c.drug == nil || c.drug.compound != nil || c.daysSupply < 30 {
		return 0
	}
	return 360/c.daysSupply - 1
}

// brandGeneric is the NCPDP brand/generic indicator of the drug dispensed
// (NCPDP field 686: 1 brand, 2 generic); a compound counts as generic.
func brandGeneric(d *drug) coding {
	if d != nil && d.brand {
		return coding{sysNCPDPBrandGeneric, "1", "Brand"}
	}
	return coding{sysNCPDPBrandGeneric, "2", "Generic"}
}

// compoundCode is the NCPDP compound code (field 406-D6): 1 not a
// compound, 2 compound.
func compoundCode(d *drug) coding {
	if d != nil && d.compound != nil {
		return coding{sysNCPDPCompound, "2", "Compound"}
	}
	return coding{sysNCPDPCompound, "1", "Not a Compound"}
}

// rxOrigins are the NCPDP prescription origin codes (field 419-DJ) with
// their share of prescriptions: most are sent electronically.
var rxOrigins = []struct {
	code  coding
	share float64
}{
	{coding{sysNCPDPRxOrigin, "3", "Electronic"}, 0.82},
	{coding{sysNCPDPRxOrigin, "1", "Written"}, 0.09},
	{coding{sysNCPDPRxOrigin, "2", "Telephone"}, 0.05},
	{coding{sysNCPDPRxOrigin, "4", "Facsimile"}, 0.04},
}

// rxOrigin is how the prescription a fill is dispensed on reached the
// pharmacy: the same for every fill of one prescription.
func (b *builder) rxOrigin(c *claim) coding {
	written := c.rxWritten
	if written.IsZero() {
		written = c.start
	}
	rxnorm := ""
	if c.drug != nil {
		rxnorm = c.drug.rxnorm + c.drug.display
	}
	u := keyed(b.g.seed, b.pid+"/"+rxnorm+"/"+fmtDate(written), saltRxOrigin)
	for _, o := range rxOrigins {
		if u < o.share {
			return o.code
		}
		u -= o.share
	}
	return rxOrigins[0].code
}

// NUBC UB-04 codes of an institutional claim.

// Patient discharge status (UB-04 FL17) of a stay.
const (
	dischargeHome         = "01"
	dischargeToSNF        = "03"
	dischargeToHomeHealth = "06"
	dischargeStillPatient = "30"
)

var dischargeDisplays = map[string]string{
	dischargeHome:         "Discharged to home or self care (routine discharge)",
	dischargeToSNF:        "Discharged/transferred to a skilled nursing facility (SNF) with Medicare certification",
	dischargeToHomeHealth: "Discharged/transferred to home under care of organized home health service organization",
	dischargeStillPatient: "Still patient",
}

// dischargeStatus is where the claim leaves the member: a hospice claim
// is an interim bill of an election that goes on; a stay discharges to
// the care that follows it (timeline.go); anything else home.
func dischargeStatus(c *claim) coding {
	code := c.discharge
	switch {
	case c.typ == "hospice":
		code = dischargeStillPatient
	case code == "":
		code = dischargeHome
	}
	return coding{sysDischargeStatus, code, dischargeDisplays[code]}
}

// typeOfBill is the UB-04 type of bill (FL4): facility type, bill
// classification and frequency. Every claim here bills a whole stay or
// visit (frequency 1) but home health, billed at the end of its period
// (9, final claim of an HH PPS episode), and hospice, billed monthly while
// the election goes on (2 for its first claim, 3 for the next ones).
func (b *builder) typeOfBill(c *claim) coding {
	switch c.typ {
	case "inpatient":
		return coding{sysTypeOfBill, "0111", "Hospital inpatient (Part A), admit through discharge claim"}
	case "snf":
		return coding{sysTypeOfBill, "0211", "Skilled nursing inpatient (Part A), admit through discharge claim"}
	case "hha":
		return coding{sysTypeOfBill, "0329", "Home health under a plan of treatment, final claim for an HH PPS episode"}
	case "hospice":
		switch {
		case b.hospiceStart.IsZero():
			return coding{sysTypeOfBill, "0811", "Hospice (non-hospital based), admit through discharge claim"}
		case c.start.Equal(b.hospiceStart):
			return coding{sysTypeOfBill, "0812", "Hospice (non-hospital based), interim - first claim"}
		default:
			return coding{sysTypeOfBill, "0813", "Hospice (non-hospital based), interim - continuing claim"}
		}
	default: // outpatient
		return coding{sysTypeOfBill, "0131", "Hospital outpatient, admit through discharge claim"}
	}
}

// Priority of the admission or visit (UB-04 FL14) and its point of origin
// (FL15, the non-newborn codes).
var (
	priorityEmergency = coding{sysAdmissionType, "1", "Emergency"}
	priorityElective  = coding{sysAdmissionType, "3", "Elective"}
	originNonFacility = coding{sysPointOfOrigin, "1", "Non-health care facility point of origin"}
	originClinic      = coding{sysPointOfOrigin, "2", "Clinic or physician's office"}
	originHospital    = coding{sysPointOfOrigin, "4", "Transfer from a hospital (different facility)"}
)

// admissionOfBill gives the priority and point of origin of a hospital
// stay (planned surgery elective, the rest through the emergency room,
// both from home), of a skilled nursing stay (planned, transferred from
// the hospital stay that qualifies it) and of an outpatient visit (an
// emergency from home, else a test the member's physician ordered), and
// false for home health and hospice, whose bills have neither.
func admissionOfBill(c *claim) (priority, origin coding, ok bool) {
	switch c.typ {
	case "inpatient":
		if a, found := admissionByDiagnosis(c.diags[0].Code); found && a.elective {
			return priorityElective, originNonFacility, true
		}
		return priorityEmergency, originNonFacility, true
	case "snf":
		return priorityElective, originHospital, true
	case "outpatient":
		if len(c.lines) > 0 && c.lines[0].revenue != nil && c.lines[0].revenue.Code == revEmergency {
			return priorityEmergency, originNonFacility, true
		}
		return priorityElective, originClinic, true
	}
	return coding{}, coding{}, false
}

// admissionByDiagnosis finds the admission whose principal diagnosis is
// code.
func admissionByDiagnosis(code string) (admission, bool) {
	i := slices.IndexFunc(admissions, func(a admission) bool { return a.dx.Code == code })
	if i < 0 {
		return admission{}, false
	}
	return admissions[i], true
}

// msDRG is the pair of MS-DRGs a stay groups to, with a CC among its
// other diagnoses and without CC or MCC (one DRG twice where the group is
// not split by severity).
type msDRG struct{ withCC, without coding }

func drg(code, display string) coding { return coding{sysMSDRG, code, display} }

// ccCodes are the complications or comorbidities (CMS MS-DRG CC list) the
// member's conditions bring to a stay: of them only chronic systolic
// heart failure; unspecified heart failure, the chronic kidney disease
// stage here and the rest are not CCs.
var ccCodes = []string{"I50.22"}

// fy2021 is when MS-DRG version 38 took effect (discharges from October
// 1, 2020), which regrouped the percutaneous cardiovascular procedures.
var fy2021 = time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC)

// msDRGOf groups an acute stay: its admission's DRG for the version in
// effect on the discharge day, with a CC when one of its other diagnoses
// is a CC outside the principal diagnosis's own category (a CC in it is
// excluded). Skilled nursing is paid by the day, not by DRG.
func msDRGOf(c *claim) (coding, bool) {
	if c.typ != "inpatient" || len(c.diags) == 0 {
		return coding{}, false
	}
	a, ok := admissionByDiagnosis(c.diags[0].Code)
	if !ok {
		return coding{}, false
	}
	group := a.drg
	if a.drgBeforeFY2021.without.Code != "" && c.end.Before(fy2021) {
		group = a.drgBeforeFY2021
	}
	principal := icdCategory(c.diags[0].Code)
	for _, d := range c.diags[1:] {
		if slices.Contains(ccCodes, d.Code) && icdCategory(d.Code) != principal {
			return group.withCC, true
		}
	}
	return group.without, true
}

// icdCategory is the ICD-10-CM category of a code: E11 of E11.65.
func icdCategory(code string) string {
	for i := range len(code) {
		if code[i] == '.' {
			return code[:i]
		}
	}
	return code
}
