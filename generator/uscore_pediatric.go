package generator

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// The US Core 6.1 Pediatric BMI for Age Observation: beside every BMI of
// a member aged 2 to 20 at the visit, the BMI's percentile for the
// member's age and sex by the CDC 2000 growth charts. It is computed from
// the BMI alone and drawn from no random stream, so a member too old for
// it (every ordinary member) renders exactly what it rendered before.

const profPediatricBMI = usCore + "pediatric-bmi-for-age"

var (
	codePediatricBMI     = coding{sysLOINC, "59576-9", "Body mass index (BMI) [Percentile] Per age and sex"}
	conceptPediatricBMI  = codeOf(codePediatricBMI)
	profilesPediatricBMI = []string{profPediatricBMI}
	tokensPediatricBMI   = []string{token(codePediatricBMI)}
	tokenBMI             = token(coding{sysLOINC, "39156-5", ""})
)

// The CDC BMI-for-age charts cover 24.0 to 240.5 months (CDC growth
// charts, "BMI-for-age charts, 2 to 20 years", bmiagerev.csv). US Core's
// profile is for ages 2 to 20.
const (
	pediatricFromMonths = 24.0
	pediatricToMonths   = 241.0 // the end of the 240th month: 20 years
)

// daysPerMonth converts an age in days to CDC's age in months (agemos),
// as the CDC SAS program for the growth charts does.
const daysPerMonth = 30.4375

// lms is one row of the CDC BMI-for-age table: the Box-Cox power L, the
// median M and the coefficient of variation S (Cole & Green 1992).
type lms struct{ l, m, s float64 }

// bmiForAgeLMS is the CDC 2000 BMI-for-age LMS table (CDC growth charts,
// https://www.cdc.gov/growthcharts/data/zscore/bmiagerev.csv), every
// sixth row: agemos 24.5, 30.5, …, 240.5, boys (Sex 1) then girls (Sex
// 2). Ages between rows are interpolated linearly, as the CDC SAS program
// does between its monthly rows; the curves are smooth enough that six
// months apart moves a percentile by well under one point.
var bmiForAgeLMS = map[string][]lms{
	"male": {
		{-1.982373595, 16.54777487, 0.080127429}, // 24.5
		{-1.642106779, 16.24972371, 0.075499126}, // 30.5
		{-1.419991255, 16.00030401, 0.072634432}, // 36.5
		{-1.438164899, 15.79405728, 0.071495113}, // 42.5
		{-1.714869347, 15.62817269, 0.071889214}, // 48.5
		{-2.155348017, 15.50258427, 0.073490667}, // 54.5
		{-2.61516595, 15.41914163, 0.07599225},   // 60.5
		{-2.981796828, 15.37952958, 0.079211369}, // 66.5
		{-3.21170511, 15.38353217, 0.083048178},  // 72.5
		{-3.314768951, 15.42902273, 0.087400421}, // 78.5
		{-3.323188896, 15.51286936, 0.092131305}, // 84.5
		{-3.270454609, 15.63170735, 0.097081694}, // 90.5
		{-3.18305795, 15.78231007, 0.102091189},  // 96.5
		{-3.079383079, 15.96169481, 0.107012788}, // 102.5
		{-2.971148225, 16.16712234, 0.111720691}, // 108.5
		{-2.865311266, 16.39605916, 0.116113097}, // 114.5
		{-2.765648008, 16.64613844, 0.120112464}, // 120.5
		{-2.673903164, 16.91512487, 0.123664186}, // 126.5
		{-2.590560148, 17.20088732, 0.126734613}, // 132.5
		{-2.515320235, 17.50138161, 0.129309001}, // 138.5
		{-2.447426113, 17.81463359, 0.131389042}, // 144.5
		{-2.385858029, 18.1387275, 0.132990575},  // 150.5
		{-2.3294571, 18.47179706, 0.13414147},    // 156.5
		{-2.277017201, 18.81201584, 0.134879611}, // 162.5
		{-2.227362173, 19.15758672, 0.135251083}, // 168.5
		{-2.179425674, 19.50672885, 0.135308594}, // 174.5
		{-2.132344989, 19.85766121, 0.135110159}, // 180.5
		{-2.085574403, 20.20858236, 0.134718085}, // 186.5
		{-2.039015385, 20.5576474, 0.134198323},  // 192.5
		{-1.993150137, 20.90294449, 0.1336202},   // 198.5
		{-1.949134561, 21.24247982, 0.13305669},  // 204.5
		{-1.908831065, 21.57417053, 0.132584784}, // 210.5
		{-1.874670324, 21.8958685, 0.132286382},  // 216.5
		{-1.849323204, 22.20541249, 0.132248993}, // 222.5
		{-1.835138046, 22.50071778, 0.132566359}, // 228.5
		{-1.833400825, 22.7798953, 0.133338999},  // 234.5
		{-1.843580575, 23.04137734, 0.134675001}, // 240.5
	},
	"female": {
		{-1.024496827, 16.38804056, 0.085025838}, // 24.5
		{-1.53454192, 16.00593001, 0.080932448},  // 30.5
		{-2.096828937, 15.69924188, 0.078605255}, // 36.5
		{-2.618732901, 15.46470384, 0.077903716}, // 42.5
		{-3.018521987, 15.29854897, 0.078713325}, // 48.5
		{-3.259300182, 15.19606152, 0.080904391}, // 54.5
		{-3.35007771, 15.15188405, 0.084300139},  // 60.5
		{-3.325522491, 15.16056419, 0.088680264}, // 66.5
		{-3.225606516, 15.21690296, 0.093803033}, // 72.5
		{-3.084290931, 15.31606644, 0.099426955}, // 78.5
		{-2.926186592, 15.45356545, 0.105325289}, // 84.5
		{-2.767310047, 15.6251988, 0.111294537},  // 90.5
		{-2.617192204, 15.82699517, 0.117158667}, // 96.5
		{-2.48095189, 16.05516984, 0.12277087},   // 102.5
		{-2.360920527, 16.30609316, 0.128013515}, // 108.5
		{-2.257782149, 16.57626713, 0.132796819}, // 114.5
		{-2.171295888, 16.86231366, 0.137057004}, // 120.5
		{-2.100749266, 17.16096656, 0.140753927}, // 126.5
		{-2.045235058, 17.46906585, 0.143868341}, // 132.5
		{-2.003802134, 17.78355575, 0.146399239}, // 138.5
		{-1.975521156, 18.10148804, 0.148361495}, // 144.5
		{-1.959520079, 18.42002284, 0.149783482}, // 150.5
		{-1.954977947, 18.73643338, 0.150705138}, // 156.5
		{-1.9610997, 19.04811118, 0.151176355},   // 162.5
		{-1.977073595, 19.35257209, 0.151255713}, // 168.5
		{-2.002014224, 19.64746266, 0.151009595}, // 174.5
		{-2.034893091, 19.9305662, 0.150511645},  // 180.5
		{-2.074459502, 20.19980767, 0.14984254},  // 186.5
		{-2.119156972, 20.45325617, 0.14909006},  // 192.5
		{-2.167044578, 20.6891237, 0.148349348},  // 198.5
		{-2.215737645, 20.90575839, 0.147723315}, // 204.5
		{-2.26238209, 21.10163241, 0.147323144},  // 210.5
		{-2.303687802, 21.27532239, 0.14726877},  // 216.5
		{-2.336038473, 21.42548351, 0.147689289}, // 222.5
		{-2.355677743, 21.55082155, 0.148723546}, // 228.5
		{-2.358980464, 21.65006126, 0.150520734}, // 234.5
		{-2.342796948, 21.72190973, 0.153240872}, // 240.5
	},
}

