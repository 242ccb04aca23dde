package consent

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// These tests try every way around the step order and the CSRF binding;
// none may reach Flow.Finish.

func noFinish(t *testing.T, h *harness) {
	t.Helper()
	if calls := h.flow.calls(); len(calls) != 0 {
		t.Errorf("Finish called: %+v", calls)
	}
}

func TestCSRF(t *testing.T) {
	otherCSRF, err := newCSRF([]byte("another key, another sandbox...."))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		csrf func(h *harness, id string) []string
	}{
		{"missing", func(*harness, string) []string { return nil }},
		{"empty", func(*harness, string) []string { return []string{""} }},
		{"wrong", func(*harness, string) []string { return []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} }},
		{"another step's", func(h *harness, id string) []string { return []string{h.screens.csrf.token(id, stepDisclaimer)} }},
		{"another flow's", func(h *harness, _ string) []string { return []string{h.screens.csrf.token("other-flow", stepLogin)} }},
		{"another key's", func(_ *harness, id string) []string {
			return []string{otherCSRF.token(id, stepLogin)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			p := atLogin(t, b)
			st := h.openState(t, p)
			action, v := p.form(t)
			v.Set("username", "BCNCUser03")
			v.Set("password", "BCNCPSWD03")
			v["csrf"] = tt.csrf(h, st.ID)
			b.postForm(action, v).mustBe(t, http.StatusForbidden, "This form has expired")
			// The real form still works: the refusal changed nothing.
			login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusOK, "Personal Representative")
			noFinish(t, h)
		})
	}
}

// openState reads the flow state sealed in p's form.
func (h *harness) openState(t *testing.T, p *page) state {
	t.Helper()
	_, v := p.form(t)
	st, err := h.screens.sealer.open(v.Get(flowField), h.clock.Now())
	if err != nil {
		t.Fatalf("opening the form's flow state: %v", err)
	}
	return st
}

// Skipping to the consent post, even with a CSRF token minted for that step
// and this flow, is refused: the state says the flow is at the disclaimer.
func TestSkipStep(t *testing.T) {
	for _, at := range []string{stepDisclaimer, stepLogin} {
		t.Run("from "+at, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			p := b.start("h1")
			if at == stepLogin {
				p = b.submit(p, nil)
			}
			st := h.openState(t, p)
			if st.Step != at {
				t.Fatalf("flow at %q, want %q", st.Step, at)
			}
			action, v := p.form(t)
			forged := url.Values{
				flowField:  {v.Get(flowField)},
				"step":     {stepConsent},
				"csrf":     {h.screens.csrf.token(st.ID, stepConsent)},
				"decision": {"agree"}, "share": {"all"},
			}
			b.postForm(action, forged).mustBe(t, http.StatusBadRequest, "out of date")
			forged.Set("step", stepRelation)
			forged.Set("csrf", h.screens.csrf.token(st.ID, stepRelation))
			forged.Set("who", "self")
			b.postForm(action, forged).mustBe(t, http.StatusBadRequest, "out of date")
			noFinish(t, h)
		})
	}
}

// Posting an earlier step's form again (the back button, or a replay) is
// refused once the flow has moved on.
func TestReplayEarlierStep(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	disclaimer := b.start("h1")
	loginPage := b.submit(disclaimer, nil)
	relation := login(b, loginPage, "BCNCUser03", "BCNCPSWD03")
	relation.mustBe(t, http.StatusOK, "Personal Representative")
	b.submit(disclaimer, nil).mustBe(t, http.StatusBadRequest, "out of date")
	login(b, loginPage, "BCNCUser04", "BCNCPSWD04").mustBe(t, http.StatusBadRequest, "out of date")
	// The flow still belongs to BCNCUser03, and goes on.
	if st := h.openState(t, relation); st.Username != "BCNCUser03" || st.Step != stepRelation {
		t.Errorf("state %+v, want BCNCUser03 at %s", st, stepRelation)
	}
	b.submit(relation, url.Values{"who": {"self"}}).mustBe(t, http.StatusOK, "I Agree")
}

// After Finish the flow is over: its consent form, posted again with either
// decision, is refused and cannot finish it twice.
func TestReplayConsentAfterFinish(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := b.start("h1")
	p = b.submit(p, nil)
	p = login(b, p, "BCNCUser03", "BCNCPSWD03")
	consentPage := b.submit(p, url.Values{"who": {"self"}})
	if got := b.submit(consentPage, url.Values{"decision": {"agree"}}); got.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", got.Status)
	}
	b.submit(consentPage, url.Values{"decision": {"agree"}}).mustBe(t, http.StatusBadRequest, "Your sign-in has ended")
	b.submit(consentPage, url.Values{"decision": {"deny"}}).mustBe(t, http.StatusBadRequest, "Your sign-in has ended")
	if calls := h.flow.calls(); len(calls) != 1 {
		t.Errorf("Finish called %d times, want once", len(calls))
	}
}

