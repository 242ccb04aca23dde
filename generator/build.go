package generator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/brianvoe/gofakeit/v7"
)

// builder holds one member while it is built. It is never shared between
// goroutines.
type builder struct {
	g    *Generator
	cal  *calendar
	spec Spec
	pid  string
	refs *refSet
	enc  *encoder
	m    *Member

	person person
	conds  []*condition
	onsets []time.Time // by index of conds
	drugs  []drug
	// prescriber maps a drug's RxNorm code to the Practitioner id that
	// prescribes it.
	prescriber map[string]string

	pcp         string // Practitioner id of the primary care physician
	hospital    string // Organization ids of the member's usual providers
	pharmacy    string
	dmeSupplier string

	claims []claim
}

// build draws the member in a fixed order (person, health, claims), each
// from its own stream, then renders Patient, Coverage, EOBs, clinical
// resources and the referenced directory, in the order Member documents.
func (b *builder) build() *Member {
	seed, n := b.g.seed, b.spec.Number
	b.drawMember()
	b.drawClaims(newRand(seed, n, streamClaims))
	p := &b.person

	res := make([]Resource, 0, 8+2*len(b.claims))
	res = append(res, b.patient(b.cal.stamp(newRand(seed, n, streamPatient), p.enrolled)))
	res = append(res, b.coverages(newRand(seed, n, streamCoverage))...)
	for i := range b.claims {
		res = append(res, b.eob(&b.claims[i]))
	}
	res = append(res, b.clinical(newRand(seed, n, streamClinical))...)
	for _, id := range sorted(b.refs.practitioners) {
		res = append(res, b.g.directoryResource(b.enc, "Practitioner", id))
	}
	for _, id := range sorted(b.refs.organizations) {
		res = append(res, b.g.directoryResource(b.enc, "Organization", id))
	}
	b.m.Resources = res
	return b.m
}

// drawMember draws who the member is and their health, the parts of a
// build that come before the claims (and that an extra claim needs too).
func (b *builder) drawMember() {
	seed, n := b.g.seed, b.spec.Number
	b.enc = newEncoder()
	// gofakeit gets an explicit PCG source seeded like every other stream
	// (never gofakeit.New(0), which seeds from crypto/rand), and no lock:
	// the Faker belongs to this build alone.
	fa, fb := streamSeeds(seed, n, streamFaker)
	b.person = drawPerson(newRand(seed, n, streamPerson), gofakeit.NewFaker(rand.NewPCG(fa, fb), false), n, b.cal.asOf)
	p := &b.person
	b.m = &Member{
		PatientID:  b.pid,
		Username:   usernameOf(n),
		Password:   passwordOf(n),
		GivenName:  p.given,
		FamilyName: p.family,
		Email:      p.email,
		BirthDate:  fmtDate(p.birth),
		Created:    fmtDate(p.created),
	}
	b.drawHealth(newRand(seed, n, streamHealth))
}

// usernameOf and passwordOf continue the docs' accounts: BCNCUser07 /
// BCNCPSWD07 for member 7 (README, "The consent flow").
func usernameOf(n int) string { return fmt.Sprintf("BCNCUser%02d", n) }
func passwordOf(n int) string { return fmt.Sprintf("BCNCPSWD%02d", n) }

// drawHealth chooses the member's chronic conditions by age-specific
// prevalence, the drugs that treat them, and the member's usual providers.
func (b *builder) drawHealth(r *rand.Rand) {
	elderly := b.person.age(b.cal.asOf) >= 65
	for i := range conditions {
		c := &conditions[i]
		p := c.younger
		if elderly {
			p = c.elderly
		}
		if r.Float64() < p {
			b.conds = append(b.conds, c)
		}
	}
	if b.spec.Rich && !slices.ContainsFunc(b.conds, func(c *condition) bool { return c.key == "diabetes" }) {
		b.conds = append([]*condition{&conditions[0]}, b.conds...)
	}
	b.pcp = pickPractitioner(r, specFamily+r.IntN(2))
	b.prescriber = map[string]string{}
	for _, c := range b.conds {
		// Onset: many conditions predate the history, the rest begin in it.
		onset := addDays(b.cal.historyStart, -r.IntN(3650))
		if r.Float64() < 0.45 {
			onset = serviceDay(r, b.cal.historyStart, b.cal.lastService)
		}
		b.onsets = append(b.onsets, onset)
		doctor := b.pcp
		if r.Float64() < 0.5 {
			doctor = pickPractitioner(r, c.specialty)
		}
		for j, d := range c.drugs {
			// The first-line drug is usual; the second is added for some.
			if (j == 0 && r.Float64() < 0.85) || (j > 0 && r.Float64() < 0.3) || (b.spec.Rich && j == 0) {
				if !slices.Contains(b.drugs, d) {
					b.drugs = append(b.drugs, d)
					b.prescriber[d.rxnorm] = doctor
				}
			}
		}
	}
	b.hospital = pickOrganization(r, kindHospital)
	b.pharmacy = pickOrganization(r, kindPharmacy)
	b.dmeSupplier = pickOrganization(r, kindDME)
}
