package oauth

import "testing"

func TestOpenedTokensBounded(t *testing.T) {
	o := newOpenedTokens(3)
	for _, raw := range []string{"a", "b", "c", "d"} {
		o.put(raw, &token{ID: raw})
	}
	if len(o.byRaw) > 3 {
		t.Fatalf("holds %d tokens, more than its bound 3", len(o.byRaw))
	}
	if got, ok := o.get("d"); !ok || got.ID != "d" {
		t.Errorf("the newest token is gone: %v %v", got, ok)
	}
	if _, ok := o.get("nope"); ok {
		t.Error("an unknown token was found")
	}
}
