package oauth

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestErrorRedirect(t *testing.T) {
	s := newServer(t, nil)
	r := httptest.NewRequest("GET", IssuerPath+"/authorize?client_id="+docsClientID+"&redirect_uri="+url.QueryEscape(docsRedirect)+"&state=s1", nil)
	loc, ok := s.ErrorRedirect(r, "server_error", "injected")
	if !ok {
		t.Fatal("a registered client was refused")
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	if q.Get("error") != "server_error" || q.Get("state") != "s1" || q.Get("iss") == "" || u.Scheme+"://"+u.Host+u.Path != docsRedirect {
		t.Errorf("redirect %s", loc)
	}
	r = httptest.NewRequest("GET", IssuerPath+"/authorize?client_id="+docsClientID+"&redirect_uri=https://evil.test/cb", nil)
	if loc, ok := s.ErrorRedirect(r, "server_error", "injected"); ok {
		t.Errorf("an unregistered redirect_uri got a redirect to %s", loc)
	}
}
