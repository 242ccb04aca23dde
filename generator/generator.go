package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClaimTypes are the docs' eight claim types in the fixed order that
// Spec.ClaimCounts is read in and that a member's claims are drawn in.
var ClaimTypes = []string{"carrier", "dme", "hha", "hospice", "inpatient", "outpatient", "snf", "pde"}

// ClaimTypeOral is the Resource.ClaimType of a dental claim, served as the
// C4BB Oral profile (C4BB-ExplanationOfBenefit-Oral). It is not one of
// ClaimTypes: those are the codes of the docs' eob-type code system
// (EOBTypeSystem), Medicare's claim files, which have no dental claim, as
// Original Medicare pays for no routine dental care. A dental EOB's type
// carries only the HL7 claim-type coding oral, so no eob-type value finds
// it, and Spec.ClaimCounts cannot ask for it. Medicare Advantage members,
// whose plan adds dental benefits, have dental claims.
const ClaimTypeOral = "oral"

// ClaimTypeSystem is the HL7 claim type code system. Every EOB's type
// carries one of its codes first, the one its C4BB profile fixes
// (HL7ClaimType).
const ClaimTypeSystem = "http://terminology.hl7.org/CodeSystem/claim-type"

// HL7ClaimType returns the code of ClaimTypeSystem that the EOB of a claim
// type (one of ClaimTypes or ClaimTypeOral) carries: professional for
// carrier and DME claims, institutional for stays, outpatient, home health
// and hospice claims, pharmacy for Part D fills, oral for dental claims;
// "" for any other value.
func HL7ClaimType(claimType string) string {
	if claimType != ClaimTypeOral && !slices.Contains(ClaimTypes, claimType) {
		return ""
	}
	_, _, code, _ := claimKind(claimType)
	return code.Code
}

// Spec says which member to build.
type Spec struct {
	// Number is the account number N: username BCNCUser%02d, password
	// BCNCPSWD%02d, and the member's random streams.
	Number int
	// PatientID overrides PatientID(Number) when not empty.
	PatientID string
	// ClaimCounts, when not nil, gives the exact number of
	// ExplanationOfBenefit resources per claim type; types it does not name
	// get none, and the member has no dental claims (ClaimTypeOral). Nil
	// means the counts are drawn.
	ClaimCounts map[string]int
	// Rich guarantees at least one of every claim type and every clinical
	// resource type.
	Rich bool
	// Edge, when its Trait is set, makes the member one of the sandbox's
	// edge cases (edgecases.go); ClaimCounts is then the edge case's.
	Edge EdgeCase
}

// Generator builds members deterministically from a seed. It is safe for
// concurrent use: its only mutable state is a cache of the Practitioner and
// Organization resources, which are pure functions of their ids.
type Generator struct {
	seed uint64
	cal  calendar
	// directory caches rendered Practitioner and Organization resources by
	// "Type/id". Entries never change once stored, so a sync.Map (written
	// once per key, read many times) needs no further locking.
	directory sync.Map
}

// New returns a Generator for seed whose data runs up to DefaultAsOf. The
// same seed always yields byte-identical members.
func New(seed int64) *Generator {
	return NewAsOf(seed, DefaultAsOf)
}

// NewAsOf returns a Generator for seed whose data runs up to asOf, the
// data's "today" (see ParseAsOf). Only asOf's date counts; a date outside
// ParseAsOf's range is taken as the nearest one inside it. Members are a
// pure function of seed, asOf and their Spec.
func NewAsOf(seed int64, asOf time.Time) *Generator {
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	day = later(minAsOf, earlier(day, maxAsOf))
	return &Generator{seed: uint64(seed), cal: newCalendar(day)}
}

// AsOf is the date the Generator's data runs up to.
func (g *Generator) AsOf() time.Time { return g.cal.asOf }

// patientIDPrefix marks generated patient ids. The docs' fixtures start with
// -2014 and -1999; generated ids start with -3 so they never collide.
const patientIDPrefix = "-3"

// patientIDDigits is how many digits follow the prefix: the docs' ids have 14
// digits after the minus sign.
const patientIDDigits = 13

// maxNumber bounds the member numbers PatientID can encode.
const maxNumber = 9_999_999_999_999

// PatientID returns the Patient id of generated member number, e.g.
// "-30000000000007" for 7. Numbers outside 0..9999999999999 are clamped to
// that range, so NumberOf inverts PatientID exactly on it.
func PatientID(number int) string {
	number = min(max(number, 0), maxNumber)
	return patientIDPrefix + fmt.Sprintf("%0*d", patientIDDigits, number)
}

// NumberOf returns the member number that PatientID maps to patientID, and
// false for any id PatientID never returns.
func NumberOf(patientID string) (int, bool) {
	digits, ok := strings.CutPrefix(patientID, patientIDPrefix)
	if !ok || len(digits) != patientIDDigits {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// Build returns the member s describes. It is a pure function of the
// Generator's seed and s, and safe for concurrent use.
func (g *Generator) Build(s Spec) *Member {
	return g.builder(s).build()
}

func (g *Generator) builder(s Spec) *builder {
	s = s.withEdge()
	pid := s.PatientID
	if pid == "" {
		pid = PatientID(s.Number)
	}
	return &builder{g: g, cal: &g.cal, spec: s, pid: pid, refs: newRefSet()}
}

// Stream constants keep each purpose's random numbers independent, so
// changing how claims are drawn never changes a member's name.
const (
	streamPerson uint64 = iota + 1
	streamFaker
	streamCoverage
	streamHealth
	streamClaims
	streamClinical
	streamPatient
	// The streams of what was added to members later: their Patient's
	// address history and languages, their dental care, and the records
	// of the prescriptions written at it. Being new streams, they change
	// nothing drawn from the others.
	streamPatientDetails
	streamDental
	streamDentalRecords
	// streamExtra is the first of the streams of claims added after the
	// fact (ExtraClaim): the k-th added claim draws from streamExtra+k.
	streamExtra uint64 = 1 << 32
)

// splitmix64 is the SplitMix64 finaliser: it turns related inputs (seed,
// number, stream) into unrelated 64-bit values for seeding PCG.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamSeeds derives the two PCG seed words of one (seed, number, stream).
// Neither is ever zero, so gofakeit never falls back to a random seed.
func streamSeeds(seed uint64, number int, stream uint64) (uint64, uint64) {
	a := splitmix64(seed ^ splitmix64(uint64(number)^(stream<<56)))
	b := splitmix64(a ^ stream)
	return a | 1, b | 1
}

// newRand returns the PCG stream of one purpose for one member.
func newRand(seed uint64, number int, stream uint64) *rand.Rand {
	a, b := streamSeeds(seed, number, stream)
	return rand.New(rand.NewPCG(a, b))
}
