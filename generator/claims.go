package generator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// maxClaimsPerType bounds the work one Spec can ask for, so that no input
// makes Build run away; claim numbers have room for 10^5 claims a member.
const maxClaimsPerType = 5000

// amounts is one line's adjudication. Submitted >= allowed >= paid, and
// allowed = paid + deductible + coinsurance + copay.
type amounts struct {
	submitted, allowed, deductible, coinsurance, copay, paid cents
}

// line is one item of a claim.
type line struct {
	product coding  // CPT, HCPCS or NDC; data-absent "not-applicable" for revenue-only lines
	revenue *coding // institutional revenue centre
	qty     float64
	date    time.Time
	amt     amounts
	lab     *lab // the result this line's test yields, for an Observation
}

// claim is one ExplanationOfBenefit before it is rendered.
type claim struct {
	typ        string
	order      int // draw order, the last sort key
	number     string
	start, end time.Time
	created    time.Time
	updated    time.Time
	diags      []coding
	pcs        []coding
	procedure  *service // an outpatient procedure, also a Procedure resource
	lines      []line
	provider   string // billing Organization id
	rendering  string // Practitioner id: rendering, attending or prescribing
	referring  string // Practitioner id or ""
	drug       *drug
	daysSupply int
	refill     int
	vitals     bool
	// visit is when the member was seen on the first day (an instant),
	// shared by the Encounter, Observations and Procedures of the claim.
	visit time.Time
}

// id is the docs' EOB id, e.g. carrier-22011027731.
func (c *claim) id() string { return c.typ + "-" + c.number }

// claimNumber is unique sandbox-wide: the member number followed by the
// claim's five-digit index, behind a leading 3 that keeps it apart from
// the docs' own claim numbers (which start with 2).
func claimNumber(number, index int) string { return fmt.Sprintf("3%d%05d", number, index) }

// poisson draws a Poisson count by Knuth's method (normal approximation
// for large means, where the product would underflow).
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 40 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// claimCounts returns how many claims of each type (in ClaimTypes order)
// the member has: Spec.ClaimCounts when given, else drawn from the
// member's health and years of history.
func (b *builder) claimCounts(r *rand.Rand, years float64) []int {
	counts := make([]int, len(ClaimTypes))
	if b.spec.ClaimCounts != nil {
		for i, t := range ClaimTypes {
			counts[i] = min(max(b.spec.ClaimCounts[t], 0), maxClaimsPerType)
		}
	} else {
		drawn := b.drawCounts(r, years)
		for i, t := range ClaimTypes {
			counts[i] = drawn[t]
		}
		// Every member sees a doctor at least once: the "Welcome to
		// Medicare" visit.
		counts[0] = max(counts[0], 1) // ClaimTypes[0] is carrier
		for i := range counts {
			counts[i] = min(counts[i], maxClaimsPerType)
		}
	}
	if b.spec.Rich {
		for i := range counts {
			counts[i] = max(counts[i], 1)
		}
	}
	return counts
}

// drawCounts draws claim counts from the member's utilisation (a
// log-normal factor that grows with the number of chronic conditions) and
// years of history: about a physician claim every few months, fewer
// outpatient visits, stays for a few percent a year, Part D fills for each
// drug taken, supplies for conditions that need them, and the occasional
// home health, SNF or hospice episode.
func (b *builder) drawCounts(r *rand.Rand, years float64) map[string]int {
	n := float64(len(b.conds))
	util := math.Exp(0.6*r.NormFloat64()) * (1 + 0.25*n)
	hasDME := false
	for _, c := range b.conds {
		hasDME = hasDME || len(c.dme) > 0
	}
	counts := map[string]int{}
	counts["carrier"] = poisson(r, util*years*1.4)
	counts["outpatient"] = poisson(r, util*years*0.3)
	counts["inpatient"] = poisson(r, util*years*0.03*(1+0.3*n))
	counts["pde"] = poisson(r, float64(len(b.drugs))*years*1.5*(0.3+0.7*r.Float64()))
	if hasDME {
		counts["dme"] = poisson(r, years*0.4)
	} else if r.Float64() < 0.1 {
		counts["dme"] = 1
	}
	if stays := counts["inpatient"]; stays > 0 && r.Float64() < 0.25 {
		counts["snf"] = 1 + r.IntN(stays)
	}
	if r.Float64() < 0.08 {
		counts["hha"] = 1 + r.IntN(3)
	}
	if b.person.age(b.cal.asOf) >= 80 && r.Float64() < 0.04 {
		counts["hospice"] = 1 + r.IntN(2)
	}
	return counts
}

