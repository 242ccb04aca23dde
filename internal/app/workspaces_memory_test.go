package app

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/generator"
)

// workspaceMemoryBound is README, "Workspaces": what 100 workspaces, each
// with member edits, armed faults, a grant and a logged request or two, may
// add to the live heap, including the shared caches filling on the way
// (built members 8 MB, pages 8 MB, 32 members' search indexes of a few
// hundred KB each): measured 48 MiB with today's members.
const workspaceMemoryBound = 56 << 20

// TestHundredWorkspacesMemory makes 100 workspaces, each with three added
// claims and a touched Patient, ten armed faults, a minted grant, a refresh,
// a FHIR read and its request log. In process it measures the live heap
// (after a collection) before and after, which must grow by at most
// workspaceMemoryBound; then it runs the same against the sandbox binary in
// a process of its own, with its own runtime settings, and reports that
// process's resident memory before and after, which must stay under
// workspaceRSSBound. The members the workspaces edit are built first: the
// shared member cache holds them whatever the workspaces do.
func TestHundredWorkspacesMemory(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{Members: 50})
	for n := range memoryMembers {
		sb.app.catalog.Member(generator.PatientID(7 + n))
	}
	heapBefore := liveHeap()
	fillWorkspaces(t, sb.endpoint)
	if n := sb.app.workspaces.len(); n != memoryWorkspaces {
		t.Fatalf("%d workspaces, want %d", n, memoryWorkspaces)
	}
	heapAfter := liveHeap()
	growth := int64(heapAfter) - int64(heapBefore)
	t.Logf("%d workspaces in process: live heap %.1f → %.1f MiB, +%.1f MiB (%.0f KiB each)",
		memoryWorkspaces, mib(heapBefore), mib(heapAfter), float64(growth)/(1<<20), float64(growth)/memoryWorkspaces/1024)
	if growth > workspaceMemoryBound {
		t.Errorf("the live heap grew %.1f MiB, over the documented %d MiB", float64(growth)/(1<<20), workspaceMemoryBound>>20)
	}
	runtime.KeepAlive(sb)

	r := startServerProcess(t, "--members", "50", "--signing-key", testKeyFile())
	rssBefore, _, err := processRSS(r.cmd.Process.Pid)
	if err != nil {
		t.Skipf("no /proc to read the server's memory from: %v", err)
	}
	srv := endpoint{URL: r.url, client: &http.Client{CheckRedirect: noRedirect}}
	for n := range memoryMembers { // built before, as above
		tok := srv.mint(t, mintBody(fmt.Sprintf("BCNCUser%02d", 7+n)))
		srv.get(t, fhirPath+"/Patient/"+generator.PatientID(7+n), tok.AccessToken)
	}
	rssBuilt, _, _ := processRSS(r.cmd.Process.Pid)
	fillWorkspaces(t, srv)
	rssAfter, peak, _ := processRSS(r.cmd.Process.Pid)
	t.Logf("%d workspaces in the sandbox's own process: resident %.1f MiB at start, %.1f MiB with the members built, %.1f MiB after (peak %.1f MiB)",
		memoryWorkspaces, mib(rssBefore), mib(rssBuilt), mib(rssAfter), mib(peak))
	if rssAfter > workspaceRSSBound {
		t.Errorf("the sandbox's resident memory reached %.1f MiB with %d workspaces, over the documented %d MiB", mib(rssAfter), memoryWorkspaces, workspaceRSSBound>>20)
	}
}

// The memory test's shape: this many workspaces, editing this many members.
const memoryWorkspaces, memoryMembers = 100, 10

// workspaceRSSBound is README, "Limits": the sandbox's resident memory with
// 100 workspaces as TestHundredWorkspacesMemory fills them.
const workspaceRSSBound = 96 << 20

