package generator

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// One drawer per docs claim type: each fills a claim's dates, diagnoses,
// lines and providers so that the claim reads like its real counterpart.

// chronic picks one of the member's conditions, or nil when there are none.
func (b *builder) chronic(r *rand.Rand) *condition {
	if len(b.conds) == 0 {
		return nil
	}
	return b.conds[r.IntN(len(b.conds))]
}

// secondary adds up to n of the member's other conditions as diagnoses.
func (b *builder) secondary(r *rand.Rand, c *claim, n int) {
	for _, cond := range b.conds {
		if len(c.diags) > n || r.Float64() < 0.5 {
			continue
		}
		if !slices.ContainsFunc(c.diags, func(d coding) bool { return d.Code == cond.icd10[0].Code }) {
			c.diags = append(c.diags, cond.icd10[0])
		}
	}
}

func (b *builder) carrier(r *rand.Rand, c *claim, day time.Time) {
	c.start, c.end = day, day
	c.rendering = b.pcp
	if cond := b.chronic(r); cond != nil && r.Float64() < 0.65 {
		c.diags = append(c.diags, cond.icd10[r.IntN(len(cond.icd10))])
		if r.Float64() < 0.45 {
			c.rendering = pickPractitioner(r, cond.specialty)
			c.referring = b.pcp
		}
		visit := svcVisitLow
		if r.Float64() < 0.45 {
			visit = svcVisitMod
		}
		switch {
		case cond.key == "depression" && r.Float64() < 0.5:
			visit = svcPsychother
		case cond.key == "osteoarthritis" && r.Float64() < 0.3:
			c.addLine(r, &svcVisitLow, nil, 0, 1, day)
			visit = svcArthrocent
		}
		c.addLine(r, &visit, nil, 0, 1, day)
		drawn := false
		for i := range cond.labs {
			if r.Float64() < 0.6 {
				l := c.addLine(r, &cond.labs[i].bill, nil, 0, 1, day)
				l.lab = &cond.labs[i]
				drawn = true
			}
		}
		if drawn {
			c.addLine(r, &svcVenipunct, nil, 0, 1, day)
		}
	} else {
		a := acuteReasons[r.IntN(len(acuteReasons))]
		c.diags = append(c.diags, a.dx)
		for i := range a.services {
			c.addLine(r, &a.services[i], nil, 0, 1, day)
		}
	}
	b.secondary(r, c, 3)
	c.provider = b.clinicOf(c.rendering)
	c.vitals = r.Float64() < 0.3
}

// clinicOf is the group practice that bills for a practitioner.
func (b *builder) clinicOf(practitioner string) string {
	return organizationID(kindClinic, int(idHash(practitioner)%uint64(orgCounts[kindClinic])))
}

func (b *builder) dme(r *rand.Rand, c *claim, day time.Time) {
	c.start, c.end = day, day
	items, dx := dmeGeneric, coding{sysICD10CM, "R26.89", "Other abnormalities of gait and mobility"}
	for _, cond := range b.conds {
		if len(cond.dme) > 0 {
			items, dx = cond.dme, cond.icd10[0]
			break
		}
	}
	c.diags = []coding{dx}
	n := 1 + r.IntN(min(2, len(items)))
	first := r.IntN(len(items))
	for i := range n {
		svc := items[(first+i)%len(items)]
		c.addLine(r, &svc, nil, 0, 1, day)
	}
	c.referring = b.pcp
	c.provider = b.dmeSupplier
}

func (b *builder) hha(r *rand.Rand, c *claim, day time.Time) {
	c.start, c.end = day, addDays(day, 14+r.IntN(47))
	dx := snfReasons[r.IntN(len(snfReasons))]
	if cond := b.chronic(r); cond != nil {
		dx = cond.icd10[0]
	}
	c.diags = []coding{dx}
	c.addLine(r, &svcHHNursing, &revHHNursing, 0, float64(4+r.IntN(9)), c.start)
	if r.Float64() < 0.6 {
		c.addLine(r, &svcHHPT, &revHHPT, 0, float64(2+r.IntN(7)), c.start)
	}
	b.secondary(r, c, 3)
	c.rendering = b.pcp
	c.provider = pickOrganization(r, kindHHA)
}

func (b *builder) hospice(r *rand.Rand, c *claim, day time.Time) {
	days := 15 + r.IntN(76)
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{hospiceReasons[r.IntN(len(hospiceReasons))]}
	c.addLine(r, &svcHospice, &revHospice, 0, float64(days), c.start)
	c.rendering = b.pcp
	c.provider = pickOrganization(r, kindHospice)
}

func (b *builder) inpatient(r *rand.Rand, c *claim, day time.Time) {
	a := admissions[r.IntN(len(admissions))]
	if b.spec.Rich && !slices.ContainsFunc(b.claims, func(c claim) bool { return len(c.pcs) > 0 }) {
		// A rich member shows a Procedure: its first stay has a surgery.
		a = admissions[3]
	}
	days := a.days[0] + r.IntN(a.days[1]-a.days[0]+1)
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

func (b *builder) snf(r *rand.Rand, c *claim, day time.Time) {
	days := 10 + r.IntN(31)
	c.start, c.end = day, addDays(day, days)
	c.diags = []coding{snfReasons[r.IntN(len(snfReasons))]}
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

func (b *builder) outpatient(r *rand.Rand, c *claim, day time.Time) {
	c.start, c.end = day, day
	v := outpatientVisits[r.IntN(len(outpatientVisits))]
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

func (b *builder) pde(r *rand.Rand, c *claim, day time.Time) {
	pool := b.drugs
	if len(pool) == 0 {
		pool = drugsAcute
	}
	d := pool[r.IntN(len(pool))]
	c.drug = &d
	c.daysSupply = 30
	if !slices.Contains(drugsAcute, d) && r.Float64() < 0.4 {
		c.daysSupply = 90
	}
	if slices.Contains(drugsAcute, d) {
		c.daysSupply = 10
	}
	c.start, c.end = day, day
	c.rendering = b.prescriber[d.rxnorm]
	if c.rendering == "" {
		c.rendering = b.pcp
	}
	c.provider = b.pharmacy
	if r.Float64() < 0.15 {
		c.provider = pickOrganization(r, kindPharmacy)
	}
	qty := math.Ceil(d.perDay * float64(c.daysSupply))
	cost := round(float64(d.cost30) * float64(c.daysSupply) / 30 * between(r, 0.95, 1.1))
	c.lines = append(c.lines, line{
		product: coding{sysNDC, d.ndc, d.ndcDisplay},
		qty:     qty,
		date:    day,
		amt:     adjudicate(r, "pde", cost, true, d.brand, c.daysSupply),
	})
}
