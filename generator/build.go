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
	// conds are the member's chronic conditions and states their course on
	// the timeline, index for index (while a drawer runs, withActive
	// narrows conds to those active on its day).
	conds  []*condition
	states []condState
	// drugs are the chronic drugs the member is prescribed, and
	// prescriber maps each one's RxNorm code to the Practitioner id that
	// prescribes it, for claims drawn out of context.
	drugs      []drug
	prescriber map[string]string

	pcp         string // Practitioner id of the primary care physician
	hospital    string // Organization ids of the member's usual providers
	pharmacy    string
	dmeSupplier string

	// from and to are the first and last days of the member's claims
	// history: from entitlement (or the history's start) to the last
	// service day. from is after to for a member entitled too recently to
	// have claims.
	from, to      time.Time
	claims        []claim
	prescriptions []*prescription
	// added are the claims drawn after the rest of the member (dental.go),
	// in date order and numbered apart, and addedRx the prescriptions
	// written with them.
	added   []claim
	addedRx []*prescription
	// edge is what an edge case (Spec.Edge) decided before the history
	// was drawn; nil for every other member.
	edge *edgeState
	// bpTreated is the first fill of a blood pressure drug, zero when none;
	// hospiceStart the hospice election, zero when none.
	bpTreated, hospiceStart time.Time
	// body is the member's size before their first visit (clinical.go):
	// the height every BMI is computed from.
	body body
}

// build draws the member in a fixed order (person, health, timeline), each
// from its own stream, then renders Patient, Coverage, EOBs, clinical
// resources and the referenced directory, in the order Member documents.
func (b *builder) build() *Member {
	seed, n := b.g.seed, b.spec.Number
	b.drawMember()
	b.drawTimeline(newRand(seed, n, streamClaims))
	b.drawDental(newRand(seed, n, streamDental))
	p := &b.person

	res := make([]Resource, 0, 8+2*(len(b.claims)+len(b.added)))
	res = append(res, b.patient(b.cal.stamp(newRand(seed, n, streamPatient), p.enrolled)))
	res = append(res, b.coverages(newRand(seed, n, streamCoverage))...)
	// The EOBs in date order, an added claim after the others of its day.
	k := 0
	for i := range b.claims {
		for ; k < len(b.added) && b.added[k].start.Before(b.claims[i].start); k++ {
			res = append(res, b.eob(&b.added[k]))
		}
		res = append(res, b.eob(&b.claims[i]))
	}
	for ; k < len(b.added); k++ {
		res = append(res, b.eob(&b.added[k]))
	}
	res = append(res, b.clinical(newRand(seed, n, streamClinical))...)
	usCore, findings, meds := b.usCore(newRand(seed, n, streamUSCore), res)
	b.practiceRefs()
	// Room for what follows: the US Core resources and the directory (each
	// practitioner with its role, each organization with its location,
	// each drug dispensed).
	room := len(usCore) + 2*len(b.refs.practitioners) + 2*len(b.refs.organizations) + len(meds)
	res = spliceFindings(res, findings, room)
	res = append(res, usCore...)
	for _, id := range sorted(b.refs.practitioners) {
		res = append(res, b.g.directoryResource(b.enc, "Practitioner", id))
	}
	for _, id := range sorted(b.refs.organizations) {
		res = append(res, b.g.directoryResource(b.enc, "Organization", id))
	}
	res = append(res, b.usCoreDirectory(meds)...)
	b.m.Resources = b.edgeResources(res)
	return b.m
}

// drawMember draws who the member is and their health, the parts of a
// build that come before the claims (and that an extra claim needs too).
func (b *builder) drawMember() {
	if b.enc == nil { // tests hand in an encoder that checks each value
		b.enc = newEncoder()
	}
	b.drawIdentity()
	b.drawHealth(newRand(b.g.seed, b.spec.Number, streamHealth))
}

// drawIdentity draws the person and sets the Member's account fields: all
// that Identity needs, and the first step of every build.
func (b *builder) drawIdentity() {
	seed, n := b.g.seed, b.spec.Number
	// gofakeit gets an explicit PCG source seeded like every other stream
	// (never gofakeit.New(0), which seeds from crypto/rand), and no lock:
	// the Faker belongs to this build alone.
	fa, fb := streamSeeds(seed, n, streamFaker)
	b.person = drawPerson(newRand(seed, n, streamPerson), gofakeit.NewFaker(rand.NewPCG(fa, fb), false), n, b.cal.asOf)
	b.shapeEdge(newRand(seed, n, streamEdge))
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
}

// usernameOf and passwordOf continue the docs' accounts: BCNCUser07 /
// BCNCPSWD07 for member 7 (README, "The consent flow").
func usernameOf(n int) string { return fmt.Sprintf("BCNCUser%02d", n) }
func passwordOf(n int) string { return fmt.Sprintf("BCNCPSWD%02d", n) }

// drawHealth chooses the member's chronic conditions by age-specific
// prevalence, when each began, who manages it and whether it is treated,
// and the member's usual providers.
func (b *builder) drawHealth(r *rand.Rand) {
	p := &b.person
	b.from, b.to = later(b.cal.historyStart, p.enrolled), b.recordEnd()
	elderly := p.age(b.cal.asOf) >= 65
	for i := range conditions {
		c := &conditions[i]
		prevalence := c.younger
		if elderly {
			prevalence = c.elderly
		}
		if r.Float64() < prevalence {
			b.conds = append(b.conds, c)
		}
	}
	if b.spec.Rich && !slices.ContainsFunc(b.conds, func(c *condition) bool { return c.key == "diabetes" }) {
		b.conds = append([]*condition{&conditions[0]}, b.conds...)
	}
	b.pcp = pickPractitioner(r, specFamily+r.IntN(2))
	b.prescriber = map[string]string{}
	adult := p.birth.AddDate(20, 0, 0) // no chronic condition here begins in childhood
	history := !b.from.After(b.to)
	for _, c := range b.conds {
		st := condState{active: true, doctor: b.pcp}
		if history && r.Float64() < onsetInHistory {
			st.onset, st.diagnosed = serviceDay(r, b.from, b.to), true
		} else {
			st.onset = later(addDays(b.from, -1-r.IntN(3650)), adult)
			if !st.onset.Before(b.from) {
				st.onset, st.diagnosed = serviceDay(r, b.from, b.to), history
			}
		}
		if r.Float64() < 0.5 {
			st.doctor = pickPractitioner(r, c.specialty)
		}
		st.treated = r.Float64() >= c.untreated || b.spec.Rich
		st.second = len(c.drugs) > 1 && r.Float64() < secondDrugShare
		b.states = append(b.states, st)
		for j, d := range c.drugs {
			if (j == 0 && st.treated || j > 0 && st.second) && !slices.Contains(b.drugs, d) {
				b.drugs = append(b.drugs, d)
				b.prescriber[d.rxnorm] = st.doctor
			}
		}
	}
	b.hospital = pickOrganization(r, kindHospital)
	b.pharmacy = pickOrganization(r, kindPharmacy)
	b.dmeSupplier = pickOrganization(r, kindDME)
}
