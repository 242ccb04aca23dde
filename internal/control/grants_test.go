package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestGrantAndTokenCallsRefuseBadInput: the new calls check their bodies
// before any hook runs, and answer the hooks' errors with 404, 400 or 409,
// always as {"detail": …}.
func TestGrantAndTokenCallsRefuseBadInput(t *testing.T) {
	var calls []string
	e, _ := newRouter(t, Config{
		Mint: func(_ *http.Request, req MintRequest) (json.RawMessage, error) {
			calls = append(calls, "mint "+req.Username)
			if req.Username == "BCNCUser99" {
				return nil, fmt.Errorf("%w: no account %q", ErrInvalid, req.Username)
			}
			share := req.SharePersonal == nil || *req.SharePersonal
			return json.RawMessage(fmt.Sprintf(`{"access_token":"t","share":%v}`, share)), nil
		},
		Grants: func(patient, clientID string) (any, error) {
			calls = append(calls, "grants "+patient+" "+clientID)
			if patient == "-1" {
				return nil, fmt.Errorf("%w: no member %q", ErrNotFound, patient)
			}
			return []string{}, nil
		},
		RevokeGrants: func(patient, clientID string) (int, error) {
			calls = append(calls, "revoke "+patient+" "+clientID)
			if clientID == "nope" {
				return 0, fmt.Errorf("%w: no client %q", ErrInvalid, clientID)
			}
			return 2, nil
		},
		ExpireRefresh: func(patient, clientID string) (int, error) {
			calls = append(calls, "expire "+patient+" "+clientID)
			return 1, nil
		},
	})
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		want                       string // in the body
		call                       string // the hook call made, "" for none
	}{
		{"mint", "POST", Prefix + "/tokens", `{"username": "BCNCUser03", "client_id": "c", "scope": "patient/*.read"}`, 200, `"share":true`, "mint BCNCUser03"},
		{"mint health only", "POST", Prefix + "/tokens", `{"username": "BCNCUser03", "client_id": "c", "scope": "patient/*.read", "share_personal": false}`, 200, `"share":false`, "mint BCNCUser03"},
		{"mint without scope", "POST", Prefix + "/tokens", `{"username": "BCNCUser03", "client_id": "c"}`, 400, "scope missing", ""},
		{"mint without anything", "POST", Prefix + "/tokens", `{}`, 400, "username, client_id, scope missing", ""},
		{"mint unknown field", "POST", Prefix + "/tokens", `{"user": "BCNCUser03"}`, 400, "unknown field", ""},
		{"mint representative as a string", "POST", Prefix + "/tokens", `{"username": "u", "client_id": "c", "scope": "s", "representative": "mom"}`, 400, "body must be", ""},
		{"mint without a body", "POST", Prefix + "/tokens", ``, 400, "body must be", ""},
		{"mint refused by the hook", "POST", Prefix + "/tokens", `{"username": "BCNCUser99", "client_id": "c", "scope": "s"}`, 400, "no account", "mint BCNCUser99"},
		{"grants", "GET", Prefix + "/members/-7/grants?client_id=c", ``, 200, `[]`, "grants -7 c"},
		{"grants of no member", "GET", Prefix + "/members/-1/grants", ``, 404, "no member", "grants -1 "},
		{"revoke all", "POST", Prefix + "/members/-7/grants/revoke", ``, 200, `"revoked":2`, "revoke -7 "},
		{"revoke one app", "POST", Prefix + "/members/-7/grants/revoke", `{"client_id": "c"}`, 200, `"revoked":2`, "revoke -7 c"},
		{"revoke an unknown app", "POST", Prefix + "/members/-7/grants/revoke", `{"client_id": "nope"}`, 400, "no client", "revoke -7 nope"},
		{"revoke with a bad body", "POST", Prefix + "/members/-7/grants/revoke", `{"client": "c"}`, 400, "unknown field", ""},
		{"expire", "POST", Prefix + "/members/-7/grants/expire", `{"client_id": "c"}`, 200, `"expired":1`, "expire -7 c"},
		{"expire with two objects", "POST", Prefix + "/members/-7/grants/expire", `{}{}`, 400, "one JSON object", ""},
		{"workspaces without the hook", "GET", Prefix + "/workspaces", ``, 404, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls = nil
			rec := call(e, tc.method, tc.target, tc.body)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("%d %s, want %d with %q", rec.Code, rec.Body, tc.status, tc.want)
			}
			if rec.Code >= 400 && tc.want != "" { // the router's own 404 is the app's to shape
				var body struct{ Detail string }
				if json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Detail == "" {
					t.Errorf("error body %s, want {\"detail\": …}", rec.Body)
				}
			}
			if got := strings.Join(calls, ","); got != tc.call {
				t.Errorf("hook calls %q, want %q", got, tc.call)
			}
		})
	}
}

// TestGrantCallsNeedWiring: without their hooks the calls answer 501.
func TestGrantCallsNeedWiring(t *testing.T) {
	e, _ := newRouter(t, Config{})
	for _, target := range []string{Prefix + "/tokens", Prefix + "/members/-7/grants/revoke", Prefix + "/members/-7/grants/expire"} {
		if rec := call(e, "POST", target, `{}`); rec.Code != http.StatusNotImplemented {
			t.Errorf("POST %s: %d, want 501", target, rec.Code)
		}
	}
	if rec := call(e, "GET", Prefix+"/members/-7/grants", ""); rec.Code != http.StatusNotImplemented {
		t.Errorf("GET grants: %d, want 501", rec.Code)
	}
}

// TestRequestLogSize: a smaller log keeps only its size, and ?limit= is
// bounded by it.
func TestRequestLogSize(t *testing.T) {
	e, c := newRouter(t, Config{RequestLogSize: 3})
	for range 5 {
		call(e, "GET", fhir+"/Patient/x", "")
	}
	if n := len(c.requests.last(10)); n != 3 {
		t.Errorf("%d entries kept, want 3", n)
	}
	if rec := call(e, "GET", Prefix+"/requests?limit=4", ""); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "1 to 3") {
		t.Errorf("limit past the size: %d %s", rec.Code, rec.Body)
	}
}

// TestDelegatedPathsAreLeftAlone: the root's middleware neither faults nor
// logs a request under the prefix its workspaces steer themselves.
func TestDelegatedPathsAreLeftAlone(t *testing.T) {
	e, c := newRouter(t, Config{Delegated: "/w/"})
	e.GET("/w/*", func(ctx echo.Context) error { return ctx.String(http.StatusOK, "the workspace") })
	for _, path := range []string{"/w/a/health", fhir + "/Patient/x"} {
		if rec := call(e, "POST", Prefix+"/faults", `{"path": "`+path+`", "status": 503}`); rec.Code != http.StatusCreated {
			t.Fatalf("arming %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	if rec := call(e, "GET", "/w/a/health", ""); rec.Code != http.StatusOK {
		t.Errorf("a delegated path was faulted: %d", rec.Code)
	}
	if rec := call(e, "GET", fhir+"/Patient/x", ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("the root's own path: %d, want its fault's 503", rec.Code)
	}
	for _, r := range c.requests.last(10) {
		if strings.HasPrefix(r.Path, "/w/") {
			t.Errorf("the root's request log holds %s", r.Path)
		}
	}
}
