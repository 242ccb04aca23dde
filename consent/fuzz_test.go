package consent

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// FuzzOpenState feeds arbitrary values to the flow-state opener: it must
// never panic, and what it accepts must be a live, complete flow.
// (Forgeries are TestStateSeal's job: each fuzz worker seals its own seed
// with a fresh nonce, so "only the seed opens" cannot be asserted here.)
func FuzzOpenState(f *testing.F) {
	sl, err := newSealer(testKey)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	good, err := sl.seal(state{ID: "id", Browser: "b", Handle: "h", Step: stepLogin, Expires: now.Add(time.Hour).Unix()})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Add(good[:len(good)-2])
	f.Fuzz(func(t *testing.T, value string) {
		st, err := sl.open(value, now)
		if err == nil && (st.ID == "" || st.Browser == "" || st.Handle == "" || !now.Before(time.Unix(st.Expires, 0))) {
			t.Errorf("opened %q into an unusable flow %+v", value, st)
		}
	})
}

// FuzzStep posts arbitrary forms and cookies through the router: every
// answer is a 4xx page with the security headers, and nothing reaches
// Finish, since no fuzzed input can carry a valid sealed state, browser
// cookie and CSRF token together.
func FuzzStep(f *testing.F) {
	flow := newFakeFlow()
	clock := newFakeClock()
	s, err := New(Config{Flow: flow, Authenticate: testAuthenticate, Key: testKey, Now: clock.Now, ResourceWords: testWords})
	if err != nil {
		f.Fatal(err)
	}
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	s.Register(e.Group(issuerPath))
	sealed, err := s.sealer.seal(state{ID: "id", Browser: "b", Handle: "h1", Step: stepConsent, Username: "BCNCUser03", Expires: clock.Now().Add(time.Hour).Unix()})
	if err != nil {
		f.Fatal(err)
	}
	browser, err := s.sealer.sealBrowser("b")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("application/x-www-form-urlencoded", "flow="+sealed+"&step=consent&csrf=x&decision=agree&share=all", browser)
	f.Add("application/x-www-form-urlencoded", "step=login&username=BCNCUser03&password=BCNCPSWD03", "")
	f.Add("multipart/form-data; boundary=x", "--x\r\n", "garbage")
	f.Add("application/x-www-form-urlencoded", "flow="+sealed[:20]+"&step=%zz&&&=", browser)
	f.Add("application/x-www-form-urlencoded", "flow="+browser+"&step=consent&csrf=x", sealed)
	f.Fuzz(func(t *testing.T, contentType, body, cookie string) {
		req := httptest.NewRequest(http.MethodPost, issuerPath+StartPath, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if cookie != "" {
			req.Header.Set("Cookie", cookieName+"="+cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("status %d for body %q cookie %q", rec.Code, body, cookie)
		}
		if rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Error("no security headers")
		}
		if calls := flow.calls(); len(calls) != 0 {
			t.Fatalf("Finish reached: %+v", calls)
		}
	})
}
