package generator

import (
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
	c.provider = clinicOf(c.rendering)
	c.vitals = r.Float64() < 0.3
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
	days := 14 + r.IntN(47)
	dx := snfReasons[r.IntN(len(snfReasons))]
	if cond := b.chronic(r); cond != nil {
		dx = cond.icd10[0]
	}
	b.homeHealth(r, c, day, days, dx)
}

func (b *builder) hospice(r *rand.Rand, c *claim, day time.Time) {
	days := 15 + r.IntN(76)
	b.hospicePeriod(r, c, day, days, b.terminalDiagnosis(r), pickOrganization(r, kindHospice))
}

func (b *builder) inpatient(r *rand.Rand, c *claim, day time.Time) {
	a := b.admissionFor(r)
	if b.spec.Rich && !slices.ContainsFunc(b.claims, func(c claim) bool { return len(c.pcs) > 0 }) {
		// A rich member shows a Procedure: its first stay has a surgery.
		a = admissions[3]
	}
	b.stay(r, c, day, a, a.days[0]+r.IntN(a.days[1]-a.days[0]+1))
}

func (b *builder) snf(r *rand.Rand, c *claim, day time.Time) {
	b.nursingStay(r, c, day, 10+r.IntN(31), snfReasons[r.IntN(len(snfReasons))])
}

func (b *builder) outpatient(r *rand.Rand, c *claim, day time.Time) {
	b.outpatientVisit(r, c, day, outpatientVisits[r.IntN(len(outpatientVisits))])
}

func (b *builder) pde(r *rand.Rand, c *claim, day time.Time) {
	pool := b.drugs
	if len(pool) == 0 {
		pool = drugsAcute
	}
	d := pool[r.IntN(len(pool))]
	days := 30
	if !slices.Contains(drugsAcute, d) && r.Float64() < 0.4 {
		days = 90
	}
	if slices.Contains(drugsAcute, d) {
		days = 10
	}
	prescriber := b.prescriber[d.rxnorm]
	if prescriber == "" {
		prescriber = b.pcp
	}
	b.dispense(r, c, d, day, days, prescriber)
}
