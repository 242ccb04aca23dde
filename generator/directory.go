package generator

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
)

// The directory is every Practitioner and Organization a member's resources
// reference. Each one is a pure function of its id, so the same id renders
// byte-identical JSON whichever member (and whichever seed) refers to it.
// Ids are NPIs: a Practitioner's starts with 1 (an individual NPI), an
// Organization's with 2 and its second digit says what kind of provider it
// is.

const (
	kindClinic = iota
	kindHospital
	kindSNF
	kindHHA
	kindHospice
	kindPharmacy
	kindDME
	kindDental
)

// orgCounts is how many organizations of each kind exist.
var orgCounts = [...]int{kindClinic: 400, kindHospital: 60, kindSNF: 120, kindHHA: 60, kindHospice: 40, kindPharmacy: 300, kindDME: 40, kindDental: 150}

// practitionerCount is the size of the practitioner pool.
const practitionerCount = 3000

// npi returns the 10-digit NPI whose first nine digits are base: the check
// digit is the Luhn digit of "80840" followed by base (CMS, "Requirements
// for Check Digit", NPI final rule 45 CFR 162.406; the constant 24 stands for
// the 80840 prefix).
func npi(base int) string {
	s := strconv.Itoa(base)
	sum := 24
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

// scramble spreads k over seven digits; 48271 is prime to 10^7, so distinct
// k below 10^7 give distinct results.
func scramble(k int) int { return (k*48271 + 1234567) % 10_000_000 }

// practitionerID is the NPI of pool practitioner k.
func practitionerID(k int) string { return npi(100_000_000 + (k%10)*10_000_000 + scramble(k)) }

// organizationID is the NPI of organization k of a kind.
func organizationID(kind, k int) string { return npi(200_000_000 + kind*10_000_000 + scramble(k)) }

// dentistCount is the size of the dentist pool. A dentist's NPI scrambles
// dentistBase+k where a physician's scrambles k < practitionerCount; as
// scramble is one-to-one, no dentist's NPI is a physician's.
const (
	dentistCount = 400
	dentistBase  = 5_000_000
)

// dentistID is the NPI of pool dentist k.
func dentistID(k int) string { return npi(100_000_000 + (k%10)*10_000_000 + scramble(dentistBase+k)) }

// dentists is the set of dentist NPIs.
var dentists = func() map[string]bool {
	set := make(map[string]bool, dentistCount)
	for k := range dentistCount {
		set[dentistID(k)] = true
	}
	return set
}()

// pickDentist draws a pool dentist.
func pickDentist(r *rand.Rand) string { return dentistID(r.IntN(dentistCount)) }

// dentalOfficeOf is the dental practice a dentist bills through and sees
// patients at.
func dentalOfficeOf(dentist string) string {
	return organizationID(kindDental, int(idHash(dentist)%uint64(orgCounts[kindDental])))
}

// clinicOf is the group practice that bills for a physician.
func clinicOf(practitioner string) string {
	return organizationID(kindClinic, int(idHash(practitioner)%uint64(orgCounts[kindClinic])))
}

// dentistTaxonomy is every pool dentist's NUCC taxonomy.
var dentistTaxonomy = coding{sysNUCC, "1223G0001X", "General Practice Dentist"}

// taxID is the federal employer identification number (EIN) of
// organization id, nine digits drawn from the id alone behind one of the
// IRS's EIN prefixes (56): the tax id under which it bills
// (C4BB-Organization identifier:tax, system the IRS TIN OID
// 2.16.840.1.113883.4.4).
func taxID(organization string) string {
	return fmt.Sprintf("56%07d", keyedUint(0, organization, saltTaxID)%10_000_000)
}

var taxType = &concept{Coding: []coding{{sysV20203, "TAX", "Tax ID number"}}}

// idHash seeds the random stream of one directory entry from its id alone.
func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64() | 1
}

// specialtyOf is the index in specialties of practitioner id.
func specialtyOf(id string) int { return int(splitmix64(idHash(id)) % uint64(len(specialties))) }

// pickPractitioner draws a pool practitioner of specialty spec.
func pickPractitioner(r *rand.Rand, spec int) string {
	for range 256 {
		id := practitionerID(r.IntN(practitionerCount))
		if specialtyOf(id) == spec {
			return id
		}
	}
	return practitionerID(spec)
}

