package generator

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"time"
)

// EdgeTrait names one of the edge cases a member can be built as
// (Spec.Edge): the records an app meets rarely among generated members but
// must handle. Each is a generated member whose story is bent in one
// place, so that everything else about it stays as consistent as any
// other member's.
type EdgeTrait string

const (
	// EdgeDeceased died in the last year: Patient.deceasedDateTime is set,
	// every claim's service ends before the day of death, every Coverage
	// ends that day (status cancelled, a_trm_cd 1 "Dead"), and what was
	// active in the record (prescriptions, care plans, goals, care team)
	// is closed.
	EdgeDeceased EdgeTrait = "deceased"
	// EdgeTerminated left the plan in the calendar year before the as-of
	// date: every Coverage is cancelled with period.end that year
	// (a_trm_cd 3 "Voluntary withdrawal"), and no claim is served after it.
	EdgeTerminated EdgeTrait = "terminated"
	// EdgeNoClaims has Coverage but no claims at all: no
	// ExplanationOfBenefit, and none of the records claims would bring.
	EdgeNoClaims EdgeTrait = "no-claims"
	// EdgeMerged is the surviving record of two merged ones: its Patient
	// carries the former record's bene_id identifier with use "old" and a
	// link of type "replaces" to it, and the member's record holds the
	// former Patient as an inactive stub whose link "replaced-by" points to
	// the survivor (R4 Patient.link).
	EdgeMerged EdgeTrait = "merged"
	// EdgeMinor is a child under 18, entitled to Medicare by end-stage
	// renal disease (42 CFR 406.13), whose parent or guardian signs in
	// for them as their personal representative.
	EdgeMinor EdgeTrait = "minor"
	// EdgeManyClaims has more than a thousand ExplanationOfBenefit
	// resources (EdgeManyClaimsCount), for paging to the end.
	EdgeManyClaims EdgeTrait = "many-claims"
	// EdgeAdvantageOnly is covered by one Medicare Advantage plan with
	// drug coverage (Part C, an MA-PD) and nothing else: no Part A, B or
	// D Coverage, every claim paid by the plan. The member is 66 to 74,
	// too young for the hospice care Original Medicare would pay.
	EdgeAdvantageOnly EdgeTrait = "advantage-only"
	// EdgePharmacyOnly has only pharmacy claims (Part D fills).
	EdgePharmacyOnly EdgeTrait = "pharmacy-only"
	// EdgeUpdatedAfter has every resource last updated after
	// UpdatedAfterInstant, as if the whole record had been loaded again
	// then.
	EdgeUpdatedAfter EdgeTrait = "updated-after"
)

// EdgeTraits lists every edge case in a fixed order.
var EdgeTraits = []EdgeTrait{
	EdgeDeceased, EdgeTerminated, EdgeNoClaims, EdgeMerged, EdgeMinor,
	EdgeManyClaims, EdgeAdvantageOnly, EdgePharmacyOnly, EdgeUpdatedAfter,
}

// EdgeCase makes a member one of the edge cases.
type EdgeCase struct {
	Trait EdgeTrait
	// FormerPatientID is, for EdgeMerged, the id of the Patient merged
	// into this one; it must differ from every served patient id.
	FormerPatientID string
}

// UpdatedAfterInstant is the instant every resource of an EdgeUpdatedAfter
// member was last updated after: the end of the window Practitioners and
// Organizations were loaded in, before every as-of date ParseAsOf accepts,
// so that _lastUpdated=gt2020-12-01T00:00:00-05:00 finds the whole record
// and _lastUpdated=lt2020-12-01T00:00:00-05:00 nothing, whatever the as-of
// date.
var UpdatedAfterInstant = directoryLoaded

// EdgeManyClaimsCount is how many ExplanationOfBenefit resources an
// EdgeManyClaims member has at least.
const EdgeManyClaimsCount = 1010

