package generator

// This file is the clinical table that keeps a member's story consistent:
// a condition brings its ICD-10-CM codes to claims, its labs to carrier
// claims and Observations, and its drugs to Part D claims and
// MedicationRequests.

// service is a billable CPT or HCPCS code with a typical charge.
type service struct {
	system, code, display string
	charge                cents
	// preventive marks a Medicare preventive service, for which the
	// member pays no deductible and no coinsurance (42 CFR 410.152(l)).
	preventive bool
}

func cpt(code, display string, charge cents) service {
	return service{system: sysCPT, code: code, display: display, charge: charge}
}

func hcpcs(code, display string, charge cents) service {
	return service{system: sysHCPCS, code: code, display: display, charge: charge}
}

// preventive marks svc as a preventive service.
func preventive(svc service) service {
	svc.preventive = true
	return svc
}

// lab is a laboratory test: the CPT billed and the LOINC result it yields,
// with the range drawn for a member who has the condition that orders it.
type lab struct {
	bill     service
	loinc    string
	display  string
	unit     string
	lo, hi   float64
	decimals int
}

// drug is a prescription: the RxNorm concept ordered and the NDC package
// dispensed, with the cost of a 30-day supply.
type drug struct {
	rxnorm, display string
	ndc, ndcDisplay string
	perDay          float64 // units dispensed per day
	cost30          cents
	brand           bool
	// compound, when set, makes the drug a compound the pharmacy mixes
	// from its ingredients: it has no RxNorm or NDC of its own (rxnorm
	// and ndc are empty).
	compound *[]ingredient
	// sig is the dosage instruction, when it is not a count of units a
	// day.
	sig string
}

// ingredient is one part of a compound: its NDC and the share of the
// compound's quantity it makes up, in the unit given (UCUM).
type ingredient struct {
	ndc   coding
	share float64
	unit  string
}

// condition is one chronic condition of the table.
type condition struct {
	key     string
	icd10   []coding // claim diagnoses; the first is the usual one
	snomed  coding
	elderly float64 // prevalence at 65 and over
	younger float64 // prevalence under 65
	// labs are the tests ordered for it; monitor are those of them that
	// are due at least every cadence days while the member has it, and
	// bloodPressure says a blood pressure is due at that cadence too.
	labs          []lab
	monitor       []lab
	bloodPressure bool
	cadence       int
	// visitEvery bounds the days between the chronic-care visits it calls
	// for; its upper bound never exceeds cadence, so a test drawn at every
	// visit that finds it due keeps to the cadence.
	visitEvery [2]int
	drugs      []drug
	// untreated is the share of members with it who take no drug for it:
	// managed by diet and exercise, declined, or watched for now.
	untreated float64
	dme       []service
	specialty int  // index into specialties of the managing physician
	terminal  bool // its end stage can bring a member to hospice
}

// specialties are NUCC taxonomy codes; a Practitioner's specialty is chosen
// from this list by its id.
var specialties = []coding{
	{sysNUCC, "207Q00000X", "Family Medicine Physician"},
	{sysNUCC, "207R00000X", "Internal Medicine Physician"},
	{sysNUCC, "207RC0000X", "Cardiovascular Disease Physician"},
	{sysNUCC, "207RE0101X", "Endocrinology, Diabetes & Metabolism Physician"},
	{sysNUCC, "207RP1001X", "Pulmonary Disease Physician"},
	{sysNUCC, "207RN0300X", "Nephrology Physician"},
	{sysNUCC, "207X00000X", "Orthopaedic Surgery Physician"},
	{sysNUCC, "2084P0800X", "Psychiatry Physician"},
}

const (
	specFamily = iota
	specInternal
	specCardiology
	specEndocrine
	specPulmonary
	specNephrology
	specOrthopedic
	specPsychiatry
)

