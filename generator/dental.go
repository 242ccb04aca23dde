package generator

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Dental care, served as the C4BB Oral profile. Original Medicare pays
// for no routine dental care (Social Security Act §1862(a)(12)); Medicare
// Advantage plans add it as a supplemental benefit, so only Advantage
// members have dental claims, billed to their Part C coverage. Most see a
// dentist twice a year for an examination and a cleaning, with
// radiographs yearly; the examinations find what is treated at the next
// visits: a filling, a crown, an extraction, scaling and root planing of
// a quadrant for periodontitis, a partial denture where teeth are missing,
// and its adjustment, at which the dentist may prescribe a compounded
// anesthetic rinse for the sore spots a new denture makes.
//
// The dental story is drawn from its own stream after the rest of the
// member (streamDental), so it changes nothing else of them; its claims
// take the claim indexes from firstAddedIndex, which no other claim uses.

const (
	firstAddedIndex = 80000
	maxAddedClaims  = 10000
)

// The shares of the dental story.
const (
	dentalUptake       = 0.7  // of Advantage members: see a dentist
	recallSkipShare    = 0.15 // of recalls: missed, seen six months later
	cariesPerRecall    = 0.18
	crownPerRecall     = 0.03
	extractPerRecall   = 0.03
	periodontitisShare = 0.35 // of dental members: have periodontitis, treated once
	partialShare       = 0.25 // of members missing three teeth of an arch: get a partial denture
	adjustShare        = 0.6  // of partial dentures: adjusted for sore spots
	rinseShare         = 0.6  // of adjustments: with a compounded rinse
)

// dentalClaim holds what only a dental claim has.
type dentalClaim struct {
	// office is the dental practice's Organization id: the service
	// facility, and the chart number's issuer.
	office string
	// infos are the claim's prosthesis, missing-tooth and additional body
	// site entries, numbered after the oralFixedInfos ones; a line's info
	// indexes them.
	infos []supportingInfo
}

// dentalService is a CDT procedure with a typical charge and the share of
// the allowed amount the member pays: nothing for preventive care, 20%
// for basic and 50% for major services, as Advantage dental riders
// commonly cover them.
type dentalService struct {
	code, display string
	charge        cents
	coinsurance   float64
}

var (
	cdtPeriodicEval = dentalService{"D0120", "Periodic oral evaluation - established patient", 6500, 0}
	cdtBitewings    = dentalService{"D0274", "Bitewings - four radiographic images", 8500, 0}
	cdtProphylaxis  = dentalService{"D1110", "Prophylaxis - adult", 11000, 0}
	cdtPerioMaint   = dentalService{"D4910", "Periodontal maintenance", 16000, 0}
	cdtResinOne     = dentalService{"D2391", "Resin-based composite - one surface, posterior", 18000, 0.2}
	cdtResinTwo     = dentalService{"D2392", "Resin-based composite - two surfaces, posterior", 23000, 0.2}
	cdtExtraction   = dentalService{"D7140", "Extraction, erupted tooth or exposed root (elevation and/or forceps removal)", 22000, 0.2}
	cdtScaling      = dentalService{"D4342", "Periodontal scaling and root planing - one to three teeth per quadrant", 20000, 0.2}
	cdtAdjustUpper  = dentalService{"D5421", "Adjust partial denture - maxillary", 9000, 0.2}
	cdtAdjustLower  = dentalService{"D5422", "Adjust partial denture - mandibular", 9000, 0.2}
	cdtCrown        = dentalService{"D2740", "Crown - porcelain/ceramic", 125000, 0.5}
	cdtPartialUpper = dentalService{"D5213", "Maxillary partial denture - cast metal framework with resin denture bases", 190000, 0.5}
	cdtPartialLower = dentalService{"D5214", "Mandibular partial denture - cast metal framework with resin denture bases", 190000, 0.5}
)

