package generator

import "time"

// This file holds the Medicare rules a member's history keeps to: when
// entitlement starts and what qualifies a skilled nursing stay.

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

// Skilled nursing facility rules (42 CFR 409.30).
const (
	// snfQualifyingDays is the shortest hospital stay that qualifies the
	// member for skilled nursing: three consecutive days as an inpatient,
	// counting the admission day but not the discharge day (409.30(a)(1)).
	snfQualifyingDays = 3
	// snfAdmitWithin bounds the days from that discharge to the skilled
	// nursing admission (409.30(b)(1)).
	snfAdmitWithin = 30
	// benefitPeriodGap is how long a member must be out of hospital and
	// skilled nursing care before a new benefit period begins (42 CFR
	// 409.60).
	benefitPeriodGap = 60
)