// lmsFirstAge and lmsStep place the rows of bmiForAgeLMS: row i is agemos
// lmsFirstAge + i*lmsStep.
const (
	lmsFirstAge = 24.5
	lmsStep     = 6.0
)

// bmiForAgeAt is the LMS of sex at agemos months, interpolated between
// the rows either side and held at the table's ends; ok is false for a
// sex the charts have no table for.
func bmiForAgeAt(sex string, agemos float64) (lms, bool) {
	rows, ok := bmiForAgeLMS[sex]
	if !ok {
		return lms{}, false
	}
	x := (agemos - lmsFirstAge) / lmsStep
	if x <= 0 {
		return rows[0], true
	}
	i := int(x)
	if i >= len(rows)-1 {
		return rows[len(rows)-1], true
	}
	f := x - float64(i)
	a, b := rows[i], rows[i+1]
	return lms{a.l + f*(b.l-a.l), a.m + f*(b.m-a.m), a.s + f*(b.s-a.s)}, true
}

// bmiPercentile is the percentile of bmi among children of sex aged
// agemos months: Φ(z), z = ((BMI/M)^L − 1)/(L·S) (CDC growth charts, "Use
// of the LMS parameters"), on a 0–100 scale.
func bmiPercentile(sex string, agemos, bmi float64) (float64, bool) {
	p, ok := bmiForAgeAt(sex, agemos)
	if !ok || bmi <= 0 {
		return 0, false
	}
	z := (math.Pow(bmi/p.m, p.l) - 1) / (p.l * p.s)
	return 100 * 0.5 * math.Erfc(-z/math.Sqrt2), true
}

