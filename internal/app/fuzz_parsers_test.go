package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzBearer fuzzes the Authorization header of the two bearer-token
// parsers: the FHIR API's (a Patient read) and the authorization server's
// (userinfo). "$TOKEN" in the input becomes a live access token. Neither
// may accept a header unless it is the live token verbatim behind the
// Bearer scheme (any case, RFC 9110 §11.1) and blanks (RFC 6750 §2.1): a
// mutated, truncated or padded token is 401, in the path's error shape,
// with WWW-Authenticate: Bearer. Seeds: testdata/fuzz/FuzzBearer.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{
		"Bearer $TOKEN", "bearer $TOKEN", "BEARER  $TOKEN", "Bearer", "Bearer ", "Bearer  x", "Basic !!!",
		"Bearer $TOKEN=", "Bearer $TOKENx", "Bearer x$TOKEN", "Bearer $TOKEN $TOKEN", "Bearer\t$TOKEN",
		"Bearer " + strings.Repeat("A", 10<<10), "Bearer =====", "Bearer a.b.c", "Token $TOKEN", "Bearer $TOKEN\x00",
	} {
		f.Add(s)
	}
	a := startSandbox(f, sandboxOptions{}).app
	// Tokens from an --auto-approve replica with the same signing key: the
	// fuzzed sandbox accepts them and keeps its screens.
	live := startSandbox(f, sandboxOptions{AutoApprove: "BCNCUser03"}).approvedTokens(f, "BCNCUser03")
	f.Fuzz(func(t *testing.T, auth string) {
		auth = strings.ReplaceAll(auth, "$TOKEN", live.AccessToken)
		genuine := strings.Contains(auth, live.AccessToken) &&
			strings.EqualFold(strings.TrimSpace(strings.Replace(auth, live.AccessToken, "", 1)), "bearer")
		for _, path := range []string{fhirPath + "/Patient/" + live.Patient, "/v1/connect/userinfo"} {
			req, ok := rawRequest(http.MethodGet, path, "localhost", auth, "", "", "", nil)
			if !ok {
				return // net/http would refuse the header before any handler
			}
			rec := serve(a.handler, req)
			if msg := checkContract(req.Method, path, rec); msg != "" {
				t.Fatalf("%s with %q: %s: %d %s", path, auth, msg, rec.Code, rec.Body)
			}
			switch {
			case rec.Code == http.StatusOK && !genuine:
				t.Fatalf("%s accepted the forged header %q", path, auth)
			case rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized:
				t.Fatalf("%s with %q: %d, want 200 or 401", path, auth, rec.Code)
			case rec.Code == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"):
				t.Fatalf("%s: a 401 without WWW-Authenticate: Bearer (RFC 6750 §3)", path)
			}
		}
	})
}

// FuzzBasicAuth fuzzes client_secret_basic at the token endpoint (RFC 6749
// §2.3.1: id and secret form-urlencoded, then Basic). The grant is a dead
// code, so an authenticated client gets invalid_grant; the property is
// that only the registered id and secret, decoded as the RFC says,
// authenticate, and every answer is an RFC 6749 §5.2 error.
// Seeds: testdata/fuzz/FuzzBasicAuth.
func FuzzBasicAuth(f *testing.F) {
	enc := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	for _, s := range []struct{ auth, body string }{
		{enc(docsClientID, docsClientSecret), ""},
		{enc(docsClientID, docsClientSecret+"x"), ""},
		{enc(url.QueryEscape(docsClientID), url.QueryEscape(docsClientSecret)), "client_id=" + docsClientID},
		{enc("%zz", "%zz"), ""},
		{enc(clientB.id, url.QueryEscape(clientB.secret)), ""},
		{enc(publicApp.id, ""), ""},
		{"Basic !!!", ""},
		{"basic " + base64.StdEncoding.EncodeToString([]byte(docsClientID+":"+docsClientSecret)), ""},
		{"Basic", "client_id=" + docsClientID + "&client_secret=" + docsClientSecret},
		{enc(docsClientID, docsClientSecret), "client_secret=" + docsClientSecret},
		{enc(docsClientID, docsClientSecret), "client_id=other"},
	} {
		f.Add(s.auth, s.body)
	}
	a := startSandbox(f, sandboxOptions{Clients: true}).app
	secrets := map[string]string{docsClientID: docsClientSecret, clientB.id: clientB.secret, publicApp.id: ""}
	f.Fuzz(func(t *testing.T, auth, extra string) {
		body := "grant_type=authorization_code&code=dead&redirect_uri=" + url.QueryEscape(docsRedir)
		if extra != "" {
			body += "&" + extra
		}
		req, ok := rawRequest(http.MethodPost, issuerPath+"/token", "localhost", auth, formType, "", "", []byte(body))
		if !ok {
			return
		}
		rec := serve(a.handler, req)
		if msg := checkContract(http.MethodPost, issuerPath+"/token", rec); msg != "" {
			t.Fatalf("%q: %s: %d %s", auth, msg, rec.Code, rec.Body)
		}
		var e struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &e)
		id, secret, basic := req.BasicAuth()
		uid, err1 := url.QueryUnescape(id)
		usecret, err2 := url.QueryUnescape(secret)
		want, known := secrets[uid]
		authentic := basic && err1 == nil && err2 == nil && known && usecret == want
		switch {
		case rec.Code == http.StatusOK:
			t.Fatalf("a dead code was exchanged with %q", auth)
		case e.Error == "invalid_grant" && basic && !authentic:
			t.Fatalf("%q (id %q, secret %q) authenticated as a client", auth, uid, usecret)
		case rec.Code == http.StatusUnauthorized && (e.Error != "invalid_client" || rec.Header().Get("WWW-Authenticate") == ""):
			t.Fatalf("a 401 that is not invalid_client with WWW-Authenticate (RFC 6749 §5.2): %s", rec.Body)
		case authentic && extra == "" && e.Error != "invalid_grant":
			t.Fatalf("the registered credentials %q were refused: %s", auth, rec.Body)
		}
	})
}