var (
	labA1c        = lab{cpt("83036", "Hemoglobin A1c test", 4200), "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 6.6, 9.4, 1}
	labGlucose    = lab{cpt("82947", "Glucose, quantitative, blood", 1800), "2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 110, 210, 0}
	labLDL        = lab{cpt("83721", "LDL cholesterol, direct measurement", 3300), "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 85, 175, 0}
	labCholest    = lab{cpt("82465", "Cholesterol, serum, total", 1900), "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 160, 260, 0}
	labEGFR       = lab{cpt("82565", "Creatinine, blood", 2100), "33914-3", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)", "mL/min/{1.73_m2}", 22, 58, 0}
	labPotassium  = lab{cpt("84132", "Potassium, serum", 1700), "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.6, 5.3, 1}
	labBNP        = lab{cpt("83880", "Natriuretic peptide", 9500), "30934-4", "Natriuretic peptide B [Mass/volume] in Serum or Plasma", "pg/mL", 120, 900, 0}
	labTSH        = lab{cpt("84443", "Thyroid stimulating hormone (TSH)", 5200), "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 0.6, 6.5, 2}
	labHemoglobin = lab{cpt("85018", "Hemoglobin (Hgb)", 1100), "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 10.8, 15.2, 1}
	labPSA        = lab{preventive(hcpcs("G0103", "Prostate cancer screening; prostate specific antigen test (PSA)", 3500)), "2857-1", "Prostate specific Ag [Mass/volume] in Serum or Plasma", "ng/mL", 0.3, 3.9, 1}
)

var (
	drugMetformin  = drug{"860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet", "00093726701", "Metformin HCl ER 500 MG Tablet", 2, 1200, false, nil, ""}
	drugInsulin    = drug{"311041", "insulin glargine 100 UNT/ML Injectable Solution", "00088222033", "Lantus 100 UNIT/ML Vial", 0.5, 31500, true, nil, ""}
	drugLisinopril = drug{"314076", "lisinopril 10 MG Oral Tablet", "68180051401", "Lisinopril 10 MG Tablet", 1, 600, false, nil, ""}
	drugAmlodipine = drug{"197361", "amlodipine 5 MG Oral Tablet", "00069153068", "Amlodipine 5 MG Tablet", 1, 700, false, nil, ""}
	drugAtorva     = drug{"617310", "atorvastatin 20 MG Oral Tablet", "00071015523", "Atorvastatin 20 MG Tablet", 1, 1100, false, nil, ""}
	drugAdvair     = drug{"896209", "60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler", "00173069600", "Advair Diskus 250/50 Inhaler", 2, 42000, true, nil, ""}
	drugAlbuterol  = drug{"745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "59310057922", "ProAir HFA 90 MCG Inhaler", 0.2, 6500, true, nil, ""}
	drugFurosemide = drug{"313988", "furosemide 40 MG Oral Tablet", "00054429931", "Furosemide 40 MG Tablet", 1, 500, false, nil, ""}
	drugMetoprolol = drug{"866412", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet", "00186109205", "Toprol XL 100 MG Tablet", 1, 1800, false, nil, ""}
	drugApixaban   = drug{"1364445", "apixaban 5 MG Oral Tablet", "00003089421", "Eliquis 5 MG Tablet", 2, 55000, true, nil, ""}
	drugSertraline = drug{"312940", "sertraline 50 MG Oral Tablet", "16729021401", "Sertraline 50 MG Tablet", 1, 800, false, nil, ""}
	drugLevothyrox = drug{"966222", "levothyroxine sodium 0.075 MG Oral Tablet", "00074455290", "Synthroid 75 MCG Tablet", 1, 1500, false, nil, ""}
	drugNaproxen   = drug{"849574", "naproxen sodium 220 MG Oral Tablet", "00536455201", "Naproxen Sodium 220 MG Tablet", 2, 500, false, nil, ""}
)

// The monitoring cadences follow the usual guidelines: HbA1c at least
// twice a year (ADA Standards of Care, "Glycemic Goals"), blood pressure at
// least every six months once hypertension is diagnosed (ACC/AHA 2017
// guideline, follow-up), a lipid panel at least yearly on treatment
// (ACC/AHA 2018 cholesterol guideline), eGFR at least yearly in CKD (KDIGO
// 2012) and TSH yearly on levothyroxine (ATA 2014).
const (
	sixMonths = 182
	oneYear   = 365
)

var conditions = []condition{
	{
		key:     "diabetes",
		icd10:   []coding{{sysICD10CM, "E11.9", "Type 2 diabetes mellitus without complications"}, {sysICD10CM, "E11.65", "Type 2 diabetes mellitus with hyperglycemia"}},
		snomed:  coding{sysSNOMED, "44054006", "Diabetes mellitus type 2"},
		elderly: 0.27, younger: 0.12,
		labs: []lab{labA1c, labGlucose}, monitor: []lab{labA1c}, cadence: sixMonths,
		visitEvery: [2]int{75, 150},
		drugs:      []drug{drugMetformin, drugInsulin},
		untreated:  0.12,
		dme:        []service{hcpcs("E0607", "Home blood glucose monitor", 9000), hcpcs("A4253", "Blood glucose test strips, per 50 strips", 6000), hcpcs("A4259", "Lancets, per box of 100", 2000)},
		specialty:  specEndocrine,
	},
	{
		key:     "hypertension",
		icd10:   []coding{{sysICD10CM, "I10", "Essential (primary) hypertension"}},
		snomed:  coding{sysSNOMED, "59621000", "Essential hypertension"},
		elderly: 0.58, younger: 0.25,
		labs: []lab{labPotassium}, bloodPressure: true, cadence: sixMonths,
		visitEvery: [2]int{90, 175},
		drugs:      []drug{drugLisinopril, drugAmlodipine},
		untreated:  0.15,
		specialty:  specInternal,
	},
	{
		key:     "hyperlipidemia",
		icd10:   []coding{{sysICD10CM, "E78.5", "Hyperlipidemia, unspecified"}},
		snomed:  coding{sysSNOMED, "55822004", "Hyperlipidemia"},
		elderly: 0.47, younger: 0.2,
		labs: []lab{labLDL, labCholest}, monitor: []lab{labLDL, labCholest}, cadence: oneYear,
		visitEvery: [2]int{150, 330},
		drugs:      []drug{drugAtorva},
		untreated:  0.25,
		specialty:  specFamily,
	},
	{
		key:     "copd",
		icd10:   []coding{{sysICD10CM, "J44.9", "Chronic obstructive pulmonary disease, unspecified"}, {sysICD10CM, "J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"}},
		snomed:  coding{sysSNOMED, "13645005", "Chronic obstructive lung disease"},
		elderly: 0.11, younger: 0.05,
		labs:       []lab{labHemoglobin},
		visitEvery: [2]int{90, 175},
		drugs:      []drug{drugAdvair, drugAlbuterol},
		untreated:  0.15,
		dme:        []service{hcpcs("E1390", "Oxygen concentrator, single delivery port", 25000), hcpcs("E0570", "Nebulizer, with compressor", 7000)},
		specialty:  specPulmonary,
		terminal:   true,
	},
	{
		key:     "heartfailure",
		icd10:   []coding{{sysICD10CM, "I50.9", "Heart failure, unspecified"}, {sysICD10CM, "I50.22", "Chronic systolic (congestive) heart failure"}},
		snomed:  coding{sysSNOMED, "84114007", "Heart failure"},
		elderly: 0.12, younger: 0.03,
		labs: []lab{labBNP, labPotassium}, monitor: []lab{labPotassium}, cadence: oneYear,
		visitEvery: [2]int{90, 175},
		drugs:      []drug{drugFurosemide, drugMetoprolol},
		untreated:  0.05,
		specialty:  specCardiology,
		terminal:   true,
	},
	{
		key:     "afib",
		icd10:   []coding{{sysICD10CM, "I48.91", "Unspecified atrial fibrillation"}},
		snomed:  coding{sysSNOMED, "49436004", "Atrial fibrillation"},
		elderly: 0.09, younger: 0.01,
		visitEvery: [2]int{90, 175},
		drugs:      []drug{drugApixaban, drugMetoprolol},
		untreated:  0.15,
		specialty:  specCardiology,
	},
	{
		key:     "ckd",
		icd10:   []coding{{sysICD10CM, "N18.9", "Chronic kidney disease, unspecified"}},
		snomed:  coding{sysSNOMED, "709044004", "Chronic kidney disease"},
		elderly: 0.15, younger: 0.05,
		labs: []lab{labEGFR}, monitor: []lab{labEGFR}, cadence: oneYear,
		visitEvery: [2]int{90, 175},
		drugs:      []drug{drugLisinopril},
		untreated:  0.3,
		specialty:  specNephrology,
	},
	{
		key:     "osteoarthritis",
		icd10:   []coding{{sysICD10CM, "M17.0", "Bilateral primary osteoarthritis of knee"}, {sysICD10CM, "M17.11", "Unilateral primary osteoarthritis, right knee"}},
		snomed:  coding{sysSNOMED, "239873007", "Osteoarthritis of knee"},
		elderly: 0.3, younger: 0.1,
		visitEvery: [2]int{150, 330},
		drugs:      []drug{drugNaproxen},
		untreated:  0.4,
		dme:        []service{hcpcs("E0143", "Walker, folding, wheeled", 12000), hcpcs("E0114", "Crutches, underarm, other than wood", 5000)},
		specialty:  specOrthopedic,
	},
	{
		key:     "depression",
		icd10:   []coding{{sysICD10CM, "F32.9", "Major depressive disorder, single episode, unspecified"}},
		snomed:  coding{sysSNOMED, "35489007", "Depressive disorder"},
		elderly: 0.14, younger: 0.18,
		visitEvery: [2]int{150, 330},
		drugs:      []drug{drugSertraline},
		untreated:  0.35,
		specialty:  specPsychiatry,
	},
	{
		key:     "hypothyroidism",
		icd10:   []coding{{sysICD10CM, "E03.9", "Hypothyroidism, unspecified"}},
		snomed:  coding{sysSNOMED, "40930008", "Hypothyroidism"},
		elderly: 0.12, younger: 0.06,
		labs: []lab{labTSH}, monitor: []lab{labTSH}, cadence: oneYear,
		visitEvery: [2]int{150, 330},
		drugs:      []drug{drugLevothyrox},
		untreated:  0.03,
		specialty:  specFamily,
	},
}

// Office services billed on carrier claims.
var (
	svcVisitLow   = cpt("99213", "Office or other outpatient visit, established patient, low complexity", 13500)
	svcVisitMod   = cpt("99214", "Office or other outpatient visit, established patient, moderate complexity", 19500)
	svcVenipunct  = cpt("36415", "Routine venipuncture", 1000)
	svcMetabolic  = cpt("80053", "Comprehensive metabolic panel", 4500)
	svcECG        = cpt("93000", "Electrocardiogram, routine, with interpretation and report", 6000)
	svcPsychother = cpt("90834", "Psychotherapy, 45 minutes", 15000)
	svcArthrocent = cpt("20610", "Arthrocentesis, aspiration and/or injection, major joint", 18000)
	svcEcho       = cpt("93306", "Echocardiography, transthoracic, complete", 210000)
)

// Medicare's preventive visits (42 CFR 410.15 and 410.16), billed with the
// general adult examination as their diagnosis.
var (
	svcIPPE        = preventive(hcpcs("G0402", "Initial preventive physical examination; face-to-face visit, services limited to new beneficiary during the first 12 months of Medicare enrollment", 17000))
	svcAWVInitial  = preventive(hcpcs("G0438", "Annual wellness visit; includes a personalized prevention plan of service (PPS), initial visit", 18500))
	svcAWV         = preventive(hcpcs("G0439", "Annual wellness visit, includes a personalized prevention plan of service (PPS), subsequent visit", 17500))
	dxGeneralExam  = coding{sysICD10CM, "Z00.00", "Encounter for general adult medical examination without abnormal findings"}
	dxMammogram    = coding{sysICD10CM, "Z12.31", "Encounter for screening mammogram for malignant neoplasm of breast"}
	dxProstate     = coding{sysICD10CM, "Z12.5", "Encounter for screening for malignant neoplasm of prostate"}
	dxColon        = coding{sysICD10CM, "Z12.11", "Encounter for screening for malignant neoplasm of colon"}
	svcMammogram   = preventive(cpt("77067", "Screening mammography, bilateral (2-view study of each breast), including computer-aided detection (CAD) when performed", 28000))
	svcColonoscopy = preventive(cpt("45378", "Colonoscopy, flexible, diagnostic", 250000))
	revMammography = coding{sysRevenue, "0403", "Other imaging services, screening mammography"}
	revColonoscopy = coding{sysRevenue, "0360", "Operating room services, general"}
)

// acute is a reason for a visit that is not a chronic condition, with the
// drug prescribed for it at the share of visits given (nil when none).
type acute struct {
	dx       coding
	services []service
	rx       *drug
	rxShare  float64
}

var acuteReasons = []acute{
	// Most upper respiratory infections are viral: few get an antibiotic.
	{coding{sysICD10CM, "J06.9", "Acute upper respiratory infection, unspecified"}, []service{svcVisitLow}, &drugsAcute[0], 0.15},
	{coding{sysICD10CM, "M54.2", "Cervicalgia"}, []service{svcVisitLow}, &drugsAcute[1], 0.4},
	{coding{sysICD10CM, "N39.0", "Urinary tract infection, site not specified"}, []service{svcVisitLow, cpt("81001", "Urinalysis, automated, with microscopy", 1500)}, &drugsAcute[0], 0.8},
	{coding{sysICD10CM, "R07.9", "Chest pain, unspecified"}, []service{svcVisitMod, svcECG}, nil, 0},
}

// admission is a reason for an inpatient stay with the ICD-10-PCS
// procedure that usually goes with it (empty code when none). needs names
// the chronic condition the stay is an episode of ("" for an acute
// illness anyone can have), and aftercare is the diagnosis of the skilled
// nursing or home health care that may follow it.
type admission struct {
	dx        coding
	pcs       coding
	days      [2]int
	needs     string
	aftercare coding
	// elective marks a planned admission (for surgery); the others come
	// through the emergency room. drg is the MS-DRG group the stay falls
	// in, and drgBeforeFY2021 the one before MS-DRG version 38 where that
	// version regrouped it (zero where it did not).
	elective        bool
	drg             msDRG
	drgBeforeFY2021 msDRG
}

var (
	dxPneumonia = coding{sysICD10CM, "J18.9", "Pneumonia, unspecified organism"}
	dxGait      = coding{sysICD10CM, "R26.89", "Other abnormalities of gait and mobility"}
)

// both is an MS-DRG group not split by severity.
func both(d coding) msDRG { return msDRG{d, d} }

var admissions = []admission{
	{dxPneumonia, coding{}, [2]int{3, 6}, "", dxPneumonia, false, msDRG{drg("194", "Simple pneumonia and pleurisy with CC"), drg("195", "Simple pneumonia and pleurisy without CC/MCC")}, msDRG{}},
	{coding{sysICD10CM, "I50.23", "Acute on chronic systolic (congestive) heart failure"}, coding{}, [2]int{3, 7}, "heartfailure", coding{sysICD10CM, "I50.22", "Chronic systolic (congestive) heart failure"}, false, msDRG{drg("292", "Heart failure and shock with CC"), drg("293", "Heart failure and shock without CC/MCC")}, msDRG{}},
	{coding{sysICD10CM, "J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"}, coding{sysICD10PCS, "5A1945Z", "Respiratory Ventilation, 24-96 Consecutive Hours"}, [2]int{4, 8}, "copd", coding{sysICD10CM, "J44.9", "Chronic obstructive pulmonary disease, unspecified"}, false, both(drg("208", "Respiratory system diagnosis with ventilator support <=96 hours")), msDRG{}},
	{coding{sysICD10CM, "M17.11", "Unilateral primary osteoarthritis, right knee"}, coding{sysICD10PCS, "0SRC0J9", "Replacement of Right Knee Joint with Synthetic Substitute, Cemented, Open Approach"}, [2]int{2, 4}, "osteoarthritis", coding{sysICD10CM, "Z47.1", "Aftercare following joint replacement surgery"}, true, both(drg("470", "Major hip and knee joint replacement or reattachment of lower extremity without MCC")), msDRG{}},
	{coding{sysICD10CM, "I21.4", "Non-ST elevation (NSTEMI) myocardial infarction"}, coding{sysICD10PCS, "02703DZ", "Dilation of Coronary Artery, One Artery with Intraluminal Device, Percutaneous Approach"}, [2]int{2, 5}, "", coding{sysICD10CM, "Z48.812", "Encounter for surgical aftercare following surgery on the circulatory system"}, false, both(drg("322", "Percutaneous cardiovascular procedures with intraluminal device without MCC")), both(drg("249", "Percutaneous cardiovascular procedures with non-drug-eluting stent without MCC"))},
	{coding{sysICD10CM, "A41.9", "Sepsis, unspecified organism"}, coding{sysICD10PCS, "30233N1", "Transfusion of Nonautologous Red Blood Cells into Peripheral Vein, Percutaneous Approach"}, [2]int{5, 10}, "", dxGait, false, both(drg("872", "Septicemia or severe sepsis without MV >96 hours without MCC")), msDRG{}},
	{coding{sysICD10CM, "K80.20", "Calculus of gallbladder without cholecystitis without obstruction"}, coding{sysICD10PCS, "0FT44ZZ", "Resection of Gallbladder, Percutaneous Endoscopic Approach"}, [2]int{1, 3}, "", coding{sysICD10CM, "Z48.815", "Encounter for surgical aftercare following surgery on the digestive system"}, true, msDRG{drg("418", "Laparoscopic cholecystectomy without C.D.E. with CC"), drg("419", "Laparoscopic cholecystectomy without C.D.E. without CC/MCC")}, msDRG{}},
	{coding{sysICD10CM, "N17.9", "Acute kidney failure, unspecified"}, coding{sysICD10PCS, "5A1D70Z", "Performance of Urinary Filtration, Intermittent, Less than 6 Hours Per Day"}, [2]int{3, 7}, "", dxGait, false, msDRG{drg("683", "Renal failure with CC"), drg("684", "Renal failure without CC/MCC")}, msDRG{}},
}

// visit is an outpatient hospital service: the reason, the revenue centre
// and the CPT billed, and whether it is also a Procedure resource.
type visit struct {
	dx        coding
	revenue   coding
	bill      service
	procedure bool
}

// outpatientVisits are the hospital outpatient services anyone may need;
// screenings and the echocardiograms of heart failure are scheduled apart
// (timeline.go).
var outpatientVisits = []visit{
	{coding{sysICD10CM, "R07.9", "Chest pain, unspecified"}, coding{sysRevenue, revEmergency, "Emergency room, general"}, cpt("99284", "Emergency department visit, moderate complexity", 150000), false},
	{coding{sysICD10CM, "R06.02", "Shortness of breath"}, coding{sysRevenue, "0324", "Radiology diagnostic, chest X-ray"}, cpt("71046", "Radiologic examination, chest, 2 views", 25000), true},
	{coding{sysICD10CM, "R01.1", "Cardiac murmur, unspecified"}, revEcho, svcEcho, true},
	{coding{sysICD10CM, "R10.9", "Unspecified abdominal pain"}, coding{sysRevenue, "0352", "CT scan, body"}, cpt("74177", "CT abdomen and pelvis with contrast", 320000), true},
	{coding{sysICD10CM, "Z13.6", "Encounter for screening for cardiovascular disorders"}, coding{sysRevenue, "0730", "EKG/ECG, general"}, cpt("93005", "Electrocardiogram, tracing only", 15000), false},
}

var revEcho = coding{sysRevenue, "0483", "Cardiology, echocardiology"}

// revEmergency is the emergency room's revenue code.
const revEmergency = "0450"

var (
	revRoomBoard = coding{sysRevenue, "0120", "Room & board, semi-private, general"}
	revPharmacy  = coding{sysRevenue, "0250", "Pharmacy, general"}
	revLab       = coding{sysRevenue, "0300", "Laboratory, general"}
	revSurgery   = coding{sysRevenue, "0360", "Operating room services, general"}
	revPT        = coding{sysRevenue, "0420", "Physical therapy, general"}
	revOT        = coding{sysRevenue, "0430", "Occupational therapy, general"}
	revHHNursing = coding{sysRevenue, "0551", "Skilled nursing, visit charge"}
	revHHPT      = coding{sysRevenue, "0421", "Physical therapy, visit charge"}
	revHospice   = coding{sysRevenue, "0651", "Hospice, routine home care"}
)

var (
	svcHHNursing = hcpcs("G0299", "Direct skilled nursing services of a registered nurse in home health", 18000)
	svcHHPT      = hcpcs("G0151", "Services performed by a qualified physical therapist in home health", 19000)
	svcHospice   = hcpcs("Q5001", "Hospice or home health care provided in patient's home/residence", 20000)
	svcPTEval    = cpt("97110", "Therapeutic exercises, each 15 minutes", 9000)
	svcOTEval    = cpt("97535", "Self-care/home management training, each 15 minutes", 9000)
)

var hospiceReasons = []coding{
	{sysICD10CM, "C34.90", "Malignant neoplasm of unspecified part of unspecified bronchus or lung"},
	{sysICD10CM, "G30.9", "Alzheimer's disease, unspecified"},
	{sysICD10CM, "I50.9", "Heart failure, unspecified"},
	{sysICD10CM, "J44.9", "Chronic obstructive pulmonary disease, unspecified"},
}

// snfReasons are the diagnoses of post-acute care that follows no stay of
// the member's own record (a claim added after the fact).
var snfReasons = []coding{
	{sysICD10CM, "Z47.1", "Aftercare following joint replacement surgery"},
	dxPneumonia,
	{sysICD10CM, "Z09", "Encounter for follow-up examination after completed treatment for conditions other than malignant neoplasm"},
	dxGait,
}

// dmeGeneric is equipment for unsteady gait (dxGait), whatever the cause.
var dmeGeneric = []service{
	hcpcs("E0143", "Walker, folding, wheeled", 12000),
	hcpcs("K0001", "Standard wheelchair", 45000),
}

var drugsAcute = []drug{
	{"308182", "amoxicillin 250 MG Oral Capsule", "00093310701", "Amoxicillin 250 MG Capsule", 3, 900, false, nil, ""},
	drugNaproxen,
}