// ageInMonths is CDC's agemos of someone born on birth at t: whole days
// lived over the days of an average month.
func ageInMonths(birth, t time.Time) float64 {
	b := time.Date(birth.Year(), birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return math.Floor(d.Sub(b).Hours()/24) / daysPerMonth
}

// pediatricBMI renders a Pediatric BMI for Age Observation for every BMI
// clinical.go rendered (in served) while the member was 2 to 20: numbered
// after the visit's Observations in served and findings, effective and
// last updated with the BMI, and derived from it.
func (b *builder) pediatricBMI(subject reference, served, findings []Resource) []Resource {
	p := &b.person
	var bmis []int
	for i := range served {
		r := &served[i]
		if r.Type != "Observation" || len(r.Code) == 0 || r.Code[0] != tokenBMI {
			continue
		}
		if agemos := ageInMonths(p.birth, r.Start); agemos >= pediatricFromMonths && agemos < pediatricToMonths {
			bmis = append(bmis, i)
		}
	}
	if len(bmis) == 0 {
		return nil
	}
	// The last number of each visit's Observations, obs-<claim>-<k>.
	last := map[string]int{}
	for _, group := range [][]Resource{served, findings} {
		for i := range group {
			if group[i].Type != "Observation" {
				continue
			}
			claim, k, ok := obsNumber(group[i].ID)
			if ok && k > last[claim] {
				last[claim] = k
			}
		}
	}
	var out []Resource
	scratch := make([]byte, 0, 1024)
	for _, i := range bmis {
		r := &served[i]
		agemos := ageInMonths(p.birth, r.Start)
		var bmi struct {
			Encounter         *reference `json:"encounter"`
			EffectiveDateTime string     `json:"effectiveDateTime"`
			ValueQuantity     quantity   `json:"valueQuantity"`
		}
		if err := json.Unmarshal(r.JSON, &bmi); err != nil {
			continue // written by this package: never happens
		}
		pct, ok := bmiPercentile(p.gender, agemos, bmi.ValueQuantity.Value)
		claim, _, numbered := obsNumber(r.ID)
		if !ok || !numbered {
			continue
		}
		last[claim]++
		id := "obs-" + claim + "-" + itoa(last[claim])
		value := ucum(roundTo(pct, 1), "%") // US Core Pediatric BMI for Age: UCUM "%"
		res := findingResource{
			ResourceType:      "Observation",
			ID:                id,
			Meta:              meta{LastUpdated: fmtInstant(r.LastUpdated), Profile: profilesPediatricBMI},
			Status:            "final",
			Category:          findingVitalSigns.concepts,
			Code:              conceptPediatricBMI,
			Subject:           subject,
			Encounter:         bmi.Encounter,
			EffectiveDateTime: bmi.EffectiveDateTime,
			ValueQuantity:     &value,
			DerivedFrom:       []reference{{Reference: "Observation/" + r.ID}},
		}
		out = append(out, Resource{Type: "Observation", ID: id, LastUpdated: r.LastUpdated, Start: r.Start, End: r.End,
			Category: findingVitalSigns.tokens, Code: tokensPediatricBMI, JSON: finish(&scratch, res.appendJSON(scratch[:0]))})
	}
	return out
}

// obsNumber splits an Observation id obs-<claim>-<k> into its claim and k.
func obsNumber(id string) (claim string, k int, ok bool) {
	rest, found := strings.CutPrefix(id, "obs-")
	i := strings.LastIndexByte(rest, '-')
	if !found || i <= 0 {
		return "", 0, false
	}
	k, err := strconv.Atoi(rest[i+1:])
	return rest[:i], k, err == nil
}

// statureMedian is CDC's 50th-percentile stature for age (CDC growth
// charts, statage.csv, rounded to the centimetre) at a few ages in years,
// boys then girls; heights between are interpolated.
var statureMedian = map[string][][2]float64{
	"male":   {{2, 87}, {6, 116}, {10, 138}, {12, 149}, {14, 164}, {16, 174}, {18, 176}, {20, 177}},
	"female": {{2, 86}, {6, 115}, {10, 138}, {12, 151}, {14, 160}, {16, 162}, {18, 163}, {20, 164}},
}

// childSize fits the body drawn for every member (an adult's: 55–115 kg,
// 150–190 cm) to a member who is under 21 at the as-of date: a height at
// the same place around their age's median as the draw around an adult's
// 170 cm, and a weight whose BMI sits where the drawn weight sits between
// 55 and 115 kg, mapped onto 90–120% of the BMI-for-age median (CDC LMS
// M). A child then reads as a child in every vital sign, and the Pediatric
// BMI for Age percentiles spread as children's do. Adults keep the draw, so
// no adult member changes.
func (b *builder) childSize(size body) body {
	p := &b.person
	agemos := ageInMonths(p.birth, b.cal.asOf)
	rows, ok := statureMedian[p.gender]
	if agemos >= 21*12 || !ok {
		return size
	}
	median, ok := bmiForAgeAt(p.gender, agemos)
	if !ok {
		return size
	}
	years := agemos / 12
	stature := rows[len(rows)-1][1]
	for i := 1; i < len(rows); i++ {
		if years <= rows[i][0] {
			a, c := rows[i-1], rows[i]
			f := max(0, (years-a[0])/(c[0]-a[0]))
			stature = a[1] + f*(c[1]-a[1])
			break
		}
	}
	height := stature * size.height / 170
	bmi := median.m * (0.9 + 0.3*(size.weight-55)/60)
	size.height = math.Round(height*10) / 10
	size.weight = math.Round(bmi*(size.height/100)*(size.height/100)*10) / 10
	return size
}
