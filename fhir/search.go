package fhir

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/labstack/echo/v4"
)

// maxSearchBody bounds a POST _search form body.
const maxSearchBody = 64 << 10

// search serves GET {Type}?…, GET {Type}/?… and POST {Type}/_search: parse,
// check the compartment, then answer from the page cache or render.
func (a *API) search(c echo.Context, t *resourceType, g Grant) error {
	r := c.Request()
	base := a.cfg.BaseURL(r)
	strict := a.strictHandling(r)
	// A page is a pure function of what the key holds (the data is
	// deterministic and edits invalidate the member), so a repeated request
	// is answered before its query is even parsed. POST _search is not
	// cached: its parameters travel in the body. Nor is a RelatedPerson
	// search, rendered from the token's grant rather than the member.
	var key []byte
	if a.pages != nil && r.Method != http.MethodPost && t.Name != "RelatedPerson" {
		var room [256]byte // most keys fit: no allocation for a cache hit
		key = appendPageKey(room[:0], base, t.Name, g.Patient, strict, a.includable(t, g), r.URL.RawQuery)
		if body, ok := a.pages.get(key); ok {
			return writeFHIR(c, body)
		}
	}
	v, err := searchValues(r)
	if err != nil {
		return a.writeError(c, err)
	}
	q, err := parseQuery(t, v, strict)
	if err != nil {
		return a.writeError(c, err)
	}
	for _, id := range q.compartment {
		// An absolute reference to the member is the member too (R4 Search,
		// "reference": [url] form).
		id = strings.TrimPrefix(id, base+BasePath+"/Patient/")
		if id != g.Patient {
			// README, "FHIR": a search naming another member is a 403; the token's
			// patient is its compartment (SMART App Launch 2, patient/ scopes).
			return a.writeError(c, forbidden("this token opens only its own patient's records"))
		}
	}
	if param := t.compartmentParam(); !q.hasCompartment && param != "" {
		// As the docs' links do, name the member the search implied.
		q.keep.Set(param, g.Patient)
	}
	var gen uint64
	if key != nil {
		gen = a.pages.generation(g.Patient) // before the member is read: see pageCache
	}
	m, ok := a.cfg.Members(g.Patient)
	if !ok {
		return a.writeError(c, notFound("the token's patient is not found"))
	}
	var ix *memberIndex
	if t.Name == "RelatedPerson" {
		m = relatedPersonMember(g, m)
		ix = newMemberIndex(m)
	} else {
		ix = a.index.index(g.Patient, m)
	}
	var p page
	p.collect(m, ix, t.Name, &q)
	mask := a.includable(t, g)
	p.collectIncludes(m, ix, &q.includes, func(typ string) bool { return mask&a.typeBit(typ) != 0 })
	if q.revProvenance {
		p.collectProvenance(m, ix, mask&a.typeBit("Provenance") != 0)
	}
	rest := q.keep.Encode()
	l := links{prefix: base + BasePath + "/" + t.Name + "?", rest: rest, count: q.count}
	buf := a.buffer()
	defer a.bufs.Put(buf)
	*buf = appendBundle((*buf)[:0], bundleID(g.Patient, t.Name, rest, q.count, q.start),
		base+BasePath+"/", &l, q.start, &p, m)
	if key == nil {
		return writeFHIR(c, *buf)
	}
	body := append([]byte(nil), *buf...)
	a.pages.put(string(key), g.Patient, gen, body)
	return writeFHIR(c, body)
}

// includable is the set of types, as typeBit bits, whose resources t's
// searches may include for g: those g may read. It is 0 for a type that
// includes nothing, so the tokens of one member share those pages.
func (a *API) includable(t *resourceType, g Grant) uint32 {
	if len(t.Includes) == 0 && t.compartmentParam() == "" {
		return 0
	}
	var mask uint32
	for _, s := range g.Scopes {
		switch typ := scopeType(s); typ {
		case "":
		case "*":
			if scopeAllows(s, t.Name, interactionRead) {
				return 1<<len(a.types) - 1
			}
		default:
			if scopeAllows(s, typ, interactionRead) {
				mask |= a.typeBit(typ)
			}
		}
	}
	return mask
}

// typeBit is the bit of a served type in an includable mask; 0 for a type
// not served.
func (a *API) typeBit(name string) uint32 {
	for i := range a.types {
		if a.types[i].Name == name {
			return 1 << i
		}
	}
	return 0
}

// appendPageKey names a search page in the cache by everything its bytes
// depend on: the base URL its links carry, the type, the token's member (so
// one member's page never answers another's token, even for the same query
// string), whether unknown parameters are errors, the types the token may
// read through an _include, and the query as sent. Two spellings of one
// search are two entries; the cache's byte budget bounds what that costs.
func appendPageKey(dst []byte, base, typeName, patient string, strict bool, includable uint32, rawQuery string) []byte {
	mode := "lenient"
	if strict {
		mode = "strict"
	}
	for _, part := range [...]string{base, typeName, patient, mode} {
		dst = append(dst, part...)
		dst = append(dst, 0)
	}
	dst = append(dst, byte(includable>>24), byte(includable>>16), byte(includable>>8), byte(includable), 0)
	return append(dst, rawQuery...)
}

// buffer takes a render buffer from the pool: a page of 50 claims is large,
// and growing a fresh buffer for each search would dominate its cost.
func (a *API) buffer() *[]byte {
	if b, ok := a.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

// compartmentParam is the parameter that names the member in t's
// searches; "" for a type whose searches name no member (the directory
// types and RelatedPerson).
func (t *resourceType) compartmentParam() string {
	for _, p := range t.Params {
		if p.Filter == filterPatient || p.Filter == filterID {
			return p.Name
		}
	}
	return ""
}

// strictHandling reports whether unknown parameters are errors: always in
// the strict profile, and when the client asks with Prefer: handling=strict
// (R4 Search, "Handling Errors").
func (a *API) strictHandling(r *http.Request) bool {
	if a.cfg.Profile == profile.Strict {
		return true
	}
	for _, p := range r.Header.Values("Prefer") {
		for part := range strings.SplitSeq(p, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "handling=strict") {
				return true
			}
		}
	}
	return false
}

// searchValues returns the search parameters of r: the query string, plus
// for POST _search the form body (R4 Search, "Introduction": the same parameters,
// as application/x-www-form-urlencoded).
func searchValues(r *http.Request) (url.Values, *statusError) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed: a bad %-escape or a ';' separator")
	}
	if r.Method != http.MethodPost {
		return v, nil
	}
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		// The docs spell the form type "x-www-formurlencoded" once: take it too.
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != echo.MIMEApplicationForm && mt != "application/x-www-formurlencoded" {
			return nil, badRequest("POST _search takes an application/x-www-form-urlencoded body")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSearchBody+1))
	if err != nil {
		return nil, badRequest("the body could not be read")
	}
	if len(body) > maxSearchBody {
		return nil, &statusError{http.StatusRequestEntityTooLarge, codeTooLong, "the form body is larger than 64 KiB"}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badRequest("the form body is malformed: a bad %-escape or a ';' separator")
	}
	for name, values := range form {
		v[name] = append(v[name], values...)
	}
	return v, nil
}
