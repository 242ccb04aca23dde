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
	sysClaimType   = "http://terminology.hl7.org/CodeSystem/claim-type"
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
	sysC4BBPayment      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerClaimPaymentStatusCode"
	sysC4BBSupporting   = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType"
	sysC4BBDiagType     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType"
	sysC4BBProcType     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimProcedureType"
	sysC4BBCareRole     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
	sysC4BBSubType      = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType"
	sysNCPDPDAW         = "http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode"

	// The docs' own systems.
	sysBeneID    = "http://apiservicessbext.bcbsnc.com/identifier#bene_id"
	sysHICNHash  = "http://apiservicessbext.bcbsnc.com/identifier#hicnHash"
	sysMemberID  = "http://apiservicessbext.bcbsnc.com/identifier#member_id"
	sysClaimID   = "http://apiservicessbext.bcbsnc.com/identifier#claim_id"
	sysVariables = "https://apiservicessbext.bcbsnc.com/resources/variables/"
	sysRaceVar   = "https://apiservicessb-ext.bcbsnc.com/resources/variables/race"
)

// Profiles set in meta.profile.
const (
	profC4BBPatient      = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient"
	profC4BBCoverage     = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage"
	profC4BBOrganization = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization"
	profC4BBPractitioner = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner"
	profEOBProfessional  = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician"
	profEOBInpatient     = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional"
	profEOBOutpatient    = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Outpatient-Institutional"
	profEOBPharmacy      = "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy"

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
