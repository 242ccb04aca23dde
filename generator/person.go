package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// city is a North Carolina place with its county, a ZIP code and an area
// code, so that addresses and phone numbers agree.
type city struct {
	name, county, zip, area string
}

var ncCities = []city{
	{"Raleigh", "Wake", "27604", "919"},
	{"Cary", "Wake", "27511", "919"},
	{"Charlotte", "Mecklenburg", "28205", "704"},
	{"Matthews", "Mecklenburg", "28105", "704"},
	{"Greensboro", "Guilford", "27405", "336"},
	{"High Point", "Guilford", "27260", "336"},
	{"Durham", "Durham", "27707", "919"},
	{"Winston-Salem", "Forsyth", "27103", "336"},
	{"Fayetteville", "Cumberland", "28303", "910"},
	{"Wilmington", "New Hanover", "28403", "910"},
	{"Asheville", "Buncombe", "28803", "828"},
	{"Hickory", "Catawba", "28601", "828"},
	{"Boone", "Watauga", "28607", "828"},
	{"Greenville", "Pitt", "27834", "252"},
	{"Rocky Mount", "Nash", "27804", "252"},
	{"New Bern", "Craven", "28560", "252"},
	{"Concord", "Cabarrus", "28025", "704"},
	{"Gastonia", "Gaston", "28052", "704"},
	{"Chapel Hill", "Orange", "27514", "919"},
	{"Burlington", "Alamance", "27215", "336"},
	{"Goldsboro", "Wayne", "27530", "919"},
	{"Jacksonville", "Onslow", "28540", "910"},
	{"Pinehurst", "Moore", "28374", "910"},
	{"Salisbury", "Rowan", "28144", "704"},
}

// Given names common among North Carolinians born 1930..1965, by sex;
// gofakeit's first names carry no sex, and a Medicare member's name should
// match the Patient's gender.
var (
	femaleNames = []string{"Mary", "Patricia", "Linda", "Barbara", "Elizabeth", "Shirley", "Betty", "Dorothy", "Margaret", "Nancy",
		"Carolyn", "Sandra", "Judy", "Joyce", "Brenda", "Peggy", "Donna", "Martha", "Frances", "Helen", "Ruth", "Janet", "Gloria",
		"Annie", "Louise", "Evelyn", "Jean", "Doris", "Carol", "Sharon", "Kathy", "Deborah", "Wanda", "Ann", "Gail", "Sheila",
		"Rebecca", "Phyllis", "Glenda", "Bonnie", "Teresa", "Debra", "Cynthia", "Rosa", "Maria", "Lillian", "Gwendolyn"}
	maleNames = []string{"James", "John", "Robert", "William", "Charles", "David", "Richard", "Thomas", "Larry", "Ronald",
		"Donald", "Kenneth", "Gary", "Michael", "Billy", "Jerry", "Joseph", "George", "Harold", "Roger", "Jimmy", "Johnny",
		"Bobby", "Edward", "Paul", "Dennis", "Raymond", "Wayne", "Ralph", "Earl", "Carl", "Frank", "Walter", "Jack", "Eugene",
		"Roy", "Willie", "Howard", "Clarence", "Harvey", "Steven", "Danny", "Jose", "Curtis", "Leroy", "Douglas", "Terry"}
)

func firstName(r *rand.Rand, gender string) string {
	if gender == "male" {
		return maleNames[r.IntN(len(maleNames))]
	}
	return femaleNames[r.IntN(len(femaleNames))]
}

// race is one OMB race category with the docs' race variable code (the
// CMS beneficiary race code) and its share of North Carolina's Medicare
// population.
type race struct {
	omb         coding
	docsCode    string
	docsDisplay string
	share       float64
}

var races = []race{
	{coding{sysOMB, "2106-3", "White"}, "1", "White", 0.72},
	{coding{sysOMB, "2054-5", "Black or African American"}, "2", "Black", 0.21},
	{coding{sysOMB, "2028-9", "Asian"}, "4", "Asian", 0.03},
	{coding{sysOMB, "1002-5", "American Indian or Alaska Native"}, "6", "North American Native", 0.02},
	{coding{sysOMB, "2076-8", "Native Hawaiian or Other Pacific Islander"}, "3", "Other", 0.02},
}

