package consent

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestWalkSelfAgree(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := b.walk("h1", selfAgree())

	if p.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body:\n%s", p.Status, p.Body)
	}
	if got, want := p.Header.Get("Location"), "https://app.example/cb?code=code-h1&state=s-h1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	want := []finishCall{{"h1", Decision{Approved: true, Username: "BCNCUser03", SharePersonal: true}}}
	if got := h.flow.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("Finish calls %+v, want %+v", got, want)
	}
	if c := b.cookie(); c == nil {
		t.Error("the browser cookie was dropped at Finish: the browser's other flows would end with this one")
	}
}

func TestWalkRepresentative(t *testing.T) {
	tests := []struct {
		name string
		set3 url.Values
		want Representative
	}{
		{"parent", url.Values{"relationship": {RelParent}, "full_name": {"Pat Doe"}},
			Representative{Relationship: RelParent, FullName: "Pat Doe"}},
		{"power of attorney", url.Values{"relationship": {RelPOA}, "full_name": {"  Sam Roe  "}},
			Representative{Relationship: RelPOA, FullName: "Sam Roe"}},
		{"guardian", url.Values{"relationship": {RelGuardian}, "full_name": {"Lee Poe"}},
			Representative{Relationship: RelGuardian, FullName: "Lee Poe"}},
		{"other", url.Values{"relationship": {RelOther}, "full_name": {"Kim Moe"}, "other_relationship": {"Aunt"}},
			Representative{Relationship: RelOther, FullName: "Kim Moe", OtherRelationship: "Aunt"}},
		// The other-relationship text is dropped unless Other was chosen.
		{"text without other", url.Values{"relationship": {RelParent}, "full_name": {"Pat Doe"}, "other_relationship": {"ignored"}},
			Representative{Relationship: RelParent, FullName: "Pat Doe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			a := selfAgree()
			a.Set3 = tt.set3
			a.Set3.Set("who", "representative")
			p := b.walk("h1", a)
			if p.Status != http.StatusSeeOther {
				t.Fatalf("status %d, want 303; body:\n%s", p.Status, p.Body)
			}
			calls := h.flow.calls()
			if len(calls) != 1 || calls[0].Decision.Representative == nil {
				t.Fatalf("Finish calls %+v, want one with a representative", calls)
			}
			if got := *calls[0].Decision.Representative; got != tt.want {
				t.Errorf("Representative %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRepresentativeShownOnConsent(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := b.start("h1")
	p = b.submit(p, nil)
	p = b.submit(p, url.Values{"username": {"BCNCUser04"}, "password": {"BCNCPSWD04"}})
	p = b.submit(p, url.Values{"who": {"representative"}, "relationship": {RelPOA}, "full_name": {"Sam Roe"}})
	p.mustBe(t, http.StatusOK, "Sam Roe")
	p.mustBe(t, http.StatusOK, "Active healthcare power of attorney")
	p.mustBe(t, http.StatusOK, "BCNCUser04")
}

func TestDeny(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	a := selfAgree()
	a.Set4 = url.Values{"decision": {"deny"}}
	p := b.walk("h1", a)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", p.Status)
	}
	if got, want := p.Header.Get("Location"), "https://app.example/cb?error=access_denied&state=s-h1"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	calls := h.flow.calls()
	if len(calls) != 1 || calls[0].Decision.Approved || calls[0].Decision.Username != "BCNCUser03" {
		t.Errorf("Finish calls %+v, want one denial by BCNCUser03", calls)
	}
}

func TestShareHealthNotPersonal(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	a := selfAgree()
	a.Set4 = url.Values{"decision": {"agree"}, "share": {"health"}}
	if p := b.walk("h1", a); p.Status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", p.Status)
	}
	calls := h.flow.calls()
	if len(calls) != 1 || !calls[0].Decision.Approved || calls[0].Decision.SharePersonal {
		t.Errorf("Finish calls %+v, want one approval with SharePersonal false", calls)
	}
}

// The consent page offers "share all" checked by default, as the docs say.
func TestShareAllIsDefault(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := b.start("h1")
	p = b.submit(p, nil)
	p = b.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
	p = b.submit(p, url.Values{"who": {"self"}})
	_, v := p.form(t)
	if got := v.Get("share"); got != "all" {
		t.Errorf("default share %q, want all", got)
	}
}

func TestConsentDescribesScopes(t *testing.T) {
	h := newHarness(t, Config{})
	b := newBrowser(t, h.srv.URL)
	p := b.start("h1")
	p = b.submit(p, nil)
	p = b.submit(p, url.Values{"username": {"BCNCUser03"}, "password": {"BCNCPSWD03"}})
	p = b.submit(p, url.Values{"who": {"self"}})
	for _, want := range h.screens.describeScopes([]string{"openid", "profile", "patient/*.read", "offline_access"}, "") {
		p.mustBe(t, http.StatusOK, want)
	}
	p.mustBe(t, http.StatusOK, "Test App")
	p.mustBe(t, http.StatusOK, "Authorization / Consent")
}

func TestConsentChoiceRequired(t *testing.T) {
	tests := []struct {
		name string
		set  url.Values
	}{
		{"no decision", url.Values{"decision": {""}}},
		{"unknown decision", url.Values{"decision": {"maybe"}}},
		{"unknown decision keeps the choice", url.Values{"decision": {"maybe"}, "share": {"health"}}},
		{"agree without share", url.Values{"decision": {"agree"}, "share": {""}}},
		{"agree with unknown share", url.Values{"decision": {"agree"}, "share": {"some"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			b := newBrowser(t, h.srv.URL)
			a := selfAgree()
			a.Set4 = tt.set
			p := b.walk("h1", a)
			p.mustBe(t, http.StatusUnprocessableEntity, `role="alert"`)
			p.mustBe(t, http.StatusUnprocessableEntity, "I Agree")
			if calls := h.flow.calls(); len(calls) != 0 {
				t.Errorf("Finish called: %+v", calls)
			}
			// The member's choice is kept; the default otherwise.
			wantShare := "all"
			if tt.set.Get("share") == "health" {
				wantShare = "health"
			}
			if _, v := p.form(t); v.Get("share") != wantShare {
				t.Errorf("share %q after the error, want %q", v.Get("share"), wantShare)
			}
			// The flow is still at consent: a proper answer finishes it.
			if p = b.submit(p, url.Values{"decision": {"agree"}, "share": {"all"}}); p.Status != http.StatusSeeOther {
				t.Errorf("after the error, status %d, want 303", p.Status)
			}
		})
	}
}
