package generator

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/internal/r4check"
)

// pediatricObservation is what the tests read of a BMI or a Pediatric BMI
// for Age Observation.
type pediatricObservation struct {
	ID   string `json:"id"`
	Meta struct {
		Profile []string `json:"profile"`
	} `json:"meta"`
	Code struct {
		Coding []coding `json:"coding"`
	} `json:"code"`
	Encounter         *reference  `json:"encounter"`
	EffectiveDateTime string      `json:"effectiveDateTime"`
	ValueQuantity     quantity    `json:"valueQuantity"`
	DerivedFrom       []reference `json:"derivedFrom"`
}

// TestPediatricBMIForAge: the minor's edge account has, for every BMI of
// a visit, one Pediatric BMI for Age Observation derived from it, at the
// same visit and instant, valid R4 with its US Core profile, whose
// percentile (0 to 100, in UCUM %) is the BMI's by the CDC LMS table for
// the child's sex and age in months that day; and a Provenance names each.
func TestPediatricBMIForAge(t *testing.T) {
	spec := edgeSpec(slices.Index(EdgeTraits, EdgeMinor), EdgeMinor)
	m := New(1).Build(spec)
	var patient struct {
		Gender    string `json:"gender"`
		BirthDate string `json:"birthDate"`
	}
	bmis := map[string]pediatricObservation{}
	var pediatric []pediatricObservation
	provenanced := map[string]bool{}
	for _, r := range m.Resources {
		switch r.Type {
		case "Patient":
			if r.ID == m.PatientID {
				if err := json.Unmarshal(r.JSON, &patient); err != nil {
					t.Fatal(err)
				}
			}
		case "Provenance":
			for _, ref := range referenceRE.FindAllStringSubmatch(string(r.JSON), -1) {
				provenanced[ref[1]] = true
			}
		case "Observation":
			var o pediatricObservation
			if err := json.Unmarshal(r.JSON, &o); err != nil {
				t.Fatal(err)
			}
			switch o.Code.Coding[0].Code {
			case "39156-5":
				bmis["Observation/"+o.ID] = o
			case "59576-9":
				if err := r4check.ValidateResource(r.JSON, true); err != nil {
					t.Errorf("%s: %v", o.ID, err)
				}
				if !slices.Equal(r.Code, []string{"http://loinc.org|59576-9"}) || !slices.Equal(r.Category, []string{sysUSCoreCat + "|vital-signs"}) {
					t.Errorf("%s: search keys code %v category %v", o.ID, r.Code, r.Category)
				}
				pediatric = append(pediatric, o)
			}
		}
	}
	birth, err := time.Parse(time.DateOnly, patient.BirthDate)
	if err != nil {
		t.Fatal(err)
	}
	if len(bmis) == 0 || len(pediatric) != len(bmis) {
		t.Fatalf("%d BMI Observations, %d Pediatric BMI for Age", len(bmis), len(pediatric))
	}
	for _, o := range pediatric {
		if len(o.DerivedFrom) != 1 {
			t.Fatalf("%s: derivedFrom %v", o.ID, o.DerivedFrom)
		}
		from := o.DerivedFrom[0].Reference
		bmi, ok := bmis[from]
		if !ok {
			t.Fatalf("%s: derived from %s, no BMI of the member", o.ID, from)
		}
		delete(bmis, from) // each BMI has one
		visit, _, _ := obsNumber(o.ID)
		bmiVisit, _, _ := obsNumber(bmi.ID)
		if !slices.Equal(o.Meta.Profile, []string{profPediatricBMI}) || o.EffectiveDateTime != bmi.EffectiveDateTime ||
			o.Encounter == nil || bmi.Encounter == nil || *o.Encounter != *bmi.Encounter || visit != bmiVisit {
			t.Errorf("%s: profile %v at %s %v, BMI %s at %s %v", o.ID, o.Meta.Profile, o.EffectiveDateTime, o.Encounter, bmi.ID, bmi.EffectiveDateTime, bmi.Encounter)
		}
		q := o.ValueQuantity
		if q.Value < 0 || q.Value > 100 || q.Unit != "%" || q.Code != "%" || q.System != "http://unitsofmeasure.org" {
			t.Errorf("%s: value %+v", o.ID, q)
		}
		at, err := time.Parse(time.RFC3339, bmi.EffectiveDateTime)
		if err != nil {
			t.Fatal(err)
		}
		agemos := ageInMonths(birth, at)
		if agemos < 24 || agemos >= 241 {
			t.Errorf("%s: the child is %.1f months old", o.ID, agemos)
		}
		want, ok := bmiPercentile(patient.Gender, agemos, bmi.ValueQuantity.Value)
		if !ok || math.Abs(q.Value-want) > 0.05 {
			t.Errorf("%s: percentile %.1f, BMI %.1f at %.1f months (%s) gives %.2f", o.ID, q.Value, bmi.ValueQuantity.Value, agemos, patient.Gender, want)
		}
		if !provenanced["Observation/"+o.ID] {
			t.Errorf("%s: no Provenance names it", o.ID)
		}
		// The minor has a child's body (childSize), not an adult's: the
		// percentile stays among children's (an adult's 55–115 kg at a
		// teenager's age reads 97th to 99.9th).
		if q.Value < 10 || q.Value > 95 {
			t.Errorf("%s: percentile %.1f (BMI %.1f at %.1f months): not a child's body", o.ID, q.Value, bmi.ValueQuantity.Value, agemos)
		}
	}
}

