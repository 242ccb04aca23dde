package generator

import (
	"math/rand/v2"
	"strings"
	"time"
)

// part is one of the docs' four Coverage parts (part-a .. part-d).
type part struct {
	key      string // "a" .. "d"
	plan     string // class plan value
	planName string
	sopt     coding // Source of Payment Typology, C4BB-Coverage type
}

var parts = []part{
	{"a", "MEDICARE-A", "Medicare Part A Hospital Insurance", coding{sysSOPT, "121", "Medicare FFS"}},
	{"b", "MEDICARE-B", "Medicare Part B Medical Insurance", coding{sysSOPT, "121", "Medicare FFS"}},
	{"c", "H3449-004", "Blue Cross Medicare Advantage Classic (PPO)", coding{sysSOPT, "112", "Medicare PPO"}},
	{"d", "S5540-003", "Blue Cross Medicare Part D Enhanced", coding{sysSOPT, "122", "Medicare Drug Benefit"}},
}

// partOf returns the part with key; keys come from partsOf only.
func partOf(key string) part {
	for _, p := range parts {
		if p.key == key {
			return p
		}
	}
	return parts[0]
}

// coverageID is the docs' Coverage id: part-a-20140000008325 for patient
// -20140000008325 (the leading minus dropped).
func coverageID(partKey, patientID string) string {
	return "part-" + partKey + "-" + strings.TrimPrefix(patientID, "-")
}

// partsOf lists the member's Coverage parts in order: everyone has A, B and
// D; Medicare Advantage members also have C, which then pays their medical
// claims.
func (b *builder) partsOf() []string {
	if b.advantageOnly() {
		return []string{"c"}
	}
	if b.person.advantage {
		return []string{"a", "b", "c", "d"}
	}
	return []string{"a", "b", "d"}
}

type coverageClass struct {
	Type  concept `json:"type"`
	Value string  `json:"value"`
	Name  string  `json:"name,omitempty"`
}

type coverageResource struct {
	ResourceType string          `json:"resourceType"`
	ID           string          `json:"id"`
	Meta         meta            `json:"meta"`
	Extension    []extension     `json:"extension,omitempty"`
	Identifier   []identifier    `json:"identifier,omitempty"`
	Status       string          `json:"status"`
	Type         *concept        `json:"type,omitempty"`
	Subscriber   *reference      `json:"subscriber,omitempty"`
	SubscriberID string          `json:"subscriberId,omitempty"`
	Beneficiary  reference       `json:"beneficiary"`
	Relationship *concept        `json:"relationship,omitempty"`
	Period       *period         `json:"period,omitempty"`
	Payor        []reference     `json:"payor"`
	Class        []coverageClass `json:"class,omitempty"`
}

// variable is one of the docs' Coverage extensions: url and system are
// both https://apiservicessbext.bcbsnc.com/resources/variables/{name}.
func variable(name, code, display string) extension {
	u := sysVariables + name
	return extension{URL: u, ValueCoding: &coding{u, code, display}}
}

// coverageVariables are the docs' four extensions (ms_cd, orec, esrd_ind,
// a_trm_cd) with the displays the docs use, chosen from the member's
// entitlement.
func (p *person) coverageVariables() []extension {
	ms := variable("ms_cd", "10", "Aged without end-stage renal disease (ESRD)")
	orec := variable("orec", "0", "Old age and survivor’s insurance (OASI)")
	esrd := variable("esrd_ind", "0", "the beneficiary does not have ESRD")
	switch {
	case p.disabled && p.esrd:
		ms = variable("ms_cd", "21", "Disabled with end-stage renal disease (ESRD)")
		orec = variable("orec", "3", "Both DIB and ESRD")
	case p.disabled:
		ms = variable("ms_cd", "20", "Disabled without end-stage renal disease (ESRD)")
		orec = variable("orec", "1", "Disability insurance benefits (DIB)")
	case p.esrd:
		ms = variable("ms_cd", "11", "Aged with end-stage renal disease (ESRD)")
	}
	if p.esrd {
		esrd = variable("esrd_ind", "Y", "the beneficiary has ESRD")
	}
	return []extension{ms, orec, esrd, variable("a_trm_cd", "0", "Not Terminated")}
}

// coverages renders the member's C4BB-Coverage resources.
func (b *builder) coverages(r *rand.Rand) []Resource {
	p := &b.person
	out := make([]Resource, 0, 4)
	ext := p.coverageVariables()
	for _, key := range b.partsOf() {
		pt := partOf(key)
		id := coverageID(key, b.pid)
		start := b.coverageStart(key)
		updated := b.cal.stamp(r, start)
		res := coverageResource{
			ResourceType: "Coverage",
			ID:           id,
			Meta:         meta{LastUpdated: fmtInstant(updated), Profile: []string{profC4BBCoverage}},
			Extension:    ext,
			Identifier: []identifier{{
				Type:   &concept{Coding: []coding{{sysV20203, "MB", "Member Number"}}},
				System: sysMemberID, Value: p.memberID,
			}},
			Status:       "active",
			Type:         &concept{Coding: []coding{pt.sopt}},
			Subscriber:   &reference{Reference: "Patient/" + b.pid},
			SubscriberID: p.memberID,
			Beneficiary:  reference{Reference: "Patient/" + b.pid},
			Relationship: &concept{Coding: []coding{{sysSubscriber, "self", "Self"}}},
			Period:       &period{Start: fmtDate(start)},
			Payor:        []reference{payerRef()},
			Class: []coverageClass{
				{Type: conceptOf(sysCoverClass, "group", "Group"), Value: "BCNC-MEDICARE", Name: "Blue Cross NC Medicare"},
				{Type: conceptOf(sysCoverClass, "plan", "Plan"), Value: pt.plan, Name: pt.planName},
			},
		}
		out = append(out, Resource{Type: "Coverage", ID: id, LastUpdated: updated, JSON: b.enc.encode(&res)})
	}
	b.refs.org(organizationPayerID)
	return out
}

// coverageStart is the first day of the member's coverage part key.
func (b *builder) coverageStart(key string) time.Time {
	start := b.person.enrolled
	if key == "c" || key == "d" {
		// Part C and D plans begin on a January 1st once entitled.
		start = later(start, time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	return start
}

// coverageFor names the Coverage that pays a claim of type typ: Part D for
// drugs, Part C for Advantage members' medical claims, else Part A for
// facility claims and Part B for the rest (42 CFR 409 and 410).
func (b *builder) coverageFor(typ string) string {
	switch {
	case b.advantageOnly():
		return coverageID("c", b.pid)
	case typ == "pde":
		return coverageID("d", b.pid)
	case typ == "hospice":
		// Original Medicare pays hospice even for Advantage members
		// (42 CFR 422.320).
		return coverageID("a", b.pid)
	case b.person.advantage:
		return coverageID("c", b.pid)
	case typ == "inpatient" || typ == "snf" || typ == "hospice" || typ == "hha":
		return coverageID("a", b.pid)
	default:
		return coverageID("b", b.pid)
	}
}
