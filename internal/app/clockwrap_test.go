package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestClockNeverRunsBackward advances the sandbox clock by ten years forty
// times through the control API. The clock only moves forward (a clock
// sent back would revive spent codes and expired tokens), so once the cap
// is reached further advances are refused with 400, and every reading is
// at least the one before. Without the cap the int64 offset wrapped after
// 29 advances and the clock read 1742.
func TestClockNeverRunsBackward(t *testing.T) {
	a := startSandbox(t, sandboxOptions{}).app
	var last time.Time
	refused := 0
	for i := 0; i < 40; i++ {
		rec := serve(a.handler, newRequest(http.MethodPost, "/sandbox/clock", "application/json", strings.NewReader(`{"advance": "87600h"}`)))
		switch rec.Code {
		case http.StatusOK:
			if refused > 0 {
				t.Fatalf("advance %d accepted after one was refused", i)
			}
		case http.StatusBadRequest:
			refused++
			if msg := checkContract(http.MethodPost, "/sandbox/clock", rec); msg != "" {
				t.Fatal(msg)
			}
		default:
			t.Fatalf("advance %d: %d %s", i, rec.Code, rec.Body)
		}
		rec = serve(a.handler, newRequest(http.MethodGet, "/sandbox/clock", "", nil))
		var c struct{ Now string }
		json.Unmarshal(rec.Body.Bytes(), &c)
		now, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			t.Fatalf("clock reads %s", rec.Body)
		}
		if now.Before(last) {
			t.Fatalf("after advance %d the clock went back from %v to %v", i, last, now)
		}
		last = now
	}
	if refused == 0 {
		t.Error("four hundred years of advances were all accepted")
	}
	if rec := serve(a.handler, newRequest(http.MethodPost, "/sandbox/reset", "", nil)); rec.Code != http.StatusOK {
		t.Fatalf("reset: %d", rec.Code)
	}
	if rec := serve(a.handler, newRequest(http.MethodPost, "/sandbox/clock", "application/json", strings.NewReader(`{"advance": "1h"}`))); rec.Code != http.StatusOK {
		t.Errorf("after reset an advance: %d %s", rec.Code, rec.Body)
	}
}
