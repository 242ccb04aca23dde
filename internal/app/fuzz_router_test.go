package app

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
)

// newRequest is an in-process request as the server would hand it over.
func newRequest(method, target, contentType string, body *strings.Reader) *http.Request {
	var req *http.Request
	if body == nil {
		req, _ = http.NewRequest(method, "http://sandbox.test"+target, nil)
	} else {
		req, _ = http.NewRequest(method, "http://sandbox.test"+target, body)
	}
	req.RequestURI = target
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// fuzzPrefixes are the roots the fuzzer's path is put under, so that each
// package's routes are reached at once rather than after the fuzzer has
// guessed a long prefix.
var fuzzPrefixes = [...]string{"", issuerPath, fhirPath, "/sandbox", "/debug", "/v1/connect", issuerPath + "/consent"}

// rawRequest is what a client puts on the wire. It is parsed with
// http.ReadRequest and the checks net/http's server makes before a handler
// runs, so the handler sees only what a real connection could deliver;
// ok is false when the server would have refused the request itself.
func rawRequest(method, target, host, auth, contentType, xfh, xfp string, body []byte) (*http.Request, bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	for _, h := range [][2]string{{"Authorization", auth}, {"Content-Type", contentType}, {"X-Forwarded-Host", xfh}, {"X-Forwarded-Proto", xfp}} {
		if h[1] == "" {
			continue
		}
		if !httpguts.ValidHeaderFieldValue(h[1]) {
			return nil, false
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(body))
	b.Write(body)
	req, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil || len(req.Header["Host"]) > 1 || !httpguts.ValidHostHeader(req.Host) {
		return nil, false
	}
	if req.Method == "CONNECT" || !strings.HasPrefix(req.RequestURI, "/") {
		return nil, false // net/http answers these without a handler's say
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req, true
}

// FuzzRouter sends whole HTTP requests through the real router: any method,
// a path under one of the sandbox's roots, a query, the headers that steer
// it (Authorization, Content-Type, Host, X-Forwarded-*) and a body. No
// answer may be a 5xx (no fault is ever armed here: posts to the control
// API are sent as GETs), and every answer must keep the contract's shape
// (checkContract). Seeds: testdata/fuzz/FuzzRouter, from the docs' own
// requests.
func FuzzRouter(f *testing.F) {
	type seed struct {
		method      string
		prefix      uint8
		path, query string
		auth, ct    string
		host        string
		xfh, xfp    string
		body        string
	}
	docsAuthorize := "response_type=code&client_id=" + docsClientID + "&redirect_uri=" + docsRedir +
		"&scope=openid%20read%20profile%20patient/*.read&state=test"
	docsToken := "grant_type=authorization_code&code=abc&redirect_uri=" + docsRedir +
		"&client_id=" + docsClientID + "&client_secret=" + docsClientSecret
	for _, s := range []seed{
		{"GET", 1, "/authorize", docsAuthorize, "", "", "localhost:8080", "", "", ""},
		{"GET", 1, "/authorize/", "client_id=" + docsClientID, "", "", "localhost:8080", "", "", ""},
		{"POST", 1, "/token", "", "", "application/x-www-formurlencoded;charset=UTF-8", "localhost", "", "", docsToken},
		{"POST", 1, "/token", "", "", "application/x-www-form-urlencoded", "localhost", "", "", "grant_type=refresh_token&refresh_token=$REFRESH&client_id=" + docsClientID + "&client_secret=" + docsClientSecret},
		{"POST", 1, "/token", "", "Basic SlZqUjc3SjNqNEJhUlZxb0R0THg6U1IzU3JLNlUxV3BHT2RqV1MyTFk=", "application/x-www-form-urlencoded", "localhost", "", "", "grant_type=authorization_code&code=x"},
		{"POST", 1, "/introspect", "", "", "application/x-www-form-urlencoded", "localhost", "", "", "token=$TOKEN&client_id=" + docsClientID + "&client_secret=" + docsClientSecret},
		{"POST", 1, "/revoke", "", "", "application/x-www-form-urlencoded", "localhost", "", "", "token=$TOKEN"},
		{"GET", 2, "/Patient/-20140000008325", "", "Bearer $TOKEN", "", "apiservicessbext.bcbsnc.com", "", "", ""},
		{"GET", 2, "/ExplanationOfBenefit/", "patient=-20140000008325", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"GET", 2, "/ExplanationOfBenefit", "patient=123&type=carrier,dme,hha,hospice,inpatient,outpatient,snf", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"GET", 2, "/ExplanationOfBenefit", "type=https://apiservicessb-ext.bcbsnc.com/resources/codesystem/eob-type|pde&_count=10&startIndex=0", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"GET", 2, "/ExplanationOfBenefit", "_lastUpdated=gt2020-02-13T08:00:00-05:00&_lastUpdated=lt2020-02-14&service-date=ge2019", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"GET", 2, "/Coverage/", "beneficiary=-20140000008325&_format=json", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"POST", 2, "/Condition/_search", "", "Bearer $TOKEN", "application/x-www-form-urlencoded", "localhost", "", "", "patient=Patient/-20140000008325&_count=50"},
		{"GET", 2, "/metadata", "", "", "", "localhost", "proxy.example", "https", ""},
		{"GET", 2, "/.well-known/smart-configuration", "", "", "", "localhost", "", "", ""},
		{"GET", 2, "/UserInfo", "", "Bearer $TOKEN", "", "localhost", "", "", ""},
		{"GET", 5, "/userinfo", "", "Bearer x", "", "localhost", "", "", ""},
		{"GET", 0, "/", "", "", "", "localhost:8080", "", "", ""},
		{"GET", 4, "", "code=abc&state=<script>alert(1)</script>&iss=x", "", "", "localhost", "", "", ""},
		{"POST", 4, "", "", "", "application/x-www-form-urlencoded", "localhost", "", "", "code=abc&csrf=x"},
		{"GET", 3, "/requests", "limit=5", "", "", "localhost", "", "", ""},
		{"POST", 3, "/faults", "", "", "application/json", "localhost", "", "", `{"path":"/x","status":500}`},
		{"POST", 6, "", "", "", "application/x-www-form-urlencoded", "localhost", "", "", "csrf=x&step=login&username=BCNCUser03&password=BCNCPSWD03"},
		{"GET", 6, "", "request=AAAA", "", "", "localhost", "", "", ""},
		{"OPTIONS", 1, "/token", "", "", "", "localhost", "", "", ""},
		{"DELETE", 2, "/Patient/x", "", "", "", "localhost", "", "", ""},
		{"GET", 0, "/.well-known/openid-configuration", "", "", "", "localhost", "", "", ""},
	} {
		f.Add(s.method, s.prefix, s.path, s.query, s.auth, s.ct, s.host, s.xfh, s.xfp, []byte(s.body))
	}
	sb := startSandbox(f, sandboxOptions{})
	// The placeholders $TOKEN and $REFRESH in a fuzzed input become the
	// tokens of a real grant, so that the fuzzer reaches the FHIR handlers
	// behind the bearer check. They come from an --auto-approve replica with
	// the same signing key, whose tokens every sandbox sharing the key
	// accepts (DESIGN.md, "oauth"), so the fuzzed sandbox keeps its screens.
	live := startSandbox(f, sandboxOptions{AutoApprove: "BCNCUser03"}).approvedTokens(f, "BCNCUser03")
	fill := strings.NewReplacer("$TOKEN", live.AccessToken, "$REFRESH", live.RefreshToken)
	f.Fuzz(func(t *testing.T, method string, prefix uint8, path, query, auth, ct, host, xfh, xfp string, body []byte) {
		if method == "" {
			method = http.MethodGet
		}
		target := fuzzPrefixes[int(prefix)%len(fuzzPrefixes)] + path
		if query != "" {
			target += "?" + fill.Replace(query)
		}
		body = []byte(fill.Replace(string(body)))
		req, ok := rawRequest(method, target, host, fill.Replace(auth), ct, xfh, xfp, body)
		if !ok {
			return
		}
		if strings.HasPrefix(strings.ToLower(req.URL.Path), "/sandbox") && req.Method != http.MethodGet && req.Method != http.MethodHead {
			// Never arm a fault or move the clock: a 5xx must mean a bug.
			req.Method = http.MethodGet
		}
		rec := serve(sb.app.handler, req)
		if msg := checkContract(req.Method, req.URL.Path, rec); msg != "" {
			t.Fatalf("%s %s (Authorization %q, Content-Type %q, Host %q):\n%s\nanswered %d %v\n%s",
				req.Method, req.RequestURI, auth, ct, host, msg, rec.Code, rec.Header(), truncate(rec.Body.String(), 2000))
		}
	})
}