// pickOrganization draws an organization of a kind.
func pickOrganization(r *rand.Rand, kind int) string {
	return organizationID(kind, r.IntN(orgCounts[kind]))
}

// refSet collects the directory ids a member references.
type refSet struct {
	practitioners map[string]struct{}
	organizations map[string]struct{}
}

func newRefSet() *refSet {
	return &refSet{practitioners: map[string]struct{}{}, organizations: map[string]struct{}{}}
}

func (s *refSet) practitioner(id string) reference {
	s.practitioners[id] = struct{}{}
	return reference{Reference: "Practitioner/" + id}
}

func (s *refSet) org(id string) reference {
	s.organizations[id] = struct{}{}
	return reference{Reference: "Organization/" + id}
}

// sorted returns the keys of set in order (never map order).
func sorted(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// payerRef is the reference to Blue Cross NC, every claim's insurer and
// every Coverage's payor.
func payerRef() reference {
	return reference{Reference: "Organization/" + organizationPayerID, Display: "Blue Cross and Blue Shield of North Carolina"}
}

// directoryResource returns the Practitioner or Organization typ/id,
// rendering it once per Generator.
func (g *Generator) directoryResource(enc *encoder, typ, id string) Resource {
	key := typ + "/" + id
	if v, ok := g.directory.Load(key); ok {
		return v.(Resource)
	}
	var res Resource
	if typ == "Practitioner" {
		res = practitioner(enc, id)
	} else {
		res = organization(enc, id)
	}
	v, _ := g.directory.LoadOrStore(key, res)
	return v.(Resource)
}

type qualification struct {
	Code concept `json:"code"`
}

type practitionerResource struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Meta          meta            `json:"meta"`
	Identifier    []identifier    `json:"identifier"`
	Active        bool            `json:"active"`
	Name          []humanName     `json:"name"`
	Telecom       []contactPoint  `json:"telecom,omitempty"`
	Address       []address       `json:"address,omitempty"`
	Gender        string          `json:"gender,omitempty"`
	Qualification []qualification `json:"qualification,omitempty"`
}

var npiType = &concept{Coding: []coding{{sysV20203, "NPI", "National provider identifier"}}}

// practitioner renders C4BB-Practitioner id (an individual NPI): a pool
// physician, whose tax id is the EIN of the group practice that bills for
// them (clinicOf), or a dentist, whose tax id is their dental practice's.
func practitioner(enc *encoder, id string) Resource {
	taxonomy, billing := specialties[specialtyOf(id)], clinicOf(id)
	if dentists[id] {
		taxonomy, billing = dentistTaxonomy, dentalOfficeOf(id)
	}
	seed := idHash(id)
	r := rand.New(rand.NewPCG(seed, splitmix64(seed)))
	f := gofakeit.NewFaker(rand.NewPCG(splitmix64(seed^0x5eed), seed), false)
	c := ncCities[r.IntN(len(ncCities))]
	gender := "female"
	if r.IntN(2) == 0 {
		gender = "male"
	}
	given, family := firstName(r, gender), f.LastName()
	updated := directoryStamp(r)
	res := practitionerResource{
		ResourceType: "Practitioner",
		ID:           id,
		Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profC4BBPractitioner}},
		Identifier: []identifier{
			{Type: npiType, System: sysNPI, Value: id},
			{Type: taxType, System: sysTaxID, Value: taxID(billing)},
		},
		Active:  true,
		Name:    []humanName{{Family: family, Given: []string{given}, Prefix: []string{"Dr."}}},
		Telecom: []contactPoint{{System: "phone", Value: c.area + "-555-" + strconv.Itoa(1000+r.IntN(9000)), Use: "work"}},
		Address: []address{{Use: "work", Line: []string{f.Street()}, City: c.name, State: "NC", PostalCode: c.zip, Country: "US"}},
		Gender:  gender,
		Qualification: []qualification{{
			Code: concept{Coding: []coding{taxonomy}},
		}},
	}
	return Resource{Type: "Practitioner", ID: id, LastUpdated: updated, JSON: enc.encode(&res)}
}