// The diagnoses of dental claims (ICD-10-CM).
var (
	dxDentalExam     = coding{sysICD10CM, "Z01.20", "Encounter for dental examination and cleaning without abnormal findings"}
	dxDentalFindings = coding{sysICD10CM, "Z01.21", "Encounter for dental examination and cleaning with abnormal findings"}
	dxCariesPit      = coding{sysICD10CM, "K02.52", "Dental caries on pit and fissure surface penetrating into dentin"}
	dxCariesSmooth   = coding{sysICD10CM, "K02.62", "Dental caries on smooth surface penetrating into dentin"}
	dxCrackedTooth   = coding{sysICD10CM, "K03.81", "Cracked tooth"}
	dxAbscess        = coding{sysICD10CM, "K04.7", "Periapical abscess without sinus"}
	dxPeriodontitis  = coding{sysICD10CM, "K05.30", "Chronic periodontitis, unspecified"}
	dxToothLoss      = coding{sysICD10CM, "K08.409", "Partial loss of teeth, unspecified cause, unspecified class"}
	dxStomatitis     = coding{sysICD10CM, "K12.1", "Other forms of stomatitis"}
)

// drugRinse is the compounded rinse for denture sore spots: viscous
// lidocaine and diphenhydramine oral solution mixed 1:1, 200 mL for ten
// days. A compound has no RxNorm or NDC of its own; its fill lists the
// NDCs of what it is made of (C4BB Pharmacy: item.detail).
var drugRinse = drug{
	display: "Lidocaine viscous 2% / diphenhydramine 12.5 mg/5 mL oral rinse 1:1 (compounded)",
	perDay:  20, cost30: 6000,
	sig: "Swish 5 mL for one minute and spit out, four times a day",
	compound: &[]ingredient{
		{coding{sysNDC, "00603139364", "Lidocaine HCl 2% Viscous Solution"}, 0.5, "mL"},
		{coding{sysNDC, "57237030516", "Diphenhydramine HCl 12.5 MG/5ML Oral Liquid"}, 0.5, "mL"},
	},
}

// Teeth by the ADA Universal numbering (1..32: the maxillary arch from the
// patient's upper right, then the mandibular from the lower left) and the
// areas of the oral cavity.
func tooth(n int) coding { return coding{sysToothNumber, strconv.Itoa(n), ""} }

var (
	areaMaxillary  = coding{sysOralArea, "01", "Maxillary area"}
	areaMandibular = coding{sysOralArea, "02", "Mandibular area"}
	quadrants      = [4]coding{
		{sysOralArea, "10", "Upper right quadrant"},
		{sysOralArea, "20", "Upper left quadrant"},
		{sysOralArea, "30", "Lower left quadrant"},
		{sysOralArea, "40", "Lower right quadrant"},
	}
	surfaceOcclusal = coding{sysC4BBSurface, "O", "Occlusal"}
	surfaceMesial   = coding{sysC4BBSurface, "M", "Mesial"}
	surfaceDistal   = coding{sysC4BBSurface, "D", "Distal"}
)

func wisdomTooth(n int) bool { return n == 1 || n == 16 || n == 17 || n == 32 }

// posteriorTooth reports whether n is a molar or premolar.
func posteriorTooth(n int) bool { return n <= 5 || n >= 12 && n <= 21 || n >= 28 }

func upperTooth(n int) bool { return n <= 16 }

func quadrantOf(n int) int { return (n - 1) / 8 }

// dentalStory draws one member's dental care.
type dentalStory struct {
	b       *builder
	r       *rand.Rand
	dentist string
	office  string
	to      time.Time
	stays   []span
	missing [33]bool // by tooth number
	crowned [33]bool
	// perioTreated is set once scaling and root planing is done, after
	// which cleanings are periodontal maintenance.
	perioTreated bool
}

