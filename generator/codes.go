package generator

// EOBTypeSystem is the docs' code system of the claim types (ClaimTypes):
// every ExplanationOfBenefit.type carries one of them in it, and the FHIR
// API's "type" search accepts it in system|code.
const EOBTypeSystem = "https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type"

// Code systems the generator writes, each as its spec names it.
const (
	sysICD10CM     = "http://hl7.org/fhir/sid/icd-10-cm"
	sysICD10PCS    = "http://www.cms.gov/Medicare/Coding/ICD10"
	sysSNOMED      = "http://snomed.info/sct"
	sysLOINC       = "http://loinc.org"
	sysRxNorm      = "http://www.nlm.nih.gov/research/umls/rxnorm"
	sysNDC         = "http://hl7.org/fhir/sid/ndc"
	sysCVX         = "http://hl7.org/fhir/sid/cvx"
	sysCPT         = "http://www.ama-assn.org/go/cpt"
	sysHCPCS       = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
	sysNPI         = "http://hl7.org/fhir/sid/us-npi"
	sysNUCC        = "http://nucc.org/provider-taxonomy"
	sysV20203      = "http://terminology.hl7.org/CodeSystem/v2-0203"
	sysRevenue     = "https://www.nubc.org/CodeSystem/RevenueCodes"
	sysPOS         = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
	sysAbsent      = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	sysClaimType   = ClaimTypeSystem
	sysEOBType     = EOBTypeSystem
	sysAdjudCore   = "http://terminology.hl7.org/CodeSystem/adjudication"
	sysDiagType    = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
	sysPayeeType   = "http://terminology.hl7.org/CodeSystem/payeetype"
	sysActCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysUSCoreCat   = "http://terminology.hl7.org/CodeSystem/observation-category"
	sysCondCat     = "http://terminology.hl7.org/CodeSystem/condition-category"
	sysCondClin    = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	sysCondVer     = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	sysAllergyClin = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	sysAllergyVer  = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	sysMedReqCat   = "http://terminology.hl7.org/CodeSystem/medicationrequest-category"
	sysOrgType     = "http://terminology.hl7.org/CodeSystem/organization-type"
	sysCoverClass  = "http://terminology.hl7.org/CodeSystem/coverage-class"
	sysSubscriber  = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	sysSOPT        = "https://nahdo.org/sopt"
	sysOMB         = "urn:oid:2.16.840.1.113883.6.238"

	// CARIN Blue Button code systems (C4BB STU 2, "Terminology").
	sysC4BBIdentifier   = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
	sysC4BBAdjudication = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
	sysC4BBDiscrim      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
	sysC4BBPayerStatus  = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus"
	sysC4BBSupporting   = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
	sysC4BBDiagType     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType"
	sysC4BBProcType     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimProcedureType"
	sysC4BBCareRole     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
	sysC4BBSubType      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType"
	sysC4BBRelated      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBRelatedClaimRelationshipCodes"
	sysC4BBCompound     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBCompoundLiteral"
	sysC4BBSurface      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSurfaceCodes"

	// The code systems the C4BB 2.0.0 profiles bind, by their THO or
	// publisher URIs (C4BB STU 2, "Terminology", and THO's external code
	// systems).
	sysNCPDPDAW          = "http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode"
	sysNCPDPBrandGeneric = "http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator"
	sysNCPDPRxOrigin     = "http://terminology.hl7.org/CodeSystem/NCPDPPrescriptionOriginCode"
	sysNCPDPCompound     = "http://terminology.hl7.org/CodeSystem/NCPDPCompoundCode"
	sysTypeOfBill        = "https://www.nubc.org/CodeSystem/TypeOfBill"
	sysPointOfOrigin     = "https://www.nubc.org/CodeSystem/PointOfOrigin"
	sysAdmissionType     = "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit"
	sysDischargeStatus   = "https://www.nubc.org/CodeSystem/PatDischargeStatus"
	sysPresentOnAdmit    = "https://www.nubc.org/CodeSystem/PresentOnAdmissionIndicator"
	sysMSDRG             = "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software"
	sysCARC              = "https://x12.org/codes/claim-adjustment-reason-codes"
	sysRelatedClaim      = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
	sysCDT               = "http://www.ada.org/cdt"
	sysToothNumber       = "http://terminology.hl7.org/CodeSystem/ADAUniversalToothDesignationSystem"
	sysOralArea          = "http://terminology.hl7.org/CodeSystem/ADAAreaOralCavitySystem"
	sysTaxID             = "urn:oid:2.16.840.1.113883.4.4"
	sysNAIC              = "urn:oid:2.16.840.1.113883.6.300"
	sysLanguage          = "urn:ietf:bcp:47"

	// The docs' own systems.
	sysBeneID    = "http://apiservicessbext.bcbsnc.com/identifier#bene_id"
	sysHICNHash  = "http://apiservicessbext.bcbsnc.com/identifier#hicnHash"
	sysMemberID  = "http://apiservicessbext.bcbsnc.com/identifier#member_id"
	sysClaimID   = "http://apiservicessbext.bcbsnc.com/identifier#claim_id"
	sysVariables = "https://apiservicessbext.bcbsnc.com/resources/variables/"
	sysRaceVar   = "https://apiservicessb-ext.bcbsnc.com/resources/variables/race"
)

// C4BBVersion is the CARIN Blue Button IG version whose profiles the
// generator follows and names, versioned, in meta.profile.
const C4BBVersion = "2.0.0"

// Profiles set in meta.profile. Every C4BB 2.0.0 profile requires its own
// canonical with the major.minor version (invariants such as
// EOB-pharmacy-meta-profile-version: "canonical|2.0.").
const (
	c4bb                 = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/"
	profC4BBPatient      = c4bb + "C4BB-Patient|" + C4BBVersion
	profC4BBCoverage     = c4bb + "C4BB-Coverage|" + C4BBVersion
	profC4BBOrganization = c4bb + "C4BB-Organization|" + C4BBVersion
	profC4BBPractitioner = c4bb + "C4BB-Practitioner|" + C4BBVersion
	profEOBProfessional  = c4bb + "C4BB-ExplanationOfBenefit-Professional-NonClinician|" + C4BBVersion
	profEOBInpatient     = c4bb + "C4BB-ExplanationOfBenefit-Inpatient-Institutional|" + C4BBVersion
	profEOBOutpatient    = c4bb + "C4BB-ExplanationOfBenefit-Outpatient-Institutional|" + C4BBVersion
	profEOBPharmacy      = c4bb + "C4BB-ExplanationOfBenefit-Pharmacy|" + C4BBVersion
	profEOBOral          = c4bb + "C4BB-ExplanationOfBenefit-Oral|" + C4BBVersion

	usCore              = "http://hl7.org/fhir/us/core/StructureDefinition/"
	profCondition       = usCore + "us-core-condition-problems-health-concerns"
	profLab             = usCore + "us-core-observation-lab"
	profProcedure       = usCore + "us-core-procedure"
	profAllergy         = usCore + "us-core-allergyintolerance"
	profImmunization    = usCore + "us-core-immunization"
	profMedication      = usCore + "us-core-medicationrequest"
	profEncounter       = usCore + "us-core-encounter"
	extRace             = usCore + "us-core-race"
	extEthnicity        = usCore + "us-core-ethnicity"
	extBirthSex         = usCore + "us-core-birthsex"
	profBloodPressure   = usCore + "us-core-blood-pressure"
	profBodyWeight      = usCore + "us-core-body-weight"
	profBMI             = usCore + "us-core-bmi"
	profHeartRate       = usCore + "us-core-heart-rate"
	organizationPayerID = "bcbsnc"
)