// person is a member's demographics, drawn before any resource is written.
type person struct {
	given, middle, family string
	gender                string // "male" or "female"
	birth                 time.Time
	city                  city
	street                string
	phone, email          string
	race                  race
	hispanic              bool
	memberID              string
	disabled, esrd        bool
	enrolled              time.Time // first day of Medicare entitlement
	created               time.Time // when the online account was made
	advantage             bool      // enrolled in Part C (Medicare Advantage)
}

// drawPerson draws demographics. Most members are 65 or over, as in
// Medicare; about one in seven is younger and entitled by disability.
func drawPerson(r *rand.Rand, f *gofakeit.Faker, number int, asOf time.Time) person {
	var p person
	p.gender = "female"
	if r.Float64() < 0.45 {
		p.gender = "male"
	}
	p.given, p.middle, p.family = firstName(r, p.gender), firstName(r, p.gender), f.LastName()
	for p.middle == p.given {
		p.middle = firstName(r, p.gender)
	}

	var age int
	if r.Float64() < 0.86 {
		age = 65 + int(32*pow16(r.Float64()))
	} else {
		age = 26 + r.IntN(39)
		p.disabled = true
	}
	p.birth = asOf.AddDate(-age, 0, -1-r.IntN(364))
	if p.disabled {
		p.enrolled = firstOfMonth(p.birth.AddDate(age-1-r.IntN(max(1, age-24)), 0, 0))
	} else {
		p.enrolled = medicareStart(p.birth)
	}
	p.esrd = r.Float64() < 0.012
	p.advantage = r.Float64() < 0.42

	p.city = ncCities[r.IntN(len(ncCities))]
	p.street = f.Street()
	p.phone = fmt.Sprintf("%s-%03d-%04d", p.city.area, 200+r.IntN(800), r.IntN(10000))
	p.email = strings.ToLower(emailLocal(p.given)+"."+emailLocal(p.family)) + fmt.Sprintf("%d@example.com", number)

	u := r.Float64()
	p.race = races[len(races)-1]
	for _, rc := range races {
		if u < rc.share {
			p.race = rc
			break
		}
		u -= rc.share
	}
	p.hispanic = r.Float64() < 0.05
	p.memberID = fmt.Sprintf("YPW%09d", number)
	// The online account is opened some time after entitlement, once the
	// member has a card; the docs' own example account dates from 2017.
	opened := later(time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), p.enrolled)
	p.created = addDays(opened, r.IntN(max(1, daysBetween(opened, asOf))))
	return p
}

// pow16 skews a uniform draw towards zero, so ages cluster in the late
// sixties and seventies and thin out towards one hundred.
func pow16(u float64) float64 { return u * u * (0.4 + 0.6*u) }

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// emailLocal keeps the letters of a name, for an email address.
func emailLocal(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "member"
	}
	return b.String()
}

// age returns whole years from birth to t.
func (p *person) age(t time.Time) int {
	a := t.Year() - p.birth.Year()
	if t.YearDay() < p.birth.YearDay() {
		a--
	}
	return a
}

type patientResource struct {
	ResourceType    string          `json:"resourceType"`
	ID              string          `json:"id"`
	Meta            meta            `json:"meta"`
	Extension       []extension     `json:"extension,omitempty"`
	Identifier      []identifier    `json:"identifier,omitempty"`
	Active          bool            `json:"active"`
	Name            []humanName     `json:"name,omitempty"`
	Telecom         []contactPoint  `json:"telecom,omitempty"`
	Gender          string          `json:"gender,omitempty"`
	BirthDate       string          `json:"birthDate,omitempty"`
	DeceasedBoolean *bool           `json:"deceasedBoolean,omitempty"`
	Address         []address       `json:"address,omitempty"`
	Communication   []communication `json:"communication,omitempty"`
}

type communication struct {
	Language  concept `json:"language"`
	Preferred bool    `json:"preferred,omitempty"`
}