// edgeClaimCounts are the exact claim counts (Spec.ClaimCounts) of the edge
// cases that fix them.
var edgeClaimCounts = map[EdgeTrait]map[string]int{
	EdgeNoClaims:     {},
	EdgePharmacyOnly: {"pde": 60},
}

// edgeClaims adds to the claims of the timeline an EdgeManyClaims member
// lived the fills that bring them to EdgeManyClaimsCount. The timeline's
// claims stay, so its story holds; the fills, each of a drug the member
// takes with the prescription written for it, are the cheapest claims to
// add: about 8 kB of JSON with the MedicationRequest and MedicationDispense
// each brings, where a carrier claim with its encounter, results and
// orders is 15 kB. The member comes to about 9 MB of JSON, built in some
// 60 ms.
func (b *builder) edgeClaims(r *rand.Rand) {
	if b.spec.Edge.Trait != EdgeManyClaims || b.from.After(b.to) {
		return
	}
	for len(b.claims) < EdgeManyClaimsCount {
		c := b.extraClaim(r, "pde", b.from, b.to)
		c.order = len(b.claims)
		b.claims = append(b.claims, c)
	}
}

// streamEdge is the stream an edge case draws its dates from: far from the
// streams of Generator and from streamExtra+k, so it changes nothing any
// other member draws.
const streamEdge uint64 = 1 << 40

// withEdge returns s with the claim counts of its edge case, if it is
// one: those edgeClaimCounts fixes, or none (the timeline's).
func (s Spec) withEdge() Spec {
	if s.Edge.Trait != "" {
		s.ClaimCounts = maps.Clone(edgeClaimCounts[s.Edge.Trait])
	}
	return s
}

// edgeState is what an edge case decided before the member's history was
// drawn.
type edgeState struct {
	// lastService replaces the calendar's last service day when not zero:
	// the day before death, or the last day of coverage.
	lastService time.Time
	// coverageEnd is the last day of every Coverage, zero when it runs on.
	coverageEnd time.Time
	// death is the instant of death; merged the day the records were merged.
	death, merged time.Time
}

// advantageOnly reports whether the member's only Coverage is Part C.
func (b *builder) advantageOnly() bool { return b.spec.Edge.Trait == EdgeAdvantageOnly }

// recordEnd is the last day a service can fall on.
func (b *builder) recordEnd() time.Time {
	if b.edge != nil && !b.edge.lastService.IsZero() {
		return earlier(b.edge.lastService, b.cal.lastService)
	}
	return b.cal.lastService
}

// shapeEdge bends the member's person, once drawn, to its edge case, before
// the health and history that depend on it are drawn.
func (b *builder) shapeEdge(r *rand.Rand) {
	trait := b.spec.Edge.Trait
	if trait == "" {
		return
	}
	b.edge = &edgeState{}
	p, asOf := &b.person, b.cal.asOf
	switch trait {
	case EdgeDeceased:
		// Old enough for years of history before a death 2 to 12 months
		// before the as-of date.
		b.agedBetween(r, 72, 95)
		day := addDays(b.cal.lastService, -60-r.IntN(300))
		b.edge.death = day.Add(time.Duration(6*60+r.IntN(16*60)) * time.Minute).In(eastern)
		b.edge.coverageEnd = day
		b.edge.lastService = addDays(day, -1)
	case EdgeTerminated:
		// The last day of a month from March to October of last year, so
		// it is well before the last service day whatever the as-of date.
		b.agedBetween(r, 70, 90)
		end := time.Date(asOf.Year()-1, time.Month(4+r.IntN(8)), 0, 0, 0, 0, 0, time.UTC)
		b.edge.coverageEnd, b.edge.lastService = end, end
	case EdgeMinor:
		// Entitled by dialysis one to four years ago (42 CFR 406.13):
		// the third month after dialysis began, a first of the month.
		p.birth = asOf.AddDate(-13-r.IntN(4), 0, -1-r.IntN(364))
		p.disabled, p.esrd, p.advantage = false, true, false
		p.enrolled = firstOfMonth(asOf.AddDate(-1-r.IntN(4), -r.IntN(12), 0))
		if p.created.Before(p.enrolled) {
			p.created = addDays(p.enrolled, 7+r.IntN(60))
		}
	case EdgeAdvantageOnly:
		b.agedBetween(r, 66, 74)
		p.advantage = true
	case EdgeManyClaims:
		// Years of history to spread the claims over, and no dental
		// claims (Medicare Advantage only), so the count is exact.
		b.agedBetween(r, 72, 90)
		p.advantage = false
	case EdgeMerged:
		b.edge.merged = addDays(b.cal.lastService, -400-r.IntN(900))
	}
}

