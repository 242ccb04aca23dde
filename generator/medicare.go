package generator

import "time"

// This file holds the Medicare rules a member's history keeps to: when
// entitlement starts, how often the preventive services may be billed, what
// qualifies a skilled nursing stay and what the member pays for one.
//
// The Medicare Advantage plan (Part C) follows Original Medicare's rules
// here, as plans may: the same preventive frequencies (a plan must cover
// every Part B benefit, 42 CFR 422.101), the same three-day qualifying stay
// before skilled nursing, and the same Part A deductible per stay. It
// differs in how the member's share of a long skilled nursing stay is
// billed: from day 21 as a daily copay of the same amount, where Original
// Medicare bills coinsurance.

// medicareStart is the first day of Medicare entitlement at 65: the first
// of the month the member turns 65 in, or of the month before for a member
// born on the 1st, who attains 65 the day before that birthday (42 CFR
// 406.10(a); 20 CFR 404.2(c)(4)).
func medicareStart(birth time.Time) time.Time {
	start := time.Date(birth.Year()+65, birth.Month(), 1, 0, 0, 0, 0, time.UTC)
	if birth.Day() == 1 {
		start = start.AddDate(0, -1, 0)
	}
	return start
}

// afterElevenFullMonths is the first day a once-a-year preventive service
// may be billed again after one on last: the first of the month twelve
// months on, once eleven full months have passed after last's month (42 CFR
// 410.15(a) for the annual wellness visit; the screening mammography and
// prostate cancer screening rules of 42 CFR 410.34 and 410.39 count alike).
func afterElevenFullMonths(last time.Time) time.Time {
	return time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 12, 0)
}

// Skilled nursing facility rules (42 CFR 409.30 and 409.85).
const (
	// snfQualifyingDays is the shortest hospital stay that qualifies the
	// member for skilled nursing: three consecutive days as an inpatient,
	// counting the admission day but not the discharge day (409.30(a)(1)).
	snfQualifyingDays = 3
	// snfFullyCoveredDays are the days of a benefit period Medicare pays
	// in full; from day 21 the member owes a daily coinsurance (409.85).
	snfFullyCoveredDays = 20
	// benefitPeriodGap is how long a member must be out of hospital and
	// skilled nursing care before a new benefit period, and with it a new
	// Part A deductible, begins (42 CFR 409.60).
	benefitPeriodGap = 60
)

// Part A amounts by calendar year, as CMS announces them each autumn: the
// inpatient deductible per benefit period and the skilled nursing
// coinsurance per day from day 21. Years after the table grow 3% a year.
var (
	partADeductibles = map[int]cents{
		2011: 113200, 2012: 115600, 2013: 118400, 2014: 121600, 2015: 126000, 2016: 128800,
		2017: 131600, 2018: 134000, 2019: 136400, 2020: 140800, 2021: 148400, 2022: 155600,
		2023: 160000, 2024: 163200, 2025: 167600, 2026: 173600,
	}
	snfCoinsurances = map[int]cents{
		2011: 14150, 2012: 14450, 2013: 14800, 2014: 15200, 2015: 15750, 2016: 16100,
		2017: 16450, 2018: 16750, 2019: 17050, 2020: 17600, 2021: 18550, 2022: 19450,
		2023: 20000, 2024: 20400, 2025: 20950, 2026: 21700,
	}
)

// partAAmount reads a Part A table for year, projecting past its ends.
func partAAmount(table map[int]cents, year int) cents {
	if v, ok := table[year]; ok {
		return v
	}
	if year < 2011 {
		return table[2011]
	}
	v := float64(table[2026])
	for range year - 2026 {
		v *= 1.03
	}
	return cents(v/50+0.5) * 50
}

// settle applies Part A's cost sharing to a stay once its lines are
// priced: the inpatient deductible on the first line of a hospital stay,
// which opens a benefit period, and the daily coinsurance (a copay under
// the Advantage plan) from day 21 of a skilled nursing stay, which
// continues the benefit period its qualifying stay opened.
func (b *builder) settle(c *claim) {
	if len(c.lines) == 0 {
		return
	}
	l := &c.lines[0]
	switch c.typ {
	case "inpatient":
		l.amt.deductible = min(l.amt.allowed, partAAmount(partADeductibles, c.start.Year()))
	case "snf":
		days := daysBetween(c.start, c.end)
		if days <= snfFullyCoveredDays {
			return
		}
		share := min(l.amt.allowed, cents(days-snfFullyCoveredDays)*partAAmount(snfCoinsurances, c.start.Year()))
		if b.person.advantage {
			l.amt.copay = share
		} else {
			l.amt.coinsurance = share
		}
	default:
		return
	}
	l.amt.paid = l.amt.allowed - l.amt.deductible - l.amt.coinsurance - l.amt.copay
}
