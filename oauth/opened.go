package oauth

import "sync"

// openedTokensMax bounds the opened access tokens kept in memory.
const openedTokensMax = 4096

// openedTokens remembers access tokens already opened, so that a client
// reading page after page with one token pays for AES-GCM and JSON once.
// A sealed token never changes, so what it opened to stays true; expiry and
// revocation are still checked on every use. When full it starts over,
// which keeps memory bounded without bookkeeping on the hot path. The
// tokens are shared by every lookup: never modify one.
type openedTokens struct {
	mu     sync.Mutex // guards byRaw
	byRaw  map[string]*token
	maxLen int
}

func newOpenedTokens(maxLen int) *openedTokens {
	return &openedTokens{byRaw: make(map[string]*token, 64), maxLen: maxLen}
}

func (o *openedTokens) get(raw string) (*token, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.byRaw[raw]
	return t, ok
}

func (o *openedTokens) put(raw string, t *token) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.byRaw) >= o.maxLen {
		clear(o.byRaw)
	}
	o.byRaw[raw] = t
}
