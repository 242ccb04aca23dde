package generator

import (
	"slices"
	"time"
)

// maxExtraClaims bounds the claims that can be added to one member: their
// numbers take the claim indexes 90000 to 99999, which no drawn claim uses.
const (
	firstExtraIndex = 90000
	maxExtraClaims  = 10000
)

// ExtraClaim builds the seq-th claim (from 0) of claimType added to the
// member s describes after the fact, as the control API does to let an
// app's _lastUpdated sync find something new. The claim's service ends on
// the day of at and it was last updated at at. It returns the EOB followed
// by the Practitioner and Organization resources it references, and false
// for an unknown claim type or a seq out of range.
//
// Like Build it is a pure function of its inputs, so replicas given the
// same control-API call add the same claim.
func (g *Generator) ExtraClaim(s Spec, claimType string, seq int, at time.Time) ([]Resource, bool) {
	if !slices.Contains(ClaimTypes, claimType) || seq < 0 || seq >= maxExtraClaims {
		return nil, false
	}
	b := g.builder(s)
	b.drawMember()
	r := newRand(g.seed, s.Number, streamExtra+uint64(seq))
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	c := b.drawClaim(r, claimType, day)
	// The service ends today: an added claim is news, never back-dated.
	if over := daysBetween(day, c.end); over > 0 {
		c.start, c.end = addDays(c.start, -over), addDays(c.end, -over)
		for j := range c.lines {
			c.lines[j].date = addDays(c.lines[j].date, -over)
		}
	}
	b.settle(&c)
	c.number = claimNumber(s.Number, firstExtraIndex+seq)
	c.created, c.visit, c.updated = at, c.start.Add(13*time.Hour), at
	res := []Resource{b.eob(&c)}
	for _, id := range sorted(b.refs.practitioners) {
		res = append(res, g.directoryResource(b.enc, "Practitioner", id))
	}
	for _, id := range sorted(b.refs.organizations) {
		res = append(res, g.directoryResource(b.enc, "Organization", id))
	}
	return res, true
}
