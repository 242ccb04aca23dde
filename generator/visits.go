package generator

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The claims of the events on a member's timeline, each shaped like its
// real counterpart. The drawers of claimtypes.go, which draw one claim of a
// type out of context, use the same builders.

// office is a carrier claim for a visit to rendering on day, billed by the
// practitioner's group practice.
func (b *builder) office(day time.Time, rendering, referring string) claim {
	return claim{typ: "carrier", start: day, end: day, rendering: rendering, referring: referring, provider: clinicOf(rendering)}
}

// addLabs bills each test on c, with one venipuncture for the draw; every
// test line yields its result as an Observation.
func (c *claim) addLabs(r *rand.Rand, labs []*lab) {
	for _, l := range labs {
		line := c.addLine(r, &l.bill, nil, 0, 1, c.start)
		line.lab = l
	}
	if len(labs) > 0 {
		c.addLine(r, &svcVenipunct, nil, 0, 1, c.start)
	}
}

// hasDiagnosis reports whether c already carries a code of cond.
func (c *claim) hasDiagnosis(cond *condition) bool {
	return slices.ContainsFunc(c.diags, func(d coding) bool { return slices.Contains(cond.icd10, d) })
}

// stay fills an inpatient claim: days in hospital for a, with room and
// board, pharmacy, a metabolic panel and, for a surgical stay, the
// operating room.
func (b *builder) stay(r *rand.Rand, c *claim, day time.Time, a admission, days int) {
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{a.dx}
	b.secondary(r, c, 4)
	c.addLine(r, nil, &revRoomBoard, 250000, float64(days), c.start)
	c.addLine(r, nil, &revPharmacy, round(between(r, 60000, 300000)), 1, c.start)
	c.addLine(r, &svcMetabolic, &revLab, round(between(r, 40000, 150000)), 1, c.start)
	if a.pcs.Code != "" {
		c.pcs = []coding{a.pcs}
		c.addLine(r, nil, &revSurgery, round(between(r, 1500000, 4000000)), 1, c.start)
	}
	c.rendering = pickPractitioner(r, specInternal)
	c.provider = b.hospital
}

// nursingStay fills a skilled nursing claim of days for dx: room and
// board, physical and occupational therapy, pharmacy.
func (b *builder) nursingStay(r *rand.Rand, c *claim, day time.Time, days int, dx coding) {
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{dx}
	b.secondary(r, c, 3)
	c.addLine(r, nil, &revRoomBoard, 65000, float64(days), c.start)
	c.addLine(r, &svcPTEval, &revPT, 0, float64(days/2+1), c.start)
	if r.Float64() < 0.6 {
		c.addLine(r, &svcOTEval, &revOT, 0, float64(days/3+1), c.start)
	}
	c.addLine(r, nil, &revPharmacy, round(between(r, 20000, 120000)), 1, c.start)
	c.rendering = b.pcp
	c.provider = pickOrganization(r, kindSNF)
}

// homeHealth fills a home health claim of days for dx: nursing visits
// and, for most, physical therapy.
func (b *builder) homeHealth(r *rand.Rand, c *claim, day time.Time, days int, dx coding) {
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{dx}
	c.addLine(r, &svcHHNursing, &revHHNursing, 0, float64(4+r.IntN(9)), c.start)
	if r.Float64() < 0.6 {
		c.addLine(r, &svcHHPT, &revHHPT, 0, float64(2+r.IntN(7)), c.start)
	}
	b.secondary(r, c, 3)
	c.rendering = b.pcp
	c.provider = pickOrganization(r, kindHHA)
}

// hospicePeriod fills a hospice claim of days of routine home care for dx,
// with the hospice provider.
func (b *builder) hospicePeriod(r *rand.Rand, c *claim, day time.Time, days int, dx coding, provider string) {
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{dx}
	c.addLine(r, &svcHospice, &revHospice, 0, float64(days), c.start)
	c.rendering = b.pcp
	c.provider = provider
}

// dispense fills a Part D claim: days of d dispensed on day at the
// member's pharmacy (now and then another), prescribed by prescriber.
func (b *builder) dispense(r *rand.Rand, c *claim, d drug, day time.Time, days int, prescriber string) {
	c.drug = &d
	c.daysSupply = days
	c.start, c.end = day, day
	c.rendering = prescriber
	c.provider = b.pharmacy
	if r.Float64() < 0.15 {
		c.provider = pickOrganization(r, kindPharmacy)
	}
	qty := math.Ceil(d.perDay * float64(days))
	cost := round(float64(d.cost30) * float64(days) / 30 * between(r, 0.95, 1.1))
	c.lines = append(c.lines, line{
		product: coding{sysNDC, d.ndc, d.ndcDisplay},
		qty:     qty,
		date:    day,
		amt:     adjudicate(r, "pde", cost, d.brand, days),
	})
}

// outpatientVisit fills a hospital outpatient claim for v, the service
// billed under its revenue centre, sometimes with a metabolic panel.
func (b *builder) outpatientVisit(r *rand.Rand, c *claim, day time.Time, v visit) {
	c.start, c.end = day, day
	c.diags = []coding{v.dx}
	b.secondary(r, c, 3)
	c.addLine(r, &v.bill, &v.revenue, 0, 1, day)
	if r.Float64() < 0.4 {
		c.addLine(r, &svcMetabolic, &revLab, 18000, 1, day)
	}
	if v.procedure {
		c.procedure = &v.bill
	}
	c.rendering = b.pcp
	c.provider = b.hospital
}