// fillWorkspaces makes memoryWorkspaces workspaces through ep and gives
// each its edits, faults, a grant and requests.
func fillWorkspaces(t *testing.T, ep endpoint) {
	t.Helper()
	fault := strings.Repeat("x", 100)
	for i := range memoryWorkspaces {
		ws := ep.inWorkspace(fmt.Sprintf("mem-%03d", i))
		n := 7 + i%memoryMembers
		patient := generator.PatientID(n)
		for j := range 10 {
			body := fmt.Sprintf(`{"path": "/nowhere/%d/%s", "count": 1000, "status": 503}`, j, fault)
			if status, raw := ws.controlPost(t, "/sandbox/faults", body); status != http.StatusCreated {
				t.Fatalf("workspace %d, fault %d: %d %s", i, j, status, raw)
			}
		}
		for range 3 {
			if status, raw := ws.controlPost(t, "/sandbox/members/"+patient+"/claims", `{"type": "carrier"}`); status != http.StatusCreated {
				t.Fatalf("workspace %d, claim: %d %s", i, status, raw)
			}
		}
		if status, raw := ws.controlPost(t, "/sandbox/members/"+patient+"/touch", `{"resourceType": "Patient", "id": "`+patient+`"}`); status != http.StatusCreated {
			t.Fatalf("workspace %d, touch: %d %s", i, status, raw)
		}
		tok := ws.mint(t, fmt.Sprintf(`{"username": "BCNCUser%02d", "client_id": "%s", "scope": "patient/*.read offline_access"}`, n, docsClientID))
		if status, _, raw := ws.refreshAs(t, docsApp, tok.RefreshToken); status != http.StatusOK {
			t.Fatalf("workspace %d, refresh: %d %s", i, status, raw)
		}
		if status, _ := ws.get(t, fhirPath+"/Patient/"+patient, tok.AccessToken); status != http.StatusOK {
			t.Fatalf("workspace %d, read: %d", i, status)
		}
	}
}

// workspaceFullBound is README, "Limits": what one workspace may hold with
// its edits, faults, request log, grants, spent and revoked records and
// opened tokens all at their limits.
const workspaceFullBound = 7 << 19 // 3.5 MiB

// TestFullWorkspaceMemory fills one workspace to its limits (50 edits, of
// which 49 added inpatient claims, 100 faults with the longest paths, 100
// logged requests with the longest queries, 500 grants, 2,500 spent refresh
// tokens and 2,500 revoked access tokens, 256 opened tokens) and measures
// the live heap it adds, which README, "Limits" multiplies by --workspaces
// for the worst case.
func TestFullWorkspaceMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a workspace with some 6,000 requests")
	}
	sb := startSandbox(t, sandboxOptions{Members: 50})
	ws := sb.inWorkspace("full")
	const jane = "-20140000008325"
	ws.get(t, "/health", "")
	sb.app.catalog.Member(jane)
	before := liveHeap()

	if status, raw := ws.controlPost(t, "/sandbox/members/"+jane+"/touch", `{"resourceType": "Patient", "id": "`+jane+`"}`); status != http.StatusCreated {
		t.Fatalf("touch: %d %s", status, raw)
	}
	for i := range workspaceEdits - 1 {
		if status, raw := ws.controlPost(t, "/sandbox/members/"+jane+"/claims", `{"type": "inpatient"}`); status != http.StatusCreated {
			t.Fatalf("claim %d: %d %s", i, status, raw)
		}
	}
	for j := range 100 {
		path := fmt.Sprintf("/nowhere/%03d/%s", j, strings.Repeat("p", 490))
		if status, raw := ws.controlPost(t, "/sandbox/faults", `{"path": "`+path+`", "count": 1000000, "status": 503}`); status != http.StatusCreated {
			t.Fatalf("fault %d: %d %s", j, status, raw)
		}
	}
	long := hdr("User-Agent", strings.Repeat("u", 300), "Accept", strings.Repeat("a", 300), "Origin", strings.Repeat("o", 300))
	for i := range workspaceRequestLog {
		ws.send(t, http.MethodGet, fmt.Sprintf("/health?n=%d&q=%s", i, strings.Repeat("q", 2000)), long, "")
	}
	var last tokenResponse
	for i := range workspaceGrants {
		last = ws.mint(t, `{"username": "BCNCUser03", "client_id": "`+docsClientID+`", "scope": "patient/*.read offline_access"}`)
		if i < workspaceOpenedTokens {
			ws.get(t, fhirPath+"/Patient/"+jane, last.AccessToken)
		}
		if status, _, raw := ws.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), "token="+last.AccessToken); status != http.StatusOK {
			t.Fatalf("revoke %d: %d %s", i, status, raw)
		}
	}
	rt := last.RefreshToken
	for i := range workspaceRecords {
		status, tr, raw := ws.refreshAs(t, docsApp, rt)
		if status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, status, raw)
		}
		rt = tr.RefreshToken
		if i < workspaceRecords-workspaceGrants {
			ws.send(t, http.MethodPost, issuerPath+"/revoke", hdr("Content-Type", formType, "Authorization", basicAuth(docsClientID, docsClientSecret)), "token="+tr.AccessToken)
		}
	}
	growth := int64(liveHeap()) - int64(before)
	t.Logf("one workspace at its limits: live heap +%.2f MiB", float64(growth)/(1<<20))
	if growth > workspaceFullBound {
		t.Errorf("one full workspace holds %.2f MiB, over the documented %.1f MiB", float64(growth)/(1<<20), float64(workspaceFullBound)/(1<<20))
	}
	runtime.KeepAlive(sb)
}