// agedBetween makes the member entitled by age and, unless they already
// are, between lo and hi years old at the as-of date.
func (b *builder) agedBetween(r *rand.Rand, lo, hi int) {
	p := &b.person
	if age := p.age(b.cal.asOf); !p.disabled && age >= lo && age <= hi {
		return
	}
	p.birth = b.cal.asOf.AddDate(-lo-r.IntN(hi-lo+1), 0, -1-r.IntN(364))
	p.disabled = false
	p.enrolled = medicareStart(p.birth)
	if p.created.Before(p.enrolled) {
		p.created = addDays(p.enrolled, 7+r.IntN(60))
	}
}

// patientLink is an R4 Patient.link.
type patientLink struct {
	Other reference `json:"other"`
	Type  string    `json:"type"`
}

// edgeIdentifier is an identifier with its use, which only the former
// identifiers of a merged record carry.
type edgeIdentifier struct {
	Use    string   `json:"use,omitempty"`
	Type   *concept `json:"type,omitempty"`
	System string   `json:"system,omitempty"`
	Value  string   `json:"value,omitempty"`
}

// edgePatient is the Patient an edge case renders: the generated one with
// the elements only edge cases have. Its Identifier shadows the embedded
// one, to carry a use.
type edgePatient struct {
	patientResource
	Identifier       []edgeIdentifier `json:"identifier,omitempty"`
	DeceasedDateTime string           `json:"deceasedDateTime,omitempty"`
	Link             []patientLink    `json:"link,omitempty"`
}

// patientStub is the former Patient of a merged record: no longer in use,
// pointing to the survivor (R4 Patient.link, type replaced-by).
type patientStub struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id"`
	Meta         meta          `json:"meta"`
	Active       bool          `json:"active"`
	Link         []patientLink `json:"link"`
}

// closedStatus is, by resource type, what an active record of a member who
// died becomes: the key its status is under and the value it changes from
// and to.
var closedStatus = map[string][3]string{
	"MedicationRequest": {"status", "active", "stopped"},
	"CarePlan":          {"status", "active", "completed"},
	"CareTeam":          {"status", "active", "inactive"},
	"Goal":              {"lifecycleStatus", "active", "cancelled"},
}

