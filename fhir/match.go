package fhir

import (
	"slices"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// lazyFacts reads a resource's facts from its member's index the first
// time a parameter needs them: most searches never do.
type lazyFacts struct {
	ix *memberIndex
	m  *generator.Member
	at int
	f  *resourceFacts
}

func (l *lazyFacts) get() *resourceFacts {
	if l.f == nil {
		l.f = l.ix.facts(l.m, l.at)
	}
	return l.f
}

// matches reports whether r, a resource of the searched type, satisfies
// every parameter of q (R4 Search: different parameters, and repeats of
// one, are ANDed; a comma inside a value is OR). facts gives r's facts when
// a parameter needs what only its JSON holds.
func (q *query) matches(r *generator.Resource, facts *lazyFacts) bool {
	for _, ids := range q.ids {
		if !slices.Contains(ids, r.ID) {
			return false
		}
	}
	for _, ts := range q.category {
		if !anyMatches(ts, r.Category) {
			return false
		}
	}
	for _, ts := range q.code {
		if !anyMatches(ts, r.Code) {
			return false
		}
	}
	for _, c := range q.dates {
		if !c.matches(r, facts) {
			return false
		}
	}
	for _, ts := range q.claimTypes {
		if !anyMatches(ts, facts.get().types) {
			return false
		}
	}
	for _, ts := range q.identifiers {
		if !anyMatches(ts, facts.get().identifiers) {
			return false
		}
	}
	for i := range q.generic {
		if !q.generic[i].matches(facts.get()) {
			return false
		}
	}
	return true
}

// matches reports whether one of the dates c compares satisfies it: a
// search parameter with several paths matches when any of them does.
func (c *dateCond) matches(r *generator.Resource, facts *lazyFacts) bool {
	switch c.target {
	case targetLastUpdated:
		return !r.LastUpdated.IsZero() && c.f.matches(pointRange(r.LastUpdated, r.LastUpdated))
	case targetPeriod:
		return !r.Start.IsZero() && c.f.matches(pointRange(r.Start, r.End))
	}
	f := facts.get()
	switch c.target {
	case targetServiceDate:
		return f.hasBillable && c.f.matches(f.billable) || c.anyMatches(f.serviced)
	case targetServiceStart:
		return f.hasBillableStart && c.f.matches(f.billableStart) || c.anyMatches(f.servicedStart)
	default: // targetBillableStart
		return f.hasBillableStart && c.f.matches(f.billableStart)
	}
}

func (c *dateCond) anyMatches(ranges []dateRange) bool {
	for _, d := range ranges {
		if c.f.matches(d) {
			return true
		}
	}
	return false
}