// FuzzControlBody posts fuzzed JSON to every action of the control API
// that reads a body, resetting the sandbox after each. Each answer is a
// success or a 4xx {"detail": ...}; a fault it accepts is listed, never
// targets the control API, and never has a status outside 4xx/5xx; the
// clock only moves forward. Seeds: testdata/fuzz/FuzzControlBody.
func FuzzControlBody(f *testing.F) {
	for _, s := range []struct {
		action uint8
		body   string
	}{
		{0, `{"path": "/fhirmember/sps/oauth/oauth20/token", "count": 2, "oauth_error": "invalid_grant"}`},
		{0, `{"path": "/fhir/sb/R4/patientaccess/*", "count": 1, "status": 429, "retry_after": 3}`},
		{0, `{"path": "/fhir/sb/R4/patientaccess/ExplanationOfBenefit", "delay_ms": 1500}`},
		{0, `{"path": "/fhir/sb/R4/patientaccess/Patient/*", "malformed": true}`},
		{0, `{"path": "/sandbox/faults", "status": 500}`},
		{0, `{"path": "/x", "status": 200}`},
		{0, `{"path": "/x", "count": -1, "status": 500}`},
		{0, `{"path": "/x", "status": 500, "malformed": true}`},
		{1, `{"advance": "2h"}`},
		{1, `{"advance": "-1h"}`},
		{1, `{"advance": "87600h"}`},
		{2, `{"type": "carrier"}`},
		{3, `{"resourceType": "Patient", "id": "-20140000008325"}`},
		{0, `{"path": "/x"`},
		{1, `[]`},
	} {
		f.Add(s.action, []byte(s.body))
	}
	a := startSandbox(f, sandboxOptions{}).app
	actions := []string{"/sandbox/faults", "/sandbox/clock", "/sandbox/members/-20140000008325/claims", "/sandbox/members/-20140000008325/touch"}
	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		path := actions[int(action)%len(actions)]
		defer serve(a.handler, newRequest(http.MethodPost, "/sandbox/reset", "", nil))
		rec := serve(a.handler, newRequest(http.MethodPost, path, "application/json", strings.NewReader(string(body))))
		if msg := checkContract(http.MethodPost, path, rec); msg != "" {
			t.Fatalf("%s %q: %s: %d %s", path, body, msg, rec.Code, rec.Body)
		}
		switch {
		case rec.Code >= 400:
			return
		case path == "/sandbox/faults":
			var fl struct {
				Path   string `json:"path"`
				Status int    `json:"status"`
				Count  int    `json:"count"`
			}
			json.Unmarshal(rec.Body.Bytes(), &fl)
			if !strings.HasPrefix(fl.Path, "/") || strings.HasPrefix(fl.Path, "/sandbox") || fl.Count < 1 ||
				(fl.Status != 0 && (fl.Status < 400 || fl.Status > 599)) {
				t.Fatalf("accepted the fault %s", rec.Body)
			}
		case path == "/sandbox/clock":
			var c struct{ Offset string }
			json.Unmarshal(rec.Body.Bytes(), &c)
			if c.Offset == "" || strings.HasPrefix(c.Offset, "-") || c.Offset == "0s" {
				t.Fatalf("%q moved the clock to offset %q", body, c.Offset)
			}
		}
	})
}