// edgeResources applies the member's edge case to its rendered resources.
func (b *builder) edgeResources(res []Resource) []Resource {
	if b.edge == nil {
		return res
	}
	r := newRand(b.g.seed, b.spec.Number, streamEdge+1)
	switch b.spec.Edge.Trait {
	case EdgeDeceased:
		b.editPatient(res, b.cal.stamp(r, b.edge.coverageEnd), func(p *edgePatient) {
			p.DeceasedBoolean = nil
			p.DeceasedDateTime = b.edge.death.Format("2006-01-02T15:04:05-07:00")
		})
		b.endCoverage(r, res, variable("a_trm_cd", "1", "Dead"))
		for i := range res {
			if s, ok := closedStatus[res[i].Type]; ok {
				from := []byte(`"` + s[0] + `":"` + s[1] + `"`)
				res[i].JSON = bytes.Replace(res[i].JSON, from, []byte(`"`+s[0]+`":"`+s[2]+`"`), 1)
			}
		}
	case EdgeTerminated:
		b.endCoverage(r, res, variable("a_trm_cd", "3", "Voluntary withdrawal"))
	case EdgeMinor:
		b.editPatient(res, time.Time{}, func(p *edgePatient) {
			// A child has lived at the family's address since birth.
			for i := range p.Address {
				p.Address[i].Period = &period{Start: fmtDate(b.person.birth)}
			}
		})
		b.editCoverage(res, func(c *coverageResource) {
			for i, ext := range c.Extension {
				switch ext.URL {
				case sysVariables + "ms_cd":
					c.Extension[i] = variable("ms_cd", "31", "ESRD only")
				case sysVariables + "orec":
					c.Extension[i] = variable("orec", "2", "End-stage renal disease (ESRD)")
				}
			}
		})
	case EdgeMerged:
		former := b.spec.Edge.FormerPatientID
		merged := b.cal.stamp(r, b.edge.merged)
		b.editPatient(res, merged, func(p *edgePatient) {
			p.Identifier = append(p.Identifier, edgeIdentifier{Use: "old", Type: p.Identifier[0].Type, System: sysBeneID, Value: former})
			p.Link = []patientLink{{Other: reference{Reference: "Patient/" + former}, Type: "replaces"}}
		})
		stub := patientStub{
			ResourceType: "Patient", ID: former, Meta: meta{LastUpdated: fmtInstant(merged)},
			Link: []patientLink{{Other: reference{Reference: "Patient/" + b.pid}, Type: "replaced-by"}},
		}
		res = append(res[:1], append([]Resource{{Type: "Patient", ID: former, LastUpdated: merged, JSON: b.enc.encode(&stub)}}, res[1:]...)...)
	case EdgeUpdatedAfter:
		for i := range res {
			if res[i].LastUpdated.After(UpdatedAfterInstant) {
				continue
			}
			t := UpdatedAfterInstant.Add(time.Duration(i+1) * time.Second)
			old := []byte(`"lastUpdated":"` + fmtInstant(res[i].LastUpdated) + `"`)
			res[i].JSON = bytes.Replace(res[i].JSON, old, []byte(`"lastUpdated":"`+fmtInstant(t)+`"`), 1)
			res[i].LastUpdated = t
		}
	}
	return res
}

// editPatient re-renders the member's Patient after edit, last updated at
// updated when that is later than its stamp.
func (b *builder) editPatient(res []Resource, updated time.Time, edit func(*edgePatient)) {
	for i := range res {
		if res[i].Type != "Patient" || res[i].ID != b.pid {
			continue
		}
		var p edgePatient
		if json.Unmarshal(res[i].JSON, &p) != nil {
			return
		}
		edit(&p)
		if updated.After(res[i].LastUpdated) {
			res[i].LastUpdated = updated
		}
		p.Meta.LastUpdated = fmtInstant(res[i].LastUpdated)
		res[i].JSON = b.enc.encode(&p)
		return
	}
}

// editCoverage re-renders every Coverage of the member after edit.
func (b *builder) editCoverage(res []Resource, edit func(*coverageResource)) {
	for i := range res {
		if res[i].Type != "Coverage" {
			continue
		}
		var c coverageResource
		if json.Unmarshal(res[i].JSON, &c) != nil {
			continue
		}
		edit(&c)
		c.Meta.LastUpdated = fmtInstant(res[i].LastUpdated)
		res[i].JSON = b.enc.encode(&c)
	}
}

// endCoverage ends every Coverage on the edge case's last day of coverage,
// with the reason why, last updated a little after.
func (b *builder) endCoverage(r *rand.Rand, res []Resource, reason extension) {
	updated := b.cal.stamp(r, b.edge.coverageEnd)
	for i := range res {
		if res[i].Type == "Coverage" && updated.After(res[i].LastUpdated) {
			res[i].LastUpdated = updated
		}
	}
	b.editCoverage(res, func(c *coverageResource) {
		c.Status = "cancelled"
		if c.Period == nil {
			c.Period = &period{}
		}
		c.Period.End = fmtDate(b.edge.coverageEnd)
		for i, ext := range c.Extension {
			if ext.URL == reason.URL {
				c.Extension[i] = reason
			}
		}
	})
}
