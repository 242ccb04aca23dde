package app

import (
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// TestConsentPostedTwice: a member who double-clicks I Agree, or goes Back
// and presses it again, sends the last step twice with the same form. One post finishes the flow (a
// redirect back to the app with a code); the other is told the page is out
// of date, never a 500.
func TestConsentPostedTwice(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	for trial := range 20 {
		b := sb.newBrowser(t)
		p := b.get(docsAuthorizeURL(sb.URL))
		p = b.submit(p, nil, nil, "I Understand")
		p = b.submit(p, map[string]string{"username": "BCNCUser03", "password": "BCNCPSWD03"}, nil, "Log In")
		p = b.submit(p, nil, []string{"Self"}, "Next")
		f := p.postForm(t)
		values := url.Values{}
		for _, fd := range f.Fields {
			if (fd.Type != "radio" && fd.Type != "checkbox") || fd.Checked {
				values.Add(fd.Name, fd.Value)
			}
		}
		agree, ok := f.button("I Agree")
		if !ok {
			t.Fatalf("no I Agree button:\n%s", p.Body)
		}
		values.Set(agree.Name, agree.Value)
		action, err := p.URL.Parse(f.Action)
		if err != nil {
			t.Fatal(err)
		}
		// The second post comes at once (a double click) or after the first
		// answered (Back, then I Agree again), with the cookies of the page.
		saved := b.client.Jar.Cookies(action)
		var answers [2]page
		if trial%2 == 0 {
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() { answers[i] = b.do(http.MethodPost, action.String(), values) })
			}
			wg.Wait()
		} else {
			answers[0] = b.do(http.MethodPost, action.String(), values)
			b.client.Jar.SetCookies(action, saved)
			answers[1] = b.do(http.MethodPost, action.String(), values)
		}
		finished := 0
		for _, a := range answers {
			switch {
			case a.Status == http.StatusSeeOther:
				finished++
			case a.Status != http.StatusBadRequest:
				t.Fatalf("trial %d: a second I Agree answered %d, want 400:\n%s", trial, a.Status, a.Body)
			}
		}
		if finished != 1 {
			t.Fatalf("trial %d: %d posts finished the flow, want exactly 1 (statuses %d, %d)", trial, finished, answers[0].Status, answers[1].Status)
		}
	}
}
