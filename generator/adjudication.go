package generator

import (
	"math"
	"math/rand/v2"
)

// This file prices claim lines and adjudicates them the way a Medicare
// plan does, keeping the CARIN amounts consistent: submitted >= eligible
// >= benefit, and eligible = benefit + the member's shares.

func round(x float64) cents { return cents(math.Round(x)) }

func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// price draws a line's submitted charge around a typical charge.
func price(r *rand.Rand, charge cents, qty float64) cents {
	return max(1, round(float64(charge)*qty*between(r, 0.9, 1.2)))
}

// adjudicate turns a submitted charge into the amounts the plan allowed
// and paid, with the member's share by claim type: 20% coinsurance and an
// occasional deductible for Part B services, copays for drugs, nothing for
// home health and hospice (42 CFR 409.50 and 418.400 allow only small
// copays there). A stay's Part A deductible and coinsurance depend on the
// stay as a whole and are added by settle.
func adjudicate(r *rand.Rand, typ string, submitted cents, brand bool, days int) amounts {
	lo, hi := allowedRatio(typ)
	a := amounts{submitted: submitted}
	a.allowed = min(submitted, round(float64(submitted)*between(r, lo, hi)))
	switch typ {
	case "carrier", "dme", "outpatient":
		if r.Float64() < 0.12 {
			a.deductible = round(float64(a.allowed) * between(r, 0.1, 0.6))
		}
		a.coinsurance = round(float64(a.allowed-a.deductible) * 0.2)
	case "pde":
		per30 := between(r, 0, 1000)
		if brand {
			per30 = between(r, 3500, 4700)
		}
		a.copay = min(a.allowed, round(per30*float64(max(days, 30))/30))
	}
	a.paid = a.allowed - a.deductible - a.coinsurance - a.copay
	return a
}

// allowedRatio bounds the share of a charge the plan allows, by claim
// type: facilities are discounted most, drugs least.
func allowedRatio(typ string) (lo, hi float64) {
	switch typ {
	case "carrier":
		return 0.45, 0.7
	case "dme":
		return 0.6, 0.8
	case "outpatient":
		return 0.3, 0.5
	case "inpatient":
		return 0.25, 0.45
	case "snf":
		return 0.5, 0.7
	case "hha":
		return 0.7, 0.9
	default: // hospice, pde
		return 0.85, 1
	}
}
