package fhir

import (
	"container/list"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// defaultCacheBytes bounds the rendered pages kept in memory: about 130
// ten-claim pages, small beside the 64 MB the whole server aims at.
const defaultCacheBytes = 8 << 20

// generationSlots is how many edit counters the cache keeps. Members share
// them by a hash of their id: a fixed 2 KiB however many members are edited.
// Two members sharing a counter only means an edit of one skips a page
// fill of the other.
const generationSlots = 256

// pageCache keeps rendered search pages by the key appendPageKey builds: members are
// deterministic, so a page's bytes only change when a member is edited, and
// API.Invalidate drops them then. It evicts the least recently used pages
// past its byte budget, which counts keys as well as pages: a key holds a
// query string, and a client may send long ones.
//
// A search reads the member's generation before it reads the member, and
// puts its page with that generation; invalidate bumps the generation. A
// page rendered from the member as it was before an edit therefore never
// enters the cache after the edit's invalidate has emptied it.
type pageCache struct {
	seed        maphash.Seed
	generations [generationSlots]atomic.Uint64 // edits seen, by slotOf(member); bumped under mu

	mu    sync.Mutex // guards every field below
	max   int
	size  int
	lru   *list.List // of *cachedPage, most recently used first
	byKey map[string]*list.Element
}

type cachedPage struct {
	key, member string
	body        []byte
}

// PageCache is a cache of rendered search pages that several APIs may share
// (Config.Pages): they then share its byte budget, and an API's Invalidate
// drops the member's pages of all of them, which costs the others only a
// render.
type PageCache = pageCache

// NewPageCache returns a cache of at most maxBytes of pages and keys.
func NewPageCache(maxBytes int) *PageCache { return newPageCache(maxBytes) }

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{seed: maphash.MakeSeed(), max: maxBytes, lru: list.New(), byKey: make(map[string]*list.Element)}
}

// slotOf is the generation counter member uses.
func (c *pageCache) slotOf(member string) *atomic.Uint64 {
	return &c.generations[maphash.String(c.seed, member)%generationSlots]
}

// generation is member's edit count now; read it before reading the
// member, and hand it to put with the page rendered from what was read.
func (c *pageCache) generation(member string) uint64 { return c.slotOf(member).Load() }

// get returns the page cached under key. The bytes are shared: never modify.
func (c *pageCache) get(key []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[string(key)] // the compiler looks this up without a copy
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedPage).body, true
}

// put caches body, rendered from member at generation gen, under key,
// unless the member was edited since gen. A page bigger than a sixteenth of
// the budget is not kept, so one huge page cannot flush the rest.
func (c *pageCache) put(key, member string, gen uint64, body []byte) {
	if len(key)+len(body) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation(member) != gen {
		return // rendered from the member before an edit: stale already
	}
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	c.byKey[key] = c.lru.PushFront(&cachedPage{key, member, body})
	c.size += len(key) + len(body)
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// invalidate drops every page of member and refuses the pages of
// searches that read it before now.
func (c *pageCache) invalidate(member string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slotOf(member).Add(1)
	for e := c.lru.Front(); e != nil; {
		next := e.Next()
		if e.Value.(*cachedPage).member == member {
			c.remove(e)
		}
		e = next
	}
}

// remove drops e; c.mu must be held.
func (c *pageCache) remove(e *list.Element) {
	p := c.lru.Remove(e).(*cachedPage)
	delete(c.byKey, p.key)
	c.size -= len(p.key) + len(p.body)
}