// The languages a member speaks (US Core: communication.language from BCP
// 47): English, or Spanish for half the Hispanic members, who then read
// English too.
var (
	english = conceptOf(sysLanguage, "en", "English")
	spanish = conceptOf(sysLanguage, "es", "Spanish")
)

// patientDetails draws what a member's Patient gained later, from its own
// stream: since when the member has lived at the address on file (from
// their eighteenth birthday up to a year ago), and their languages.
func (b *builder) patientDetails(r *rand.Rand) (movedIn time.Time, languages []communication) {
	p := &b.person
	from, to := p.birth.AddDate(18, 0, 0), b.cal.asOf.AddDate(-1, 0, 0)
	movedIn = from
	if to.After(from) {
		movedIn = addDays(from, r.IntN(daysBetween(from, to)+1))
	}
	languages = []communication{{Language: english, Preferred: true}}
	if p.hispanic && r.Float64() < 0.5 {
		languages = []communication{{Language: spanish, Preferred: true}, {Language: english}}
	}
	return movedIn, languages
}

// patient renders the C4BB-Patient. Identifiers follow the docs (bene_id =
// the patient id, hicnHash = a hex SHA-256) plus the member id that C4BB
// requires, typed MB from v2-0203 (C4BB Patient, identifier slice).
func (b *builder) patient(updated time.Time) Resource {
	p := &b.person
	hash := sha256.Sum256([]byte("hicn:" + p.memberID + ":" + b.pid))
	ethnic := coding{sysOMB, "2186-5", "Not Hispanic or Latino"}
	if p.hispanic {
		ethnic = coding{sysOMB, "2135-2", "Hispanic or Latino"}
	}
	birthSex := "F"
	if p.gender == "male" {
		birthSex = "M"
	}
	movedIn, languages := b.patientDetails(newRand(b.g.seed, b.spec.Number, streamPatientDetails))
	// Every member is alive: a record ends at the as-of date with its
	// member still covered (C4BB Patient: deceased[x] must support).
	alive := false
	res := patientResource{
		ResourceType: "Patient",
		ID:           b.pid,
		Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profC4BBPatient}},
		Extension: []extension{
			{URL: sysRaceVar, ValueCoding: &coding{sysRaceVar, p.race.docsCode, p.race.docsDisplay}},
			{URL: extRace, Extension: []extension{
				{URL: "ombCategory", ValueCoding: &p.race.omb},
				{URL: "text", ValueString: p.race.omb.Display},
			}},
			{URL: extEthnicity, Extension: []extension{
				{URL: "ombCategory", ValueCoding: &ethnic},
				{URL: "text", ValueString: ethnic.Display},
			}},
			{URL: extBirthSex, ValueCode: birthSex},
		},
		Identifier: []identifier{
			{Type: &concept{Coding: []coding{{sysC4BBIdentifier, "um", "Unique Member ID"}}}, System: sysBeneID, Value: b.pid},
			{Type: &concept{Text: "HICN hash"}, System: sysHICNHash, Value: hex.EncodeToString(hash[:])},
			{Type: &concept{Coding: []coding{{sysV20203, "MB", "Member Number"}}}, System: sysMemberID, Value: p.memberID},
		},
		Active: true,
		Name:   []humanName{{Use: "usual", Family: p.family, Given: []string{p.given, p.middle}}},
		Telecom: []contactPoint{
			{System: "phone", Value: p.phone, Use: "home"},
			{System: "email", Value: b.m.Email},
		},
		Gender:          p.gender,
		BirthDate:       fmtDate(p.birth),
		DeceasedBoolean: &alive,
		Address: []address{{
			Use: "home", Type: "physical", Line: []string{p.street}, City: p.city.name,
			District: p.city.county, State: "NC", PostalCode: p.city.zip, Country: "US",
			Period: &period{Start: fmtDate(movedIn)},
		}},
		Communication: languages,
	}
	return Resource{Type: "Patient", ID: b.pid, LastUpdated: updated, JSON: b.enc.encode(&res)}
}
