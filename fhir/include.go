package fhir

import (
	"slices"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// refKind names one reference element an _include follows; resourceFacts
// keeps the references of each kind.
type refKind uint8

const (
	refPatient      refKind = iota // ExplanationOfBenefit.patient
	refProvider                    // ExplanationOfBenefit.provider
	refCareTeam                    // ExplanationOfBenefit.careTeam.provider
	refCoverage                    // ExplanationOfBenefit.insurance.coverage
	refInsurer                     // ExplanationOfBenefit.insurer
	refPayee                       // ExplanationOfBenefit.payee.party
	refPayor                       // Coverage.payor
	refTarget                      // Provenance.target
	refMedication                  // MedicationRequest and MedicationDispense medicationReference
	refParticipant                 // CareTeam.participant.member
	refPractitioner                // PractitionerRole.practitioner
	refKinds
)

// include is one _include a type serves: the search parameter it follows
// (R4 Search, "Including other resources in result": {Type}:{param}), the
// kind of reference that parameter reads, and the types it may point at.
type include struct {
	Param   string
	Kind    refKind
	Targets []string
}

// includeSet is the kinds of reference a search includes and, for a kind
// asked only with target types ({Type}:{param}:{target}), those types.
type includeSet struct {
	kinds   uint16 // the kinds asked for
	anyType uint16 // the kinds asked for without a target type
	targets [refKinds][]string
}

func (s *includeSet) empty() bool { return s.kinds == 0 }

// add asks for kind k, restricted to the type target unless it is "".
func (s *includeSet) add(k refKind, target string) {
	s.kinds |= 1 << k
	if target == "" {
		s.anyType |= 1 << k
	} else if !slices.Contains(s.targets[k], target) {
		s.targets[k] = append(s.targets[k], target)
	}
}

// wants reports whether the set includes a resource of type typ through k.
func (s *includeSet) wants(k refKind, typ string) bool {
	return s.anyType&(1<<k) != 0 || slices.Contains(s.targets[k], typ)
}

// includeValues are t's _include values as the CapabilityStatement lists
// them: each parameter, then the wildcard.
func (t *resourceType) includeValues() []string {
	if len(t.Includes) == 0 {
		return nil
	}
	out := make([]string, 0, len(t.Includes)+1)
	for _, in := range t.Includes {
		out = append(out, t.Name+":"+in.Param)
	}
	return append(out, t.Name+":*")
}

// parseInclude reads one _include value of a search of t: "{Type}:{param}",
// "{Type}:{param}:{target}" or "{Type}:*" (R4 Search, "Including other
// resources in result"). ok is false for a value t does not serve.
func (t *resourceType) parseInclude(v string, set *includeSet) bool {
	src, rest, found := strings.Cut(v, ":")
	if !found || src != t.Name {
		return false
	}
	param, target, _ := strings.Cut(rest, ":")
	if param == "*" {
		if target != "" || len(t.Includes) == 0 {
			return false
		}
		for _, in := range t.Includes {
			set.add(in.Kind, "")
		}
		return true
	}
	for _, in := range t.Includes {
		if in.Param != param {
			continue
		}
		if target != "" && !slices.Contains(in.Targets, target) {
			return false
		}
		set.add(in.Kind, target)
		return true
	}
	return false
}

// maxIncluded bounds the included resources of one page: sixteen for each
// of 50 matches, far more than claims name (a claim names some eight
// resources, most of them shared with the other claims on its page).
const maxIncluded = maxCount * 16

// collectIncludes adds to p the resources the page's matches reference
// through the kinds of set, each once and in the order first referenced,
// skipping the page's own matches, references that resolve to none of the
// member's resources, and types the token may not read (SMART App Launch
// 2, "Scopes": an included resource is a read of its type).
func (p *page) collectIncludes(m *generator.Member, ix *memberIndex, set *includeSet, mayRead func(typ string) bool) {
	if set.empty() || p.n == 0 {
		return
	}
	// seen marks the positions already on the page, or refused.
	var small [16]uint64 // members of up to 1024 resources: no allocation
	seen := small[:]
	if words := (len(m.Resources) + 63) / 64; words > len(small) {
		seen = make([]uint64, words)
	}
	first := func(at int32) bool {
		w, bit := at/64, uint64(1)<<(at%64)
		if seen[w]&bit != 0 {
			return false
		}
		seen[w] |= bit
		return true
	}
	for _, at := range p.pos[:p.n] {
		first(at)
	}
	for _, at := range p.pos[:p.n] {
		f := ix.facts(m, int(at))
		for k := refKind(0); k < refKinds; k++ {
			if set.kinds&(1<<k) == 0 {
				continue
			}
			for _, inc := range f.refAt[k] {
				typ := m.Resources[inc].Type
				if !set.wants(k, typ) {
					continue
				}
				if first(inc) && mayRead(typ) && p.nIncluded < maxIncluded {
					p.included[p.nIncluded] = inc
					p.nIncluded++
				}
			}
		}
	}
}