type organizationResource struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Meta         meta           `json:"meta"`
	Identifier   []identifier   `json:"identifier"`
	Active       bool           `json:"active"`
	Type         []concept      `json:"type"`
	Name         string         `json:"name"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
	Address      []address      `json:"address,omitempty"`
}

var (
	clinicWords   = []string{"Family Medicine", "Internal Medicine", "Primary Care", "Medical Associates", "Physicians Group", "Health Partners"}
	hospitalWords = []string{"Regional Medical Center", "Memorial Hospital", "Community Hospital", "General Hospital", "Medical Center"}
	snfWords      = []string{"Oaks", "Pines", "Magnolia", "Dogwood", "Cardinal", "Blue Ridge", "Piedmont", "Azalea"}
	dentalWords   = []string{"Family Dentistry", "Dental Care", "Dental Associates", "Smiles Dentistry"}
)

// organization renders C4BB-Organization id: Blue Cross NC for
// organizationPayerID, else the provider whose NPI is id.
func organization(enc *encoder, id string) Resource {
	seed := idHash(id)
	r := rand.New(rand.NewPCG(seed, splitmix64(seed)))
	f := gofakeit.NewFaker(rand.NewPCG(splitmix64(seed^0x0e9), seed), false)
	if id == organizationPayerID {
		return payer(enc, r)
	}
	c := ncCities[r.IntN(len(ncCities))]
	kind := 0
	if len(id) > 1 {
		kind = int(id[1] - '0')
	}
	var name string
	switch kind {
	case kindHospital:
		name = c.name + " " + hospitalWords[r.IntN(len(hospitalWords))]
	case kindSNF:
		name = snfWords[r.IntN(len(snfWords))] + " Rehabilitation and Nursing Center of " + c.name
	case kindHHA:
		name = c.county + " County Home Health"
	case kindHospice:
		name = "Hospice of " + c.county + " County"
	case kindPharmacy:
		name = f.LastName() + " Pharmacy of " + c.name
	case kindDME:
		name = c.name + " Medical Supply"
	case kindDental:
		name = c.name + " " + dentalWords[r.IntN(len(dentalWords))]
	default:
		name = c.name + " " + clinicWords[r.IntN(len(clinicWords))]
	}
	updated := directoryStamp(r)
	res := organizationResource{
		ResourceType: "Organization",
		ID:           id,
		Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profC4BBOrganization}},
		Identifier: []identifier{
			{Type: npiType, System: sysNPI, Value: id},
			{Type: taxType, System: sysTaxID, Value: taxID(id)},
		},
		Active:  true,
		Type:    []concept{conceptOf(sysOrgType, "prov", "Healthcare Provider")},
		Name:    name,
		Telecom: []contactPoint{{System: "phone", Value: c.area + "-555-" + strconv.Itoa(1000+r.IntN(9000)), Use: "work"}},
		Address: []address{{Use: "work", Line: []string{f.Street()}, City: c.name, State: "NC", PostalCode: c.zip, Country: "US"}},
	}
	return Resource{Type: "Organization", ID: id, LastUpdated: updated, JSON: enc.encode(&res)}
}

// payerNAIC is the NAIC company code the sandbox gives Blue Cross NC.
const payerNAIC = "54631"

// payer renders Blue Cross NC with its payer id and NAIC code
// (C4BB-Organization, identifier slices payerid and naiccode).
func payer(enc *encoder, r *rand.Rand) Resource {
	updated := directoryStamp(r)
	res := organizationResource{
		ResourceType: "Organization",
		ID:           organizationPayerID,
		Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profC4BBOrganization}},
		Identifier: []identifier{{
			Type:   &concept{Coding: []coding{{sysC4BBIdentifier, "payerid", "Payer ID"}}},
			System: "https://www.bluecrossnc.com/payerid", Value: "10383",
		}, {
			Type:   &concept{Coding: []coding{{sysC4BBIdentifier, "naiccode", "NAIC Code"}}},
			System: sysNAIC, Value: payerNAIC,
		}},
		Active:  true,
		Type:    []concept{conceptOf(sysOrgType, "pay", "Payer")},
		Name:    "Blue Cross and Blue Shield of North Carolina",
		Telecom: []contactPoint{{System: "phone", Value: "1-888-310-4110", Use: "work"}, {System: "url", Value: "https://www.bluecrossnc.com", Use: "work"}},
		Address: []address{{Use: "work", Line: []string{"4705 University Drive"}, City: "Durham", State: "NC", PostalCode: "27707", Country: "US"}},
	}
	return Resource{Type: "Organization", ID: organizationPayerID, LastUpdated: updated, JSON: enc.encode(&res)}
}
