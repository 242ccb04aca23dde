package fhir

import (
	"container/list"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// resourceFacts are what searches and includes read from a resource's JSON
// beyond the fields generator.Resource carries: identifiers, the codings of
// ExplanationOfBenefit.type, the claim dates and the references an _include
// follows. A resource's facts are read once and kept in its member's index.
type resourceFacts struct {
	identifiers []string // "system|value"
	types       []string // "system|code"
	// billable is billablePeriod; billableStart its start alone; serviced
	// and servicedStart each item's servicedDate or servicedPeriod, whole
	// and by its start. Each range spans its value's precision.
	billable, billableStart dateRange
	hasBillable             bool
	hasBillableStart        bool
	serviced, servicedStart []dateRange
	// refs are the relative references "Type/id" of each kind, as read;
	// the member's index turns them into refAt, the positions in the member
	// of the resources they name (those the member holds), and drops them.
	refs  [refKinds][]string
	refAt [refKinds][]int32
	// generic and genericDates are the values of the parameters that read
	// JSON paths (searchPaths), by parameter name.
	generic      map[string][]string
	genericDates map[string][]dateRange
}

// memberIndex holds the facts of one member's resources, read on first use,
// and a map from "Type/id" to a resource's position. It is built for one
// *generator.Member and used only while the catalog still returns that
// same member: members are never modified, so the facts cannot go stale.
type memberIndex struct {
	// member is weak: the index must not keep a member the catalog evicted
	// alive, so it holds only what it read and the resources' type and id
	// strings.
	member weak.Pointer[generator.Member]
	read   []atomic.Pointer[resourceFacts] // by position in Member.Resources

	refsOnce sync.Once
	byRef    map[typeID]int32
}

type typeID struct{ typ, id string }

func newMemberIndex(m *generator.Member) *memberIndex {
	return &memberIndex{
		member: weak.Make(m),
		read:   make([]atomic.Pointer[resourceFacts], len(m.Resources)),
	}
}

// facts returns the facts of m's resource at position i, reading them on
// first use; m is the member the index was built for. Two searches may read
// the same resource at once; both read the same bytes, so either result may
// be kept.
func (ix *memberIndex) facts(m *generator.Member, i int) *resourceFacts {
	if f := ix.read[i].Load(); f != nil {
		return f
	}
	f := readFacts(&m.Resources[i])
	for k, refs := range f.refs {
		for _, ref := range refs {
			if at, ok := ix.resolve(m, ref); ok {
				f.refAt[k] = append(f.refAt[k], at)
			}
		}
	}
	f.refs = [refKinds][]string{}
	ix.read[i].Store(f)
	return f
}

// resolve finds m's resource a relative reference "Type/id" names; m is
// the member the index was built for.
func (ix *memberIndex) resolve(m *generator.Member, ref string) (int32, bool) {
	ix.refsOnce.Do(func() {
		ix.byRef = make(map[typeID]int32, len(m.Resources))
		for i := range m.Resources {
			k := typeID{m.Resources[i].Type, m.Resources[i].ID}
			if _, dup := ix.byRef[k]; !dup {
				ix.byRef[k] = int32(i)
			}
		}
	})
	typ, id, ok := strings.Cut(ref, "/")
	if !ok {
		return 0, false
	}
	at, ok := ix.byRef[typeID{typ, id}]
	return at, ok
}

// The JSON shapes readFacts decodes: only the elements the facts need.
type (
	jsonReference struct {
		Reference string `json:"reference"`
	}
	jsonPeriod struct {
		Start string `json:"start"`
		End   string `json:"end"`
	}
	jsonResource struct {
		Identifier []struct {
			System string `json:"system"`
			Value  string `json:"value"`
		} `json:"identifier"`
		// ExplanationOfBenefit
		Type           json.RawMessage                    `json:"type"` // a CodeableConcept on EOB, a list on Organization
		Patient        jsonReference                      `json:"patient"`
		Provider       jsonReference                      `json:"provider"`
		Insurer        jsonReference                      `json:"insurer"`
		BillablePeriod *jsonPeriod                        `json:"billablePeriod"`
		Payee          struct{ Party jsonReference }      `json:"payee"`
		CareTeam       []struct{ Provider jsonReference } `json:"careTeam"`
		Insurance      []struct{ Coverage jsonReference } `json:"insurance"`
		Item           []struct {
			ServicedDate   string      `json:"servicedDate"`
			ServicedPeriod *jsonPeriod `json:"servicedPeriod"`
		} `json:"item"`
		// Coverage
		Payor []jsonReference `json:"payor"`
		// US Core
		MedicationReference jsonReference                    `json:"medicationReference"`
		Participant         []struct{ Member jsonReference } `json:"participant"`
		Practitioner        jsonReference                    `json:"practitioner"`
	}
)

// readFacts reads the facts of r. Elements that do not parse are left out:
// a resource without a date never matches a date search, and a reference
// that does not parse is not followed.
func readFacts(r *generator.Resource) *resourceFacts {
	f := &resourceFacts{}
	if r.ClaimType != "" {
		// The docs' claim type is an eob-type coding of the claim, whether or
		// not the JSON spells it out.
		f.types = append(f.types, generator.EOBTypeSystem+"|"+r.ClaimType)
	}
	readGenericFacts(f, r)
	var doc jsonResource
	if json.Unmarshal(r.JSON, &doc) != nil {
		return f
	}
	for _, id := range doc.Identifier {
		f.identifiers = append(f.identifiers, id.System+"|"+id.Value)
	}
	switch r.Type {
	case "ExplanationOfBenefit":
		readClaimFacts(f, &doc)
	case "Coverage":
		for _, p := range doc.Payor {
			f.addRef(refPayor, p.Reference)
		}
	case "MedicationRequest", "MedicationDispense":
		f.addRef(refMedication, doc.MedicationReference.Reference)
	case "CareTeam":
		for _, p := range doc.Participant {
			f.addRef(refParticipant, p.Member.Reference)
		}
	case "PractitionerRole":
		f.addRef(refPractitioner, doc.Practitioner.Reference)
	}
	return f
}

func readClaimFacts(f *resourceFacts, doc *jsonResource) {
	var cc struct {
		Coding []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"coding"`
	}
	if json.Unmarshal(doc.Type, &cc) == nil {
		for _, c := range cc.Coding {
			if v := c.System + "|" + c.Code; !slices.Contains(f.types, v) {
				f.types = append(f.types, v)
			}
		}
	}
	if p := doc.BillablePeriod; p != nil {
		f.billable, f.hasBillable = periodRange(p)
		f.billableStart, f.hasBillableStart = targetRange(p.Start)
	}
	for _, it := range doc.Item {
		if d, ok := targetRange(it.ServicedDate); ok {
			f.serviced = append(f.serviced, d)
			f.servicedStart = append(f.servicedStart, d)
		}
		if p := it.ServicedPeriod; p != nil {
			if d, ok := periodRange(p); ok {
				f.serviced = append(f.serviced, d)
			}
			if d, ok := targetRange(p.Start); ok {
				f.servicedStart = append(f.servicedStart, d)
			}
		}
	}
	f.addRef(refPatient, doc.Patient.Reference)
	f.addRef(refProvider, doc.Provider.Reference)
	f.addRef(refInsurer, doc.Insurer.Reference)
	f.addRef(refPayee, doc.Payee.Party.Reference)
	for _, c := range doc.CareTeam {
		f.addRef(refCareTeam, c.Provider.Reference)
	}
	for _, in := range doc.Insurance {
		f.addRef(refCoverage, in.Coverage.Reference)
	}
}

// addRef keeps a relative reference "Type/id" once. Contained ("#id"),
// absolute and versioned references name nothing the member holds as such.
func (f *resourceFacts) addRef(k refKind, ref string) {
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || typ == "" || !validID(id) || !isTypeName(typ) || slices.Contains(f.refs[k], ref) {
		return
	}
	f.refs[k] = append(f.refs[k], ref)
}

// isTypeName reports whether s has the shape of a FHIR resource type name.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// periodRange is the range a Period covers (R4 Search, "date": a period
// from the start of its start to the end of its end; a missing end is
// ongoing, a missing start unbounded below).
func periodRange(p *jsonPeriod) (dateRange, bool) {
	if p.Start == "" && p.End == "" {
		return dateRange{}, false
	}
	d := dateRange{lo: minDate, hi: maxDate}
	if p.Start != "" {
		s, ok := targetRange(p.Start)
		if !ok {
			return dateRange{}, false
		}
		d.lo = s.lo
	}
	if p.End != "" {
		e, ok := targetRange(p.End)
		if !ok {
			return dateRange{}, false
		}
		d.hi = e.hi
	}
	return d, true
}

// maxIndexedMembers bounds the members whose index is kept. An index is
// about a fifth of its member's JSON (measured on the docs' 148-claim member,
// 1 MB of JSON: 0.18 MB once its claims and coverage are read, which is what
// searches read; 0.02 MB for the docs' 15-claim member), so 32 of them stay
// under 8 MB even if each were that large; a rebuild costs one read of each
// resource a search needs again.
const maxIndexedMembers = 32

// indexCache keeps the index of recently searched members, least recently
// used first out.
type indexCache struct {
	mu    sync.Mutex
	lru   *list.List // of *indexEntry, most recent first
	byID  map[string]*list.Element
	limit int
}

type indexEntry struct {
	patient string
	ix      *memberIndex
}

// IndexCache is the members' search indexes that several APIs may share
// (Config.Indexes), at most maxIndexedMembers of them.
type IndexCache = indexCache

// NewIndexCache returns an empty IndexCache.
func NewIndexCache() *IndexCache { return newIndexCache(maxIndexedMembers) }

func newIndexCache(limit int) *indexCache {
	return &indexCache{lru: list.New(), byID: map[string]*list.Element{}, limit: limit}
}

// index returns the index of m, the member with id patient, building it
// when none is kept or the kept one was built for another *Member (the
// catalog rebuilt the member, or an edit made a new view of it).
func (c *indexCache) index(patient string, m *generator.Member) *memberIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[patient]; ok {
		ent := e.Value.(*indexEntry)
		if ent.ix.member.Value() == m {
			c.lru.MoveToFront(e)
			return ent.ix
		}
		ent.ix = newMemberIndex(m)
		c.lru.MoveToFront(e)
		return ent.ix
	}
	ix := newMemberIndex(m)
	c.byID[patient] = c.lru.PushFront(&indexEntry{patient, ix})
	for c.lru.Len() > c.limit {
		old := c.lru.Remove(c.lru.Back()).(*indexEntry)
		delete(c.byID, old.patient)
	}
	return ix
}

// invalidate forgets the index of patient.
func (c *indexCache) invalidate(patient string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[patient]; ok {
		c.lru.Remove(e)
		delete(c.byID, patient)
	}
}

// Bounds standing for an open end of a range: FHIR dates have four-digit
// years, so these lie outside every value.
var (
	minDate = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)
