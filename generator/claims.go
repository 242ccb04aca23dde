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
	// The parts of a dental or compound line: the tooth or area of the
	// mouth, the surfaces treated, the supportingInfo sequences it points
	// at, and a compound's ingredients.
	bodySite *coding
	surfaces []coding
	info     []int
	details  []dispensedIngredient
}

// dispensedIngredient is what a compound line used of one ingredient.
type dispensedIngredient struct {
	ndc  coding
	qty  float64
	unit string // UCUM
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
	// rxWritten is the day the prescription a fill is dispensed on was
	// written, zero when the fill has none of the member's record.
	rxWritten time.Time
	// discharge is the NUBC patient discharge status of a stay or an
	// institutional claim ("01" home), set once the care that follows it
	// is known.
	discharge string
	// dental holds what only a dental claim has.
	dental *dentalClaim
	vitals bool
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

// fitCounts gives a member with Spec.ClaimCounts exactly those claims per
// type, and a Rich member at least one of each type and a Procedure: it
// keeps an evenly spread subset of a type's claims when there are too
// many, and draws the missing ones out of context (drawClaim) on days of
// the history, each fill with a prescription. Members built from a plain
// Spec keep their timeline as drawn.
func (b *builder) fitCounts(r *rand.Rand) {
	if b.spec.ClaimCounts == nil && !b.spec.Rich {
		b.edgeClaims(r)
		return
	}
	from, to := b.from, b.to
	if from.After(to) {
		from = to // no history: the claims asked for fall on its last day
	}
	kept := b.claims[:0:0]
	var extra []claim
	for _, typ := range ClaimTypes {
		var have []claim
		for _, c := range b.claims {
			if c.typ == typ {
				have = append(have, c)
			}
		}
		want := len(have)
		if b.spec.ClaimCounts != nil {
			want = min(max(b.spec.ClaimCounts[typ], 0), maxClaimsPerType)
		}
		if b.spec.Rich {
			want = max(want, 1)
		}
		for k := range min(want, len(have)) {
			kept = append(kept, have[k*len(have)/want])
		}
		for range want - len(have) {
			extra = append(extra, b.extraClaim(r, typ, from, to))
		}
	}
	if b.spec.Rich && !slices.ContainsFunc(append(kept, extra...), func(c claim) bool { return len(c.pcs) > 0 || c.procedure != nil }) {
		extra = append(extra, b.extraClaim(r, "inpatient", from, to))
	}
	b.claims = append(kept, extra...)
	for i := range b.claims {
		b.claims[i].order = i
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

// extraClaim draws one claim of typ on a day of [from, to], ending by to;
// a fill gets a prescription written a few days before it.
func (b *builder) extraClaim(r *rand.Rand, typ string, from, to time.Time) claim {
	c := b.drawClaim(r, typ, serviceDay(r, from, to))
	if over := daysBetween(to, c.end); over > 0 {
		c.start, c.end = addDays(c.start, -over), addDays(c.end, -over)
		for j := range c.lines {
			c.lines[j].date = addDays(c.lines[j].date, -over)
		}
	}
	if c.drug != nil {
		rx := b.prescribe(*c.drug, c.rendering, addDays(c.start, -1-r.IntN(5)))
		rx.status, rx.fills, rx.lastFill = "completed", 1, c.start
		c.rxWritten = rx.authored
	}
	return c
}

// finishClaims sorts the claims by service date and numbers them, settles
// the stays' Part A amounts, and dates each claim's adjudication: 3 to 27
// days after the service, early enough that its payment (three days
// later) is made by the as-of date. It then records, by condition, the
// first claim that bills it.
func (b *builder) finishClaims(r *rand.Rand) {
	slices.SortStableFunc(b.claims, func(x, y claim) int {
		if c := x.start.Compare(y.start); c != 0 {
			return c
		}
		return x.order - y.order
	})
	for i := range b.claims {
		c := &b.claims[i]
		c.number = claimNumber(b.spec.Number, i)
		b.settle(c)
		lag := 3 + r.IntN(25)
		if room := daysBetween(c.end, b.cal.asOf) - 3; lag > room {
			lag = max(2, room)
		}
		c.created = addDays(c.end, lag).Add(time.Duration(13*60+r.IntN(10*60)) * time.Minute)
		c.visit = c.start.Add(time.Duration(13*60+r.IntN(8*60)) * time.Minute)
		c.updated = b.cal.stamp(r, c.created)
	}
	for i := range b.states {
		st := &b.states[i]
		st.named = time.Time{}
		for j := range b.claims {
			if b.claims[j].hasDiagnosis(b.conds[i]) {
				st.named = b.claims[j].start
				break
			}
		}
	}
}

// drawClaim draws one claim of typ whose service starts on day, out of
// the context of the member's timeline but billing only the conditions
// the member has on day.
func (b *builder) drawClaim(r *rand.Rand, typ string, day time.Time) claim {
	c := claim{typ: typ}
	b.withActive(day, func() { b.drawOne(r, &c, day) })
	return c
}

func (b *builder) drawOne(r *rand.Rand, c *claim, day time.Time) {
	switch c.typ {
	case "carrier":
		b.carrier(r, c, day)
	case "dme":
		b.dme(r, c, day)
	case "hha":
		b.hha(r, c, day)
	case "hospice":
		b.hospice(r, c, day)
	case "inpatient":
		b.inpatient(r, c, day)
	case "outpatient":
		b.outpatient(r, c, day)
	case "snf":
		b.snf(r, c, day)
	case "pde":
		b.pde(r, c, day)
	}
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
	l.amt = adjudicate(r, c.typ, price(r, charge, qty), false, 0)
	if svc != nil && svc.preventive {
		// 42 CFR 410.152(l): no deductible and no coinsurance.
		l.amt.deductible, l.amt.coinsurance = 0, 0
		l.amt.paid = l.amt.allowed - l.amt.copay
	}
	c.lines = append(c.lines, l)
	return &c.lines[len(c.lines)-1]
}