// drawDental draws the member's dental claims into b.added, and the
// prescriptions written at them into b.addedRx. Members built with
// Spec.ClaimCounts get none: their counts are exact.
func (b *builder) drawDental(r *rand.Rand) {
	if b.spec.ClaimCounts != nil || !b.person.advantage {
		return
	}
	from := later(b.from, b.coverageStart("c"))
	to := b.to
	if !b.hospiceStart.IsZero() {
		to = addDays(b.hospiceStart, -1)
	}
	if from.After(to) || r.Float64() >= dentalUptake {
		return
	}
	d := &dentalStory{b: b, r: r, dentist: pickDentist(r), to: to}
	d.office = dentalOfficeOf(d.dentist)
	for _, c := range b.claims {
		if c.typ == "inpatient" || c.typ == "snf" {
			d.stays = append(d.stays, span{c.start, c.end})
		}
	}
	for n := 1; n <= 32; n++ {
		d.missing[n] = wisdomTooth(n) && r.Float64() < 0.8
	}
	// Americans over 65 have lost about 13 of their 32 teeth (NIDCR,
	// "Tooth Loss in Seniors"): most of them their wisdom teeth, the
	// others more often at the back.
	for range poisson(r, 9) {
		if n := 1 + r.IntN(32); posteriorTooth(n) || r.Float64() < 0.5 {
			d.missing[n] = true
		}
	}
	perio := r.Float64() < periodontitisShare
	partial := -1 // the arch (0 upper, 1 lower) a partial denture replaces teeth of
	if r.Float64() < partialShare {
		for arch := range 2 {
			if d.missingIn(arch) >= 3 && partial < 0 {
				partial = arch
			}
		}
	}
	var bitewings time.Time
	for recall := addDays(from, r.IntN(180)); len(b.added) < maxAddedClaims; {
		day, ok := d.free(recall)
		if !ok {
			break
		}
		// What the examination finds is treated at visits of its own.
		caries := r.Float64() < cariesPerRecall
		cracked := r.Float64() < crownPerRecall
		abscess := r.Float64() < extractPerRecall
		scale := perio && !d.perioTreated && r.Float64() < 0.5
		denture := partial >= 0 && r.Float64() < 0.5
		dx := dxDentalExam
		if caries || cracked || abscess || scale || denture {
			dx = dxDentalFindings
		}
		c := d.claim(day, dx)
		c.addDental(r, cdtPeriodicEval, nil, nil, nil)
		cleaning := cdtProphylaxis
		if d.perioTreated {
			cleaning = cdtPerioMaint
		}
		c.addDental(r, cleaning, nil, nil, nil)
		if bitewings.IsZero() || daysBetween(bitewings, day) >= 330 {
			c.addDental(r, cdtBitewings, nil, nil, nil)
			bitewings = day
		}
		d.add(c)
		// The extraction comes first, within the week, so that the
		// later visits treat only teeth the member still has.
		if abscess {
			d.extraction(addDays(day, 1+r.IntN(7)))
		}
		if caries {
			d.filling(addDays(day, 7+r.IntN(22)))
		}
		if cracked {
			d.crown(addDays(day, 14+r.IntN(22)))
		}
		if scale {
			d.perioTreated = true
			d.scaling(addDays(day, 7+r.IntN(15)))
		}
		if denture {
			d.partialDenture(addDays(day, 30+r.IntN(31)), partial)
			partial = -1
		}
		next := 170 + r.IntN(31)
		if r.Float64() < recallSkipShare {
			next += 182
		}
		recall = addDays(day, next)
	}
	b.finishAdded(r)
}

// missingIn counts the missing teeth of an arch other than wisdom teeth.
func (d *dentalStory) missingIn(arch int) int {
	n := 0
	for t := 1; t <= 32; t++ {
		if upperTooth(t) == (arch == 0) && !wisdomTooth(t) && d.missing[t] {
			n++
		}
	}
	return n
}

// free moves day past any hospital or nursing stay, and false when that
// is past the end of the member's ordinary care.
func (d *dentalStory) free(day time.Time) (time.Time, bool) {
	for moved := true; moved; {
		moved = false
		for _, s := range d.stays {
			if s.holds(day) {
				day, moved = addDays(s.end, 1), true
			}
		}
	}
	return day, !day.After(d.to)
}

// claim starts a dental claim on day.
func (d *dentalStory) claim(day time.Time, dx coding) claim {
	return claim{typ: ClaimTypeOral, start: day, end: day, rendering: d.dentist, diags: []coding{dx},
		dental: &dentalClaim{office: d.office}}
}