// FuzzPKCE runs /authorize with a fuzzed code_challenge and method, and the
// token endpoint with a fuzzed code_verifier, for the docs' confidential
// client and for a public one, and checks every outcome against RFC 7636
// computed here independently: a challenge of 43-128 unreserved characters
// and a method S256 or plain (absent = plain, §4.3) is accepted, anything
// else redirects with invalid_request (§4.4.1); a public client without a
// challenge is refused (RFC 8252 §8.1); the code is exchanged only with the
// verifier that hashes (S256) or equals (plain) to the challenge (§4.6), or
// with no verifier when there was no challenge.
// Seeds: testdata/fuzz/FuzzPKCE.
func FuzzPKCE(f *testing.F) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
	sum := sha256.Sum256([]byte(verifier))
	s256 := base64.RawURLEncoding.EncodeToString(sum[:])
	for _, s := range []struct {
		public                      bool
		challenge, method, verifier string
	}{
		{false, s256, "S256", verifier},
		{true, s256, "S256", verifier},
		{false, s256, "S256", verifier + "x"},
		{false, verifier, "plain", verifier},
		{false, verifier, "", verifier},
		{true, "", "", ""},
		{false, "", "", ""},
		{false, "", "", verifier},
		{false, "", "S256", verifier},
		{false, s256, "s256", verifier},
		{false, strings.Repeat("a", 42), "plain", strings.Repeat("a", 42)},
		{false, strings.Repeat("a", 129), "plain", strings.Repeat("a", 129)},
		{false, s256 + "=", "S256", verifier},
	} {
		f.Add(s.public, s.challenge, s.method, s.verifier)
	}
	auto := startSandbox(f, sandboxOptions{Clients: true, AutoApprove: "BCNCUser03"}).app
	f.Fuzz(func(t *testing.T, public bool, challenge, method, verifier string) {
		cl := docsApp
		if public {
			cl = publicApp
		}
		q := url.Values{"response_type": {"code"}, "client_id": {cl.id}, "redirect_uri": {cl.redirect}, "scope": {"patient/*.read"}, "state": {"s"}}
		if challenge != "" {
			q.Set("code_challenge", challenge)
		}
		if method != "" {
			q.Set("code_challenge_method", method)
		}
		rec := serve(auto.handler, newRequest(http.MethodGet, issuerPath+"/authorize?"+q.Encode(), "", nil))
		loc, err := url.Parse(rec.Header().Get("Location"))
		if rec.Code != http.StatusFound || err != nil {
			t.Fatalf("authorize: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		effective := method
		if effective == "" {
			effective = "plain"
		}
		acceptable := (challenge == "" && method == "" && !public) ||
			(challenge != "" && rfc7636Text(challenge) && (effective == "S256" || effective == "plain"))
		code := loc.Query().Get("code")
		switch {
		case acceptable && code == "":
			t.Fatalf("challenge %q method %q (public %v) refused: %s", challenge, method, public, loc.RawQuery)
		case !acceptable && loc.Query().Get("error") != "invalid_request":
			t.Fatalf("challenge %q method %q (public %v): %s, want error=invalid_request", challenge, method, public, loc.RawQuery)
		case !acceptable:
			return
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cl.redirect}, "client_id": {cl.id}}
		if cl.secret != "" {
			form.Set("client_secret", cl.secret)
		}
		if verifier != "" {
			form.Set("code_verifier", verifier)
		}
		rec = serve(auto.handler, newRequest(http.MethodPost, issuerPath+"/token", formType, strings.NewReader(form.Encode())))
		if msg := checkContract(http.MethodPost, issuerPath+"/token", rec); msg != "" {
			t.Fatalf("token: %s: %d %s", msg, rec.Code, rec.Body)
		}
		matches := challenge == "" && verifier == ""
		if challenge != "" && rfc7636Text(verifier) {
			if effective == "S256" {
				h := sha256.Sum256([]byte(verifier))
				matches = base64.RawURLEncoding.EncodeToString(h[:]) == challenge
			} else {
				matches = verifier == challenge
			}
		}
		var e struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &e)
		switch {
		case matches && rec.Code != http.StatusOK:
			t.Fatalf("the right verifier %q for %s %q was refused: %s", verifier, effective, challenge, rec.Body)
		case !matches && (rec.Code == http.StatusOK || e.Error != "invalid_grant"):
			t.Fatalf("verifier %q for %s %q: %d %s, want invalid_grant", verifier, effective, challenge, rec.Code, rec.Body)
		}
	})
}

// rfc7636Text is RFC 7636 §4.1's code-verifier (and §4.2's challenge)
// grammar: 43 to 128 of ALPHA / DIGIT / "-" / "." / "_" / "~".
func rfc7636Text(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	return strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == ""
}