// A second browser cannot post the first one's forms: with its own cookie
// the CSRF token does not match its flow; with no cookie there is no flow.
func TestSecondBrowser(t *testing.T) {
	h := newHarness(t, Config{})
	victim := newBrowser(t, h.srv.URL)
	p := atLogin(t, victim)
	action, v := p.form(t)
	v.Set("username", "BCNCUser03")
	v.Set("password", "BCNCPSWD03")

	attacker := newBrowser(t, h.srv.URL)
	atLogin(t, attacker) // a flow of its own, at the same step
	attacker.postForm(action, v).mustBe(t, http.StatusForbidden, "This form has expired")

	stranger := newBrowser(t, h.srv.URL)
	stranger.postForm(action, v).mustBe(t, http.StatusBadRequest, "Your sign-in has ended")

	// The victim's own post still works.
	victim.postForm(action, v).mustBe(t, http.StatusOK, "Personal Representative")
	noFinish(t, h)
}

// A flow started on one replica continues on another built with the same
// key, and fails on one with another key.
func TestScaleOut(t *testing.T) {
	a := newHarness(t, Config{})
	b := newHarness(t, Config{Flow: a.flow, Now: a.clock.Now})
	other := newHarness(t, Config{Flow: a.flow, Now: a.clock.Now, Key: []byte("another key, another sandbox....")})

	br := newBrowser(t, a.srv.URL)
	p := atLogin(t, br)
	p = login(br, p, "BCNCUser03", "BCNCPSWD03")
	action, v := p.form(t)
	v.Set("who", "self")

	// The cookie jar sends the cookie to every port of 127.0.0.1 (cookies
	// ignore ports, RFC 6265 §8.5), as a load balancer's one host would.
	other.post(t, br, action, v).mustBe(t, http.StatusBadRequest, "Your sign-in has ended")
	p = b.post(t, br, action, v)
	p.mustBe(t, http.StatusOK, "I Agree")
	action, v = p.form(t)
	v.Set("decision", "agree")
	if got := a.post(t, br, action, v); got.Status != http.StatusSeeOther {
		t.Fatalf("finishing on the first replica: status %d", got.Status)
	}
	if calls := a.flow.calls(); len(calls) != 1 || calls[0].Decision.Username != "BCNCUser03" {
		t.Errorf("Finish calls %+v, want one for BCNCUser03", calls)
	}
}

// post sends a form through br to this harness's server.
func (h *harness) post(t *testing.T, br *browser, action string, v url.Values) *page {
	t.Helper()
	saved := br.base
	br.base = h.srv.URL
	defer func() { br.base = saved }()
	return br.postForm(action, v)
}

func TestStartWithoutHandle(t *testing.T) {
	h := newHarness(t, Config{})
	for name, path := range map[string]string{
		"no handle":       issuerPath + StartPath,
		"empty handle":    issuerPath + StartPath + "?request=",
		"unknown handle":  issuerPath + StartPath + "?request=forged",
		"oversize handle": issuerPath + StartPath + "?request=" + strings.Repeat("h", maxHandleLen+1),
	} {
		t.Run(name, func(t *testing.T) {
			b := newBrowser(t, h.srv.URL)
			p := b.get(path)
			p.mustBe(t, http.StatusBadRequest, "Start from your app")
			if !strings.Contains(strings.ToUpper(p.Body), "DO NOT ACCESS THIS PAGE DIRECTLY") {
				t.Error("the page does not echo the docs' warning")
			}
			if b.cookie() != nil {
				t.Error("a step cookie was set without a request")
			}
		})
	}
}

func TestGarbledPosts(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	action, v := p.form(t)
	post := func(contentType, body string) *page {
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+action, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		return b.do(req)
	}
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"unknown step", "application/x-www-form-urlencoded", "step=payment&csrf=" + v.Get("csrf"), http.StatusBadRequest},
		{"no step", "application/x-www-form-urlencoded", "csrf=" + v.Get("csrf"), http.StatusBadRequest},
		{"bad escape", "application/x-www-form-urlencoded", "step=%zz", http.StatusBadRequest},
		{"json", "application/json", `{"step":"login"}`, http.StatusBadRequest},
		{"oversized", "application/x-www-form-urlencoded", v.Encode() + "&pad=" + strings.Repeat("x", maxFormBytes), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post(tt.contentType, tt.body); got.Status != tt.status {
				t.Errorf("status %d, want %d; body:\n%s", got.Status, tt.status, got.Body)
			}
		})
	}
	noFinish(t, h)
}