// drawClaims draws every claim, sorts them by service date and numbers them.
func (b *builder) drawClaims(r *rand.Rand) {
	from := later(b.cal.historyStart, b.person.enrolled)
	if latest := b.cal.lastService.AddDate(0, -6, 0); from.After(latest) {
		from = latest
	}
	years := b.cal.lastService.Sub(from).Hours() / 24 / 365.25
	counts := b.claimCounts(r, years)
	total := 0
	for _, n := range counts {
		total += n
	}
	b.claims = make([]claim, 0, total)
	for i, typ := range ClaimTypes {
		for range counts[i] {
			c := b.drawClaim(r, typ, serviceDay(r, from, b.cal.lastService))
			c.order = len(b.claims)
			if over := daysBetween(b.cal.lastService, c.end); over > 0 {
				c.start, c.end = addDays(c.start, -over), addDays(c.end, -over)
				for j := range c.lines {
					c.lines[j].date = addDays(c.lines[j].date, -over)
				}
			}
			c.created = c.end.Add(time.Duration(3+r.IntN(25))*24*time.Hour + time.Duration(13*60+r.IntN(10*60))*time.Minute)
			c.visit = c.start.Add(time.Duration(13*60+r.IntN(8*60)) * time.Minute)
			c.updated = b.cal.stamp(r, c.created)
			b.claims = append(b.claims, c)
		}
	}
	slices.SortStableFunc(b.claims, func(x, y claim) int {
		if c := x.start.Compare(y.start); c != 0 {
			return c
		}
		return x.order - y.order
	})
	refills := map[string]int{}
	for i := range b.claims {
		c := &b.claims[i]
		c.number = claimNumber(b.spec.Number, i)
		if c.drug != nil {
			c.refill = refills[c.drug.rxnorm]
			refills[c.drug.rxnorm]++
		}
	}
	if b.spec.Rich {
		for i := range b.claims {
			if b.claims[i].typ == "carrier" {
				b.claims[i].vitals = true
				break
			}
		}
	}
}

// drawClaim draws one claim of typ whose service starts on day.
func (b *builder) drawClaim(r *rand.Rand, typ string, day time.Time) claim {
	c := claim{typ: typ}
	switch typ {
	case "carrier":
		b.carrier(r, &c, day)
	case "dme":
		b.dme(r, &c, day)
	case "hha":
		b.hha(r, &c, day)
	case "hospice":
		b.hospice(r, &c, day)
	case "inpatient":
		b.inpatient(r, &c, day)
	case "outpatient":
		b.outpatient(r, &c, day)
	case "snf":
		b.snf(r, &c, day)
	case "pde":
		b.pde(r, &c, day)
	}
	return c
}

// addLine appends a line for svc (or a revenue-only line when svc is nil).
func (c *claim) addLine(r *rand.Rand, svc *service, rev *coding, charge cents, qty float64, date time.Time) *line {
	l := line{revenue: rev, qty: qty, date: date}
	if svc != nil {
		l.product = coding{svc.system, svc.code, svc.display}
		if charge == 0 {
			charge = svc.charge
		}
	} else {
		l.product = coding{sysAbsent, "not-applicable", "Not Applicable"}
	}
	l.amt = adjudicate(r, c.typ, price(r, charge, qty), len(c.lines) == 0, false, 0)
	c.lines = append(c.lines, l)
	return &c.lines[len(c.lines)-1]
}
