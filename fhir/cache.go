package fhir

import (
	"container/list"
	"sync"
)

// defaultCacheBytes bounds the rendered pages kept in memory: about 130
// ten-claim pages, small beside the 64 MB the whole server aims at.
const defaultCacheBytes = 8 << 20

// pageCache keeps rendered search pages by pageKey: members are
// deterministic, so a page's bytes only change when a member is edited, and
// API.Invalidate drops them then. It evicts the least recently used pages
// past its byte budget, which counts keys as well as pages: a key holds a
// query string, and a client may send long ones.
type pageCache struct {
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

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{max: maxBytes, lru: list.New(), byKey: make(map[string]*list.Element)}
}

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

// put caches body under key; a page bigger than a sixteenth of the budget is
// not kept, so one huge page cannot flush the rest.
func (c *pageCache) put(key, member string, body []byte) {
	if len(key)+len(body) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	c.byKey[key] = c.lru.PushFront(&cachedPage{key, member, body})
	c.size += len(key) + len(body)
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

// invalidate drops every page of member.
func (c *pageCache) invalidate(member string) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
