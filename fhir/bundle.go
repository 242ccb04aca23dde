package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// page is one page of a search: the total, the newest match, the entries
// and the resources they include. Its fixed arrays keep a search without
// includes free of per-resource allocation.
type page struct {
	total   int
	newest  time.Time
	entries [maxCount]*generator.Resource
	pos     [maxCount]int32 // each entry's position in Member.Resources
	n       int
	// included are the positions of the resources the entries reference
	// that the search includes, each once (R4 Search, "Including other
	// resources in result").
	included  [maxIncluded]int32
	nIncluded int
}

// collect fills p with the matches of q among m's resources of type typ,
// in Member.Resources order (stable, so paging visits each match once);
// ix is m's index, for the parameters that read a resource's JSON.
func (p *page) collect(m *generator.Member, ix *memberIndex, typ string, q *query) {
	end := q.start + q.count
	for i := range m.Resources {
		r := &m.Resources[i]
		if r.Type != typ || !q.matches(r, &lazyFacts{ix: ix, m: m, at: i}) {
			continue
		}
		if r.LastUpdated.After(p.newest) {
			p.newest = r.LastUpdated
		}
		if p.total >= q.start && p.total < end {
			p.entries[p.n] = r
			p.pos[p.n] = int32(i)
			p.n++
		}
		p.total++
	}
}

// links is the query string of the page's links: _count and startIndex
// first (as the docs' links show them), then every other parameter.
type links struct {
	prefix string // {base}{BasePath}/{Type}?
	rest   string // every other parameter, encoded, sorted by name
	count  int
}

func (l *links) append(dst []byte, rel string, start int) []byte {
	dst = append(dst, `{"relation":"`...)
	dst = append(dst, rel...)
	dst = append(dst, `","url":`...)
	dst = append(dst, '"')
	dst = appendEscaped(dst, l.prefix)
	dst = append(dst, "_count="...)
	dst = strconv.AppendInt(dst, int64(l.count), 10)
	dst = append(dst, "&startIndex="...)
	dst = strconv.AppendInt(dst, int64(start), 10)
	if l.rest != "" {
		dst = append(dst, '&')
		dst = appendEscaped(dst, l.rest)
	}
	return append(dst, `"}`...)
}

// bundleID is a deterministic Bundle.id for a search: a hash of the member
// and the normalised query, shaped like the docs' UUIDs.
func bundleID(member, typ, rest string, count, start int) string {
	h := sha256.New()
	for _, s := range []string{member, typ, rest, strconv.Itoa(count), strconv.Itoa(start)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var sum [32]byte
	h.Sum(sum[:0])
	x := hex.EncodeToString(sum[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// appendBundle appends the searchset Bundle of p (R4 Bundle, searchset):
// id, meta.lastUpdated, total (of the matches only), links self, first,
// previous and next where they exist, last, one entry per match with
// fullUrl ({fhirBase}{Type}/{id}) and search.mode "match", then one per
// included resource of m with search.mode "include". Resources are spliced
// as the generator rendered them.
func appendBundle(dst []byte, id, fhirBase string, l *links, start int, p *page, m *generator.Member) []byte {
	dst = append(dst, `{"resourceType":"Bundle","id":"`...)
	dst = append(dst, id...)
	dst = append(dst, `","meta":{"lastUpdated":`...)
	newest := p.newest
	if p.total == 0 {
		// Fixed, so the same search gives the same bytes: the docs' first
		// day that _lastUpdated can be trusted.
		newest = time.Date(2020, 2, 12, 0, 0, 0, 0, time.UTC)
	}
	dst = appendInstant(dst, newest)
	dst = append(dst, `},"type":"searchset","total":`...)
	dst = strconv.AppendInt(dst, int64(p.total), 10)
	dst = append(dst, `,"link":[`...)
	dst = l.append(dst, "self", start)
	dst = append(dst, ',')
	dst = l.append(dst, "first", 0)
	last := 0
	if l.count > 0 && p.total > 0 {
		last = (p.total - 1) / l.count * l.count
	}
	if l.count > 0 && start > 0 {
		dst = append(dst, ',')
		dst = l.append(dst, "previous", min(max(start-l.count, 0), last))
	}
	if l.count > 0 && start+l.count < p.total {
		dst = append(dst, ',')
		dst = l.append(dst, "next", start+l.count)
	}
	dst = append(dst, ',')
	dst = l.append(dst, "last", last)
	dst = append(dst, ']')
	if p.n > 0 {
		// The base is escaped once for every fullUrl of the page.
		var room [128]byte
		base := appendEscaped(room[:0], fhirBase)
		dst = append(dst, `,"entry":[`...)
		for i, r := range p.entries[:p.n] {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendEntry(dst, base, r, `,"search":{"mode":"match"}}`)
		}
		for _, at := range p.included[:p.nIncluded] {
			dst = append(dst, ',')
			dst = appendEntry(dst, base, &m.Resources[at], `,"search":{"mode":"include"}}`)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendEntry appends one Bundle.entry of r, its fullUrl under base (JSON
// escaped already); tail closes it with its search.
func appendEntry(dst, base []byte, r *generator.Resource, tail string) []byte {
	dst = append(dst, `{"fullUrl":`...)
	dst = append(dst, '"')
	dst = append(dst, base...)
	dst = appendEscaped(dst, r.Type)
	dst = append(dst, '/')
	dst = appendEscaped(dst, r.ID)
	dst = append(dst, '"')
	dst = append(dst, `,"resource":`...)
	dst = append(dst, r.JSON...)
	return append(dst, tail...)
}