// add keeps c when its day is free.
func (d *dentalStory) add(c claim) {
	if day, ok := d.free(c.start); ok && day.Equal(c.start) {
		d.b.added = append(d.b.added, c)
	}
}

// addDental appends a line for svc on c's day, on a tooth or area with the
// surfaces treated and the supportingInfo entries (indexes into
// c.dental.infos) it points at.
func (c *claim) addDental(r *rand.Rand, svc dentalService, site *coding, surfaces []coding, info []int) {
	submitted := price(r, svc.charge, 1)
	allowed := min(submitted, round(float64(submitted)*between(r, 0.55, 0.8)))
	coinsurance := round(float64(allowed) * svc.coinsurance)
	c.lines = append(c.lines, line{
		product:  coding{sysCDT, svc.code, svc.display},
		qty:      1,
		date:     c.start,
		amt:      amounts{submitted: submitted, allowed: allowed, coinsurance: coinsurance, paid: allowed - coinsurance},
		bodySite: site,
		surfaces: surfaces,
		info:     info,
	})
}

// presentTooth draws a posterior tooth the member still has (0 when none).
func (d *dentalStory) presentTooth() int {
	var present []int
	for t := 1; t <= 32; t++ {
		if posteriorTooth(t) && !d.missing[t] {
			present = append(present, t)
		}
	}
	if len(present) == 0 {
		return 0
	}
	return present[d.r.IntN(len(present))]
}

// filling restores a decayed tooth: one surface (the occlusal pit) or two.
func (d *dentalStory) filling(day time.Time) {
	t := d.presentTooth()
	if t == 0 {
		return
	}
	site := tooth(t)
	if d.r.Float64() < 0.55 {
		c := d.claim(day, dxCariesPit)
		c.addDental(d.r, cdtResinOne, &site, []coding{surfaceOcclusal}, nil)
		d.add(c)
		return
	}
	side := surfaceMesial
	if d.r.IntN(2) == 0 {
		side = surfaceDistal
	}
	c := d.claim(day, dxCariesSmooth)
	c.addDental(d.r, cdtResinTwo, &site, []coding{side, surfaceOcclusal}, nil)
	d.add(c)
}

// crown caps a cracked tooth; a tooth crowned before gets a replacement
// (the prosthesis indicator says which).
func (d *dentalStory) crown(day time.Time) {
	t := d.presentTooth()
	if t == 0 {
		return
	}
	replacement := d.crowned[t]
	d.crowned[t] = true
	site := tooth(t)
	c := d.claim(day, dxCrackedTooth)
	c.dental.infos = []supportingInfo{prosthesis(replacement)}
	c.addDental(d.r, cdtCrown, &site, nil, []int{0})
	d.add(c)
}

// prosthesis is the ADA claim form's "Is treatment for prosthesis? If no,
// initial placement" (C4BB Oral supportingInfo:prosthesis, a boolean:
// replacement or not).
func prosthesis(replacement bool) supportingInfo {
	si := supporting(0, "prosthesis", "Prosthesis")
	si.ValueBoolean = &replacement
	return si
}

// extraction removes an abscessed tooth, which is then missing.
func (d *dentalStory) extraction(day time.Time) {
	t := d.presentTooth()
	if t == 0 {
		return
	}
	d.missing[t] = true
	site := tooth(t)
	c := d.claim(day, dxAbscess)
	c.addDental(d.r, cdtExtraction, &site, nil, nil)
	d.add(c)
}

// scaling treats periodontitis one quadrant or two at a time, each line
// on its quadrant with the one to three teeth treated in it as additional
// body sites (C4BB Oral supportingInfo:additionalbodysite, linked by
// item.informationSequence).
func (d *dentalStory) scaling(day time.Time) {
	c := d.claim(day, dxPeriodontitis)
	first := d.r.IntN(4)
	for k := range 1 + d.r.IntN(2) {
		q := (first + k) % 4
		var teeth []int
		for t := q*8 + 1; t <= q*8+8 && len(teeth) < 3; t++ {
			if !d.missing[t] && !wisdomTooth(t) && d.r.Float64() < 0.5 {
				teeth = append(teeth, t)
			}
		}
		if len(teeth) == 0 {
			continue
		}
		var info []int
		for _, t := range teeth {
			si := supporting(0, "additionalbodysite", "Additional Body Site")
			si.Code = &concept{Coding: []coding{tooth(t)}}
			info = append(info, len(c.dental.infos))
			c.dental.infos = append(c.dental.infos, si)
		}
		site := quadrants[q]
		c.addDental(d.r, cdtScaling, &site, nil, info)
	}
	if len(c.lines) > 0 {
		d.add(c)
	}
}