// TestBMIPercentileMatchesCDC: the percentile of a BMI equal to a
// percentile column of CDC's bmiagerev.csv, at that row's age, is that
// percentile, and a 15-year-old boy (180.5 months) with BMI 21.0, between
// the 50th (19.86) and 75th (21.98) columns, is at the 65th. Each case
// reads a different row and sex, so a digit mistyped in the table shows.
func TestBMIPercentileMatchesCDC(t *testing.T) {
	cases := []struct {
		name        string
		sex         string
		agemos, bmi float64
		want        float64 // percentile
		tolerance   float64
	}{
		{"boy 15, BMI 21.0", "male", 180.5, 21.0, 65.2, 0.05},
		{"boy 15, CDC P50", "male", 180.5, 19.85766121, 50, 0.01},
		{"boy 15, CDC P85", "male", 180.5, 23.45117065, 85, 0.01},
		{"boy 15, CDC P95", "male", 180.5, 26.83688026, 95, 0.01},
		{"boy 2, CDC P5", "male", 24.5, 14.71929257, 5, 0.01},
		{"boy 20, CDC P95", "male", 240.5, 30.63106054, 95, 0.01},
		{"boy 10, CDC P85", "male", 120.5, 19.3904113, 85, 0.01},
		{"girl 13, CDC P85", "female", 156.5, 22.57506113, 85, 0.01},
		{"girl 13, CDC P95", "female", 156.5, 26.298799, 95, 0.01},
		{"girl 16, CDC P25", "female", 192.5, 18.67121316, 25, 0.01},
		{"girl 5, CDC P95", "female", 60.5, 18.25738105, 95, 0.01},
		{"girl 20, CDC P5", "female", 240.5, 17.81856356, 5, 0.01},
		// Between rows 180.5 and 186.5, CDC's 183.5 row: the linear
		// interpolation is within a tenth of a point of the monthly row.
		{"boy 15.3, CDC P85 at 183.5", "male", 183.5, 23.6437801, 85, 0.1},
		{"girl 14.5, CDC P95 at 174.5", "female", 174.5, 27.70078892, 95, 0.01},
		{"girl 14.6, CDC P50 at 175.5", "female", 175.5, 19.69552294, 50, 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := bmiPercentile(c.sex, c.agemos, c.bmi)
			if !ok || math.Abs(got-c.want) > c.tolerance {
				t.Errorf("percentile %.3f, want %.2f±%.2f", got, c.want, c.tolerance)
			}
		})
	}
	if _, ok := bmiPercentile("unknown", 180, 21); ok {
		t.Error("a percentile for a sex the charts have no table for")
	}
}

// TestAgeInMonths: CDC's agemos, days lived over 30.4375, so that a child
// is 24 months old on the second birthday and past 240 months on the
// twentieth.
func TestAgeInMonths(t *testing.T) {
	birth := time.Date(2010, 3, 15, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		at   time.Time
		lo   float64
		hi   float64
	}{
		{"second birthday", time.Date(2012, 3, 15, 9, 0, 0, 0, eastern), 23.99, 24.03},
		{"day before the second birthday", time.Date(2012, 3, 14, 23, 0, 0, 0, eastern), 23.9, 24.0},
		{"fifteenth birthday", time.Date(2025, 3, 15, 9, 0, 0, 0, eastern), 179.9, 180.1},
		{"twentieth birthday", time.Date(2030, 3, 15, 9, 0, 0, 0, eastern), 239.9, 240.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ageInMonths(birth, c.at); got < c.lo || got > c.hi {
				t.Errorf("%.3f months, want %.2f to %.2f", got, c.lo, c.hi)
			}
		})
	}
}

// TestBMIForAgeTableIsSmooth: each sex's table has a row every six months
// from 24.5 to 240.5, and L, M and S bend smoothly from row to row (second
// differences at most 0.3, 0.1 and 0.0025; CDC's rows reach 0.26, 0.08
// and 0.0018), so a leading digit mistyped in a row the cases of
// TestBMIPercentileMatchesCDC do not read shows too.
func TestBMIForAgeTableIsSmooth(t *testing.T) {
	for _, sex := range []string{"male", "female"} {
		rows := bmiForAgeLMS[sex]
		if last := lmsFirstAge + lmsStep*float64(len(rows)-1); last != 240.5 {
			t.Errorf("%s: %d rows, the last at %.1f months", sex, len(rows), last)
		}
		for i := 1; i+1 < len(rows); i++ {
			a, b, c := rows[i-1], rows[i], rows[i+1]
			if math.Abs(c.l-2*b.l+a.l) > 0.3 || math.Abs(c.m-2*b.m+a.m) > 0.1 || math.Abs(c.s-2*b.s+a.s) > 0.0025 {
				t.Errorf("%s: row at %.1f months %+v does not follow %+v and %+v", sex, lmsFirstAge+lmsStep*float64(i), b, a, c)
			}
		}
	}
}
