// Package finder finds members by what their records hold: a developer
// looking among thousands of generated members for one with an inpatient
// stay, a diabetic, or many claims; and by what their consents hold: a
// member whose data a personal representative shared, or whose data an app
// holds without the demographics. Members are built on demand, so a search
// scans them in account order from a starting number, a bounded number per
// request, and says where to continue.
package finder

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Bounds a caller can hit (README, "Limits").
const (
	// MaxScan is how many members one search looks at: building one costs
	// about 2 ms, so a search answers within a second or two.
	MaxScan = 500
	// MaxLimit is the most members one search returns.
	MaxLimit = 50
	// DefaultLimit is how many a search returns when it does not say.
	DefaultLimit = 10
	// cacheSize bounds the summaries kept (each a few hundred bytes), so
	// a second search over the same members builds none of them again.
	cacheSize = 5000
)

// Summary is what the finder knows of one member.
type Summary struct {
	Number    int    `json:"-"`
	Username  string `json:"username"`
	Password  string `json:"password"`
	PatientID string `json:"patient"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	// Claims counts the member's ExplanationOfBenefits by claim type.
	Claims map[string]int `json:"claims"`
	// Resources counts every resource type the member's token can search.
	Resources map[string]int `json:"resources"`
	// Conditions are the member's conditions, "display (code)".
	Conditions []string `json:"conditions"`
	// Consent is what the apps now holding access to the member's data
	// were given; nil when the search had no Consents to ask.
	Consent *Consent `json:"consent,omitempty"`
}

// Consent is what the live grants of one member's data hold: the two
// cases a consent screen can make of any member.
type Consent struct {
	// Representative: a personal representative approved one of them, so
	// its tokens name a RelatedPerson as fhirUser (the representative case).
	Representative bool `json:"representative"`
	// WithheldDemographics: one of them reads none of the member's
	// personal information, no Patient resource and no profile, as when
	// the member shares health data but not personal information; its
	// Patient reads and userinfo answer 403 (the withheld-demographics case).
	WithheldDemographics bool `json:"withheld_demographics"`
}

// Consents looks up the Consent of the member with a patient id. Grants
// change as members consent and remove apps, so it is asked at every
// search, never cached.
type Consents func(patientID string) Consent

// TotalClaims is the number of the member's ExplanationOfBenefits.
func (s Summary) TotalClaims() int {
	n := 0
	for _, c := range s.Claims {
		n += c
	}
	return n
}

// Query is one search. A member matches when it has at least one claim of
// each of ClaimTypes, a condition whose display or code contains Condition
// (ignoring case), at least MinClaims claims, at least MinResources[t]
// resources of each type t, and, when Representative or
// WithheldDemographics is set, a Consent with that case.
type Query struct {
	ClaimTypes           []string
	Condition            string
	MinClaims            int
	MinResources         map[string]int
	Representative       bool
	WithheldDemographics bool
	// From is the first account number to look at; Limit, how many
	// matches to return (0: DefaultLimit).
	From, Limit int
}

// Result is a search's answer.
type Result struct {
	Members []Summary `json:"members"`
	// ScannedFrom and ScannedTo are the account numbers looked at.
	ScannedFrom int `json:"scanned_from"`
	ScannedTo   int `json:"scanned_to"`
	// Next is where to continue (the from of the next search), 0 when
	// every member has been looked at.
	Next int `json:"next,omitempty"`
}

// Finder searches members first..last, whose summaries summarize builds.
type Finder struct {
	first, last int
	claimTypes  []string
	summarize   func(n int) (Summary, bool)

	mu    sync.Mutex // guards cache and order
	cache map[int]Summary
	order []int
}

// New returns a finder over account numbers first..last. claimTypes are the
// claim types a query may name.
func New(first, last int, claimTypes []string, summarize func(n int) (Summary, bool)) *Finder {
	return &Finder{first: first, last: last, claimTypes: claimTypes, summarize: summarize, cache: map[int]Summary{}}
}

// ClaimTypes are the claim types a query may name.
func (f *Finder) ClaimTypes() []string { return slices.Clone(f.claimTypes) }

// ErrQuery marks a query the finder cannot run.
var ErrQuery = errors.New("finder")

// Find scans at most MaxScan members from q.From and returns those that
// match, at most q.Limit. consents tells each member's Consent; nil (a
// finder without an authorization server) refuses a query that asks for
// one.
func (f *Finder) Find(q Query, consents Consents) (Result, error) {
	if err := f.check(&q); err != nil {
		return Result{}, err
	}
	if consents == nil && (q.Representative || q.WithheldDemographics) {
		return Result{}, errQuery("representative and withheld_demographics need the grants of an authorization server, which this finder has not")
	}
	res := Result{Members: []Summary{}, ScannedFrom: q.From}
	n := q.From
	for ; n <= f.last && n < q.From+MaxScan && len(res.Members) < q.Limit; n++ {
		s, ok := f.summary(n)
		if !ok || !q.matches(s) {
			continue
		}
		if consents != nil {
			c := consents(s.PatientID)
			if !q.consentMatches(c) {
				continue
			}
			s.Consent = &c
		}
		res.Members = append(res.Members, s)
	}
	res.ScannedTo = n - 1
	if n <= f.last {
		res.Next = n
	}
	return res, nil
}

func (f *Finder) check(q *Query) error {
	if q.From == 0 {
		q.From = f.first
	}
	switch {
	case q.From < f.first || q.From > f.last:
		return errQuery("from must be an account number from %d to %d", f.first, f.last)
	case q.Limit < 0 || q.Limit > MaxLimit:
		return errQuery("limit must be from 1 to %d", MaxLimit)
	case q.MinClaims < 0:
		return errQuery("min_claims must not be negative")
	case len(q.Condition) > 100:
		return errQuery("condition must be at most 100 characters")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	for _, t := range q.ClaimTypes {
		if !slices.Contains(f.claimTypes, t) {
			return errQuery("claim_type %q is not one of %s", t, strings.Join(f.claimTypes, ", "))
		}
	}
	for t, n := range q.MinResources {
		if n < 0 || t == "" {
			return errQuery("min_%s must not be negative", t)
		}
	}
	return nil
}

func errQuery(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrQuery}, args...)...)
}

func (q Query) matches(s Summary) bool {
	for _, t := range q.ClaimTypes {
		if s.Claims[t] == 0 {
			return false
		}
	}
	if q.MinClaims > 0 && s.TotalClaims() < q.MinClaims {
		return false
	}
	for t, n := range q.MinResources {
		if s.Resources[t] < n {
			return false
		}
	}
	if q.Condition != "" {
		want := strings.ToLower(q.Condition)
		return slices.ContainsFunc(s.Conditions, func(c string) bool { return strings.Contains(strings.ToLower(c), want) })
	}
	return true
}

// consentMatches reports whether c has every case q asks for.
func (q Query) consentMatches(c Consent) bool {
	return (!q.Representative || c.Representative) && (!q.WithheldDemographics || c.WithheldDemographics)
}

// summary is member n's summary, from the cache or built.
func (f *Finder) summary(n int) (Summary, bool) {
	f.mu.Lock()
	s, ok := f.cache[n]
	f.mu.Unlock()
	if ok {
		return s, true
	}
	s, ok = f.summarize(n)
	if !ok {
		return Summary{}, false
	}
	s.Number = n
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.cache[n]; !dup {
		if len(f.order) >= cacheSize {
			delete(f.cache, f.order[0])
			f.order = f.order[1:]
		}
		f.cache[n] = s
		f.order = append(f.order, n)
	}
	return s, true
}

// ParseQuery reads a query from URL parameters: claim_type (repeated or
// comma-separated), condition, min_claims, min_{Type} (min_Observation=5),
// representative and withheld_demographics (true, 1 or on, as a checkbox
// sends), from (an account number or a username), limit.
func ParseQuery(v url.Values) (Query, error) {
	var q Query
	for _, ct := range v["claim_type"] {
		for _, t := range strings.Split(ct, ",") {
			if t = strings.TrimSpace(t); t != "" {
				q.ClaimTypes = append(q.ClaimTypes, t)
			}
		}
	}
	q.Condition = strings.TrimSpace(v.Get("condition"))
	var err error
	number := func(name string) int {
		s := strings.TrimSpace(v.Get(name))
		if s == "" || err != nil {
			return 0
		}
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 {
			err = errQuery("%s must be a whole number, not %q", name, s)
		}
		return n
	}
	flag := func(name string) bool {
		s := strings.TrimSpace(v.Get(name))
		switch strings.ToLower(s) {
		case "", "false", "0", "off":
			return false
		case "true", "1", "on":
			return true
		}
		if err == nil {
			err = errQuery("%s must be true or false, not %q", name, s)
		}
		return false
	}
	q.Representative = flag("representative")
	q.WithheldDemographics = flag("withheld_demographics")
	q.MinClaims = number("min_claims")
	q.Limit = number("limit")
	if from := strings.TrimPrefix(strings.TrimSpace(v.Get("from")), "BCNCUser"); from != "" {
		n, perr := strconv.Atoi(from)
		if perr != nil || n < 1 {
			return q, errQuery("from must be an account number or a username such as BCNCUser120")
		}
		q.From = n
	}
	for k := range v {
		if t, ok := strings.CutPrefix(k, "min_"); ok && t != "claims" {
			if q.MinResources == nil {
				q.MinResources = map[string]int{}
			}
			q.MinResources[t] = number(k)
		}
	}
	return q, err
}

// Handler serves GET {control}/members: the finder as JSON, asking
// consents for each member's Consent.
func (f *Finder) Handler(problem func(echo.Context, int, string) error, consents Consents) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := ParseQuery(c.QueryParams())
		if err == nil {
			var res Result
			if res, err = f.Find(q, consents); err == nil {
				return c.JSON(http.StatusOK, res)
			}
		}
		return problem(c, http.StatusBadRequest, strings.TrimPrefix(err.Error(), ErrQuery.Error()+": "))
	}
}