// partialDenture replaces the missing teeth of an arch, listed as missing
// tooth numbers (C4BB Oral supportingInfo:missingtoothnumber); some are
// adjusted a week or two later, when the dentist may prescribe the rinse.
func (d *dentalStory) partialDenture(day time.Time, arch int) {
	svc, adjust, site := cdtPartialUpper, cdtAdjustUpper, areaMaxillary
	if arch == 1 {
		svc, adjust, site = cdtPartialLower, cdtAdjustLower, areaMandibular
	}
	c := d.claim(day, dxToothLoss)
	c.dental.infos = []supportingInfo{prosthesis(false)}
	info := []int{0}
	for t := 1; t <= 32; t++ {
		if upperTooth(t) == (arch == 0) && !wisdomTooth(t) && d.missing[t] {
			si := supporting(0, "missingtoothnumber", "Missing Tooth Number")
			si.Code = &concept{Coding: []coding{tooth(t)}}
			c.dental.infos = append(c.dental.infos, si)
		}
	}
	c.addDental(d.r, svc, &site, nil, info)
	d.add(c)
	if d.r.Float64() >= adjustShare {
		return
	}
	day = addDays(day, 5+d.r.IntN(10))
	a := d.claim(day, dxStomatitis)
	a.addDental(d.r, adjust, &site, nil, nil)
	before := len(d.b.added)
	d.add(a)
	if len(d.b.added) > before && d.r.Float64() < rinseShare {
		d.rinse(day)
	}
}

// rinse writes the compounded rinse at the adjustment visit, filled that
// day or the next at the member's pharmacy.
func (d *dentalStory) rinse(day time.Time) {
	fill := addDays(day, d.r.IntN(2))
	if fill.After(d.to) {
		return
	}
	rx := &prescription{d: drugRinse, prescriber: d.dentist, authored: day, fills: 1, lastFill: fill, status: "completed"}
	d.b.addedRx = append(d.b.addedRx, rx)
	c := claim{typ: "pde", start: fill, end: fill, rendering: d.dentist, provider: d.b.pharmacy,
		drug: &drugRinse, daysSupply: 10, rxWritten: day}
	qty := drugRinse.perDay * 10
	var details []dispensedIngredient
	for _, in := range *drugRinse.compound {
		details = append(details, dispensedIngredient{ndc: in.ndc, qty: qty * in.share, unit: in.unit})
	}
	cost := round(float64(drugRinse.cost30) * between(d.r, 0.9, 1.2))
	c.lines = append(c.lines, line{
		product: coding{sysC4BBCompound, "compound", "Compound"},
		qty:     qty,
		date:    fill,
		amt:     adjudicate(d.r, "pde", cost, false, 10),
		details: details,
	})
	d.b.added = append(d.b.added, c)
}

// finishAdded puts the added claims in date order, numbers them, and
// dates their adjudication as finishClaims does the others'.
func (b *builder) finishAdded(r *rand.Rand) {
	slices.SortStableFunc(b.added, func(x, y claim) int { return x.start.Compare(y.start) })
	for i := range b.added {
		c := &b.added[i]
		c.number = claimNumber(b.spec.Number, firstAddedIndex+i)
		lag := 3 + r.IntN(25)
		if room := daysBetween(c.end, b.cal.asOf) - 3; lag > room {
			lag = max(2, room)
		}
		c.created = addDays(c.end, lag).Add(time.Duration(13*60+r.IntN(10*60)) * time.Minute)
		c.visit = c.start.Add(time.Duration(13*60+r.IntN(8*60)) * time.Minute)
		c.updated = b.cal.stamp(r, c.created)
	}
}