func TestFlowExpires(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	h.clock.Advance(flowLifetime)
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusBadRequest, "Your sign-in has ended")
}

// A handle the server no longer describes (expired, say) ends the flow.
func TestHandleGoneMidFlow(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := atLogin(t, b)
	h.flow.revoke("h1")
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusBadRequest, "Start from your app")
	login(b, p, "BCNCUser03", "BCNCPSWD03").mustBe(t, http.StatusBadRequest, "Start from your app")
	if len(h.flow.calls()) != 0 {
		t.Error("a dead handle's flow reached Finish")
	}
}

func TestFinishError(t *testing.T) {
	h := newHarness(t, Config{})
	h.flow.finishErr = errors.New("store down")
	b := newBrowser(t, h.srv.URL)
	p := b.walk("h1", selfAgree())
	p.mustBe(t, http.StatusInternalServerError, "Something went wrong")
	if p.Header.Get("Location") != "" {
		t.Error("redirected after a failed Finish")
	}
}

func TestNewChecksConfig(t *testing.T) {
	flow := newFakeFlow()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no flow", Config{Authenticate: testAuthenticate, Key: testKey, ResourceWords: testWords}},
		{"no authenticator", Config{Flow: flow, Key: testKey, ResourceWords: testWords}},
		{"no key", Config{Flow: flow, Authenticate: testAuthenticate, ResourceWords: testWords}},
		{"short key", Config{Flow: flow, Authenticate: testAuthenticate, Key: testKey[:16], ResourceWords: testWords}},
		{"no resource words", Config{Flow: flow, Authenticate: testAuthenticate, Key: testKey}},
		{"a type without words", Config{Flow: flow, Authenticate: testAuthenticate, Key: testKey, ResourceWords: map[string]string{"Patient": " "}}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	if _, err := New(Config{Flow: flow, Authenticate: testAuthenticate, Key: testKey, ResourceWords: testWords}); err != nil {
		t.Errorf("minimal config: %v", err)
	}
}

func TestStateSeal(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sl, err := newSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	st := state{ID: "id", Browser: "b", Handle: "h", Step: stepRelation, Username: "u", Representative: &Representative{Relationship: RelOther, OtherRelationship: "Aunt", FullName: "A B"}, Expires: now.Add(time.Minute).Unix()}
	sealed, err := sl.seal(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sl.open(sealed, now)
	if err != nil || got.ID != st.ID || *got.Representative != *st.Representative || got.Step != st.Step {
		t.Fatalf("open = %+v, %v; want %+v", got, err, st)
	}
	if again, _ := sl.seal(st); again == sealed {
		t.Error("two seals of one state are equal: nonce reused")
	}
	flipped := []byte(sealed)
	flipped[len(flipped)/2] ^= 1
	browserSealed, err := sl.sealBrowser("id")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sl.openBrowser(sealed); !errors.Is(err, errNoFlow) {
		t.Errorf("a flow state opened as a browser cookie: %v", err)
	}
	other, err := newSealer([]byte("another key, another sandbox...."))
	if err != nil {
		t.Fatal(err)
	}
	for name, try := range map[string]func() (state, error){
		"tampered":         func() (state, error) { return sl.open(string(flipped), now) },
		"truncated":        func() (state, error) { return sl.open(sealed[:10], now) },
		"expired":          func() (state, error) { return sl.open(sealed, now.Add(time.Minute)) },
		"other key":        func() (state, error) { return other.open(sealed, now) },
		"empty":            func() (state, error) { return sl.open("", now) },
		"a browser cookie": func() (state, error) { return sl.open(browserSealed, now) },
		"no browser": func() (state, error) {
			s, _ := sl.seal(state{ID: "id", Handle: "h", Step: stepLogin, Expires: now.Add(time.Minute).Unix()})
			return sl.open(s, now)
		},
		"oversized": func() (state, error) { return sl.open(strings.Repeat("A", maxStateLen+1), now) },
	} {
		if _, err := try(); !errors.Is(err, errNoFlow) {
			t.Errorf("%s: err %v, want errNoFlow", name, err)
		}
	}
}
