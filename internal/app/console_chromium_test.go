package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console, consent and error pages in a real browser: the flows a
// developer runs (two tabs, the docs' own flow to /debug, the finder, the
// debugger's buttons), and every page at a desktop and a phone size, each
// checked with axe-core (no serious or critical violation), for sideways
// scrolling, and photographed.

// viewport is a browser window size the pages are checked at.
type viewport struct {
	name          string
	width, height int64
}

var viewports = []viewport{{"desktop", 1280, 900}, {"phone", 390, 844}}

// debugClientsFile registers, beside the docs' client, a public client
// whose redirect URI is the debugger, for "Try it" as a public client.
func debugClientsFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clients.json")
	body := `[{"client_id": "public-debug", "client_name": "Public app (PKCE)", "redirect_uris": ["{base}/debug"]}]`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newTab opens another tab of the browser of ctx: same cookies, as a
// person's second tab.
func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	return tab
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pageText is the visible text of the page.
func visibleText(t *testing.T, ctx context.Context) string {
	return eval[string](t, ctx, `document.body.innerText`)
}

// clickNav clicks sel and waits for the page it loads: a click that
// submits a form, where the next page may hold the same elements.
func clickNav(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		// Mark the document that holds sel (an earlier click may still be
		// loading it), so the wait below sees the next one.
		if _, err := chromedp.WaitVisible(sel)(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		mark := chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.left = 'yes'`)
		if _, err := mark(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := click(sel)(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		// The old document's context goes away mid-navigation: an error
		// while it does is not an answer, so ask again.
		loaded := chromedp.Evaluate[bool](`document.readyState === 'complete' && document.documentElement.dataset.left === undefined`)
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if done, err := loaded(ctx, tg); err == nil && done {
				return chromedp.Void{}, nil
			}
		}
		return chromedp.Void{}, fmt.Errorf("clicking %s loaded no new page within 30s", sel)
	}
}

// toConsent walks from a started flow's disclaimer to the consent screen as
// the member, Self.
func toConsent(username, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		click(button("I Understand")),
		typeInto("Username", username),
		typeInto("Password", password),
		click(button("Log In")),
		click(labelled("Self")),
		click(button("Next")),
	)
}

// exchangeOnDebugger presses the debugger's exchange button and returns the
// token response it shows.
func exchangeOnDebugger(t *testing.T, ctx context.Context) string {
	t.Helper()
	run(t, ctx, "exchange", clickNav(button("Exchange the code for tokens")))
	return text(t, ctx, `//h2[contains(., 'Token response')]/following-sibling::pre[1]`)
}

// TestChromiumTwoTabs: a flow started in one tab survives a second tab
// opening the home page, and two flows started with Try it in two tabs
// are each exchanged with their own PKCE verifier, in either order.
func TestChromiumTwoTabs(t *testing.T) {
	t.Run("home page in a second tab", func(t *testing.T) {
		ctx := newChrome(t)
		sb := startSandbox(t, sandboxOptions{Run: true})
		run(t, ctx, "first tab to the consent screen",
			chromedp.Navigate(sb.URL+"/"), click(button("Try it")), toConsent("BCNCUser03", "BCNCPSWD03"))
		second := newTab(t, ctx)
		run(t, second, "second tab: the home page", chromedp.Navigate(sb.URL+"/"), chromedp.WaitVisible(button("Try it")))
		run(t, ctx, "first tab agrees", clickNav(button("I Agree")))
		if tok := exchangeOnDebugger(t, ctx); !strings.Contains(tok, `"access_token"`) || !strings.Contains(tok, `"patient": "-20140000008325"`) {
			t.Errorf("the first tab's exchange failed after a second tab opened the home page:\n%s", tok)
		}
	})
	t.Run("a flow in each tab", func(t *testing.T) {
		ctx := newChrome(t)
		sb := startSandbox(t, sandboxOptions{Run: true, AutoApprove: "BCNCUser03"})
		run(t, ctx, "first tab: Try it", chromedp.Navigate(sb.URL+"/"), clickNav(button("Try it")))
		second := newTab(t, ctx)
		run(t, second, "second tab: Try it as BCNCUser04", chromedp.Navigate(sb.URL+"/debug/start?login_hint=BCNCUser04"), chromedp.WaitVisible(button("Exchange the code for tokens")))
		if tok := exchangeOnDebugger(t, ctx); !strings.Contains(tok, `"patient": "-20140000008325"`) {
			t.Errorf("the first tab's exchange failed after a second tab started a flow:\n%s", tok)
		}
		if tok := exchangeOnDebugger(t, second); !strings.Contains(tok, `"patient": "-20140000000024"`) {
			t.Errorf("the second tab's exchange failed:\n%s", tok)
		}
	})
}

// TestChromiumDocsStyleDebugFlow: the docs' flow without PKCE, redirected
// to {base}/debug, in a browser that has visited the home page and has a
// flow of its own open: the debugger exchanges its code without a
// verifier, and it succeeds.
func TestChromiumDocsStyleDebugFlow(t *testing.T) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true})
	q := url.Values{"response_type": {"code"}, "client_id": {docsClientID}, "redirect_uri": {sb.URL + "/debug"},
		"scope": {"openid read profile patient/*.read"}, "state": {"test"}}
	run(t, ctx, "home page, an open flow, then the docs' authorize URL",
		chromedp.Navigate(sb.URL+"/"), click(button("Try it")), click(button("I Understand")), chromedp.WaitVisible(labelled("Username")),
		chromedp.Navigate(sb.URL+issuerPath+"/authorize?"+q.Encode()),
		toConsent("BCNCUser03", "BCNCPSWD03"), clickNav(button("I Agree")))
	if page := visibleText(t, ctx); !strings.Contains(page, "Not started from this browser") || !strings.Contains(page, "state is short") {
		t.Errorf("the debugger at %s does not describe a flow it did not start, with its client checks:\n%s", eval[string](t, ctx, `location.href`), page)
	}
	if tok := exchangeOnDebugger(t, ctx); !strings.Contains(tok, `"access_token"`) {
		t.Errorf("the docs' flow to /debug failed:\n%s", tok)
	}
}

// TestChromiumFinder: the home page's finder lists members with an
// inpatient stay and diabetes, and "Try it as this member" logs in as the
// first of them.
func TestChromiumFinder(t *testing.T) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true})
	run(t, ctx, "find",
		chromedp.Navigate(sb.URL+"/"),
		click(labelled("inpatient")),
		typeInto("Has a condition", "diabetes"),
		click(button("Find members")),
		chromedp.WaitVisible(`//ul[@class='members']/li`),
	)
	found := eval[[]string](t, ctx, `[...document.querySelectorAll('ul.members li')].map(li => li.innerText)`)
	if len(found) == 0 {
		t.Fatal("the finder found no member with an inpatient stay and diabetes")
	}
	for _, m := range found {
		if !strings.Contains(m, "inpatient") || !strings.Contains(strings.ToLower(m), "diabetes") {
			t.Errorf("a found member lacks what was asked for:\n%s", m)
		}
	}
	first := eval[string](t, ctx, `document.querySelector('ul.members li h4 .status').innerText.split(' / ')[0]`)
	run(t, ctx, "try it as the member", click(`(//a[normalize-space(.)='Try it as this member'])[1]`), click(button("I Understand")), chromedp.WaitVisible(labelled("Username")))
	if got := eval[string](t, ctx, `document.getElementById('username').value`); got != first {
		t.Errorf("Try it as this member filled in %q, want %q", got, first)
	}
}

// TestChromiumDebuggerButtons: after the exchange the debugger verifies the
// id_token against the JWKS, its copy buttons work (its script runs under
// the page's CSP), and Refresh (a new token kept), UserInfo, Introspect and
// Revoke each call their endpoint with the page's tokens.
func TestChromiumDebuggerButtons(t *testing.T) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true, AutoApprove: "BCNCUser03"})
	run(t, ctx, "try it", chromedp.Navigate(sb.URL+"/"), clickNav(button("Try it")))
	exchangeOnDebugger(t, ctx)
	if got := text(t, ctx, `//section[@aria-labelledby='idtoken-heading']`); !strings.Contains(got, "RS256 signature verified") || strings.Contains(got, "✘") {
		t.Errorf("the id_token is not shown verified:\n%s", got)
	}
	run(t, ctx, "copy the access token", click(`//button[@data-copy='access-token']`))
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.querySelector("button[data-copy='access-token']").innerText === 'Copied'`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button does not say Copied after a click: %v", err)
	}
	access := func() string { return eval[string](t, ctx, `document.getElementById('access-token').innerText`) }
	before := access()
	for _, b := range []struct {
		press, heading, shows string
	}{
		{"Refresh", "Refresh", `"refresh_token"`},
		{"UserInfo", "UserInfo", `"sub": "BCNCUser03"`},
		{"Introspect", "Introspect", `"active": true`},
		{"Revoke", "Revoke", "HTTP 200"},
		{"Introspect", "Introspect", `"active": false`},
	} {
		run(t, ctx, b.press, clickNav(button(b.press)))
		got := text(t, ctx, `//section[@aria-labelledby='action-heading']`)
		if !strings.Contains(got, b.heading) || !strings.Contains(got, b.shows) {
			t.Errorf("%s: the debugger shows\n%s\nwant %q", b.press, got, b.shows)
		}
		if b.press == "Refresh" && access() == before {
			t.Error("after Refresh the page still holds the old access token")
		}
	}
}

// TestChromiumEveryPage visits every page at a desktop and a phone size:
// axe-core finds no serious or critical violation, nothing scrolls
// sideways at the phone's width, and each page is photographed.
// SANDBOX_SCREENSHOTS names the folder for the pictures (README,
// "Developing": docs/screenshots); without it they go to a temporary one.
func TestChromiumEveryPage(t *testing.T) {
	axe := npmTool(t, "axe-core/axe.min.js", "")
	axeJS, err := os.ReadFile(axe)
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SANDBOX_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // the test runs in internal/app
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) { everyPage(t, vp, string(axeJS), dir) })
	}
}

func everyPage(t *testing.T, vp viewport, axeJS, dir string) {
	ctx := newChromeFor(t, 4*time.Minute) // some 40 pages, each audited
	sb := startSandbox(t, sandboxOptions{Run: true, Args: []string{"--clients", debugClientsFile(t)}})
	run(t, ctx, "viewport", chromedp.EmulateViewport(vp.width, vp.height))
	seen := 0
	check := func(name string) {
		t.Helper()
		seen++
		run(t, ctx, name+": load", chromedp.WaitReady("body"))
		checkAxe(t, ctx, name, axeJS)
		if vp.width < 600 {
			checkNoSideScroll(t, ctx, name)
		}
		// What the window shows, as a person first sees the page; in
		// 256 colours, so the committed pictures stay small.
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		small, err := shrinkPNG(shot)
		if err != nil {
			t.Fatalf("%s: the screenshot is not a PNG: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+vp.name+".png"), small, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	visit := func(name, path string) {
		t.Helper()
		run(t, ctx, name, chromedp.Navigate(sb.URL+path))
		check(name)
	}

	visit("home", "/")
	visit("finder", "/?find=1&claim_type=inpatient&condition=diabetes#finder")
	run(t, ctx, "try it with choices", chromedp.Navigate(sb.URL+"/"), click(labelled("public-debug")), clickNav(button("Start the flow")))
	check("consent-disclaimer")
	run(t, ctx, "disclaimer", clickNav(button("I Understand")))
	check("consent-login")
	run(t, ctx, "wrong password", typeInto("Password", "wrong"), clickNav(button("Log In")))
	check("consent-login-error")
	run(t, ctx, "log in", typeInto("Password", "BCNCPSWD03"), clickNav(button("Log In")))
	check("consent-relation")
	run(t, ctx, "representative without a name", click(labelled("Personal Representative")), click(labelled("Parent or guardian")), clickNav(button("Next")))
	check("consent-relation-error")
	run(t, ctx, "representative", typeInto("Your full name", "Robin Q Helper"), clickNav(button("Next")))
	check("consent-representative")
	if page := visibleText(t, ctx); !strings.Contains(page, "Share all of Jane") {
		t.Errorf("the representative's consent screen does not name the member:\n%s", page)
	}
	run(t, ctx, "agree", clickNav(button("I Agree")))
	check("debugger-code")
	run(t, ctx, "exchange", clickNav(button("Exchange the code for tokens")))
	check("debugger-tokens")
	run(t, ctx, "refresh", clickNav(button("Refresh")))
	check("debugger-refresh")
	run(t, ctx, "introspect", clickNav(button("Introspect")))
	check("debugger-introspect")
	// The representative's grant is now a representative case.
	visit("finder-consent", "/?find=1&representative=on#found")
	if page := visibleText(t, ctx); !strings.Contains(page, "BCNCUser03 / BCNCPSWD03") || !strings.Contains(page, "representative") {
		t.Errorf("the finder does not find the representative case just made:\n%s", page)
	}
	visit("apps", issuerPath+"/apps")
	visit("debugger-empty", "/debug")
	visit("debugger-error", "/debug?error=access_denied&error_description=The+member+denied+access&state=s")

	if status, body := sb.controlPost(t, "/sandbox/faults", `{"path": "/fhir/sb/R4/patientaccess/*", "count": 2, "status": 429, "retry_after": 3}`); status != 201 {
		t.Fatalf("arming a fault: %d %s", status, body)
	}
	visit("requests", "/requests")
	visit("faults", "/faults")
	visit("clock", "/clock")
	visit("not-found", "/no-such-page")
	visit("consent-error", issuerPath+"/consent")
	visit("authorize-unknown-client", issuerPath+"/authorize?response_type=code&client_id=my-app&redirect_uri=http://localhost:3000/callback&scope=openid")
	visit("authorize-unregistered-redirect", issuerPath+"/authorize?response_type=code&client_id="+docsClientID+"&redirect_uri=http://localhost:3000/callback&scope=openid")
	if page := visibleText(t, ctx); !strings.Contains(page, "https://oidcdebugger.com/debug") || !strings.Contains(page, "--clients") || !strings.Contains(page, "http://localhost:3000/callback") {
		t.Errorf("the unregistered redirect page does not show what was sent, what is registered and how to register:\n%s", page)
	}
	if seen < 22 {
		t.Errorf("checked %d pages, want every page (22)", seen)
	}
}

// shrinkPNG re-encodes a screenshot with a 256-colour palette.
func shrinkPNG(shot []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		return nil, err
	}
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.Draw(pal, img.Bounds(), img, img.Bounds().Min, draw.Src)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, pal); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// axeViolation is one axe-core violation as the test reports it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAxe runs axe-core on the page and fails on any serious or critical
// violation.
func checkAxe(t *testing.T, ctx context.Context, name, axeJS string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, name, axeJS) {
		t.Errorf("%s: axe-core %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// axeViolations injects axe-core into the page and returns its serious and
// critical violations.
func axeViolations(t *testing.T, ctx context.Context, name, axeJS string) []axeViolation {
	t.Helper()
	if !eval[bool](t, ctx, `typeof axe !== 'undefined'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeJS)); err != nil {
			t.Fatalf("%s: injecting axe-core: %v", name, err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v =>
			({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: axe's answer %s: %v", name, raw, err)
	}
	return vs
}

// checkNoSideScroll fails when the page, or any element in it, is wider
// than the screen: at a phone's width nothing may scroll sideways.
func checkNoSideScroll(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range tooWide(t, ctx) {
		t.Errorf("%s at the phone's width: %s", name, w)
	}
}

// tooWide lists what is wider than the window, or scrolls sideways.
func tooWide(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `(() => {
		const out = [];
		const doc = document.documentElement;
		if (doc.scrollWidth > doc.clientWidth) out.push('the page: ' + doc.scrollWidth + ' px wide in ' + doc.clientWidth);
		for (const el of document.body.querySelectorAll('*')) {
			if (el.closest('.skip, .visually-hidden, thead')) continue; // off-screen for screen readers, by design
			const r = el.getBoundingClientRect();
			if (r.width > 0 && (r.right > doc.clientWidth + 1 || r.left < -1)) {
				out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right));
			}
			if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) {
				out.push(el.tagName.toLowerCase() + ' scrolls sideways inside the page');
			}
		}
		return out.slice(0, 10);
	})()`)
}

// TestChromiumChecksCatchProblems shows the page checks can fail: a page
// with an image without text, unlabelled input, and a table wider than a
// phone scrolling inside the page, as the home page's did.
func TestChromiumChecksCatchProblems(t *testing.T) {
	axeJS, err := os.ReadFile(npmTool(t, "axe-core/axe.min.js", ""))
	if err != nil {
		t.Fatal(err)
	}
	ctx := newChrome(t)
	bad := `<!doctype html><html lang="en"><head><title>bad</title><meta name="viewport" content="width=device-width"></head><body><main>` +
		`<h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">` +
		`<div style="overflow-x:auto"><table><tr><td style="min-width:900px">wide</td></tr></table></div></main></body></html>`
	run(t, ctx, "a bad page", chromedp.EmulateViewport(390, 844), chromedp.Navigate("data:text/html,"+url.PathEscape(bad)))
	ids := map[string]bool{}
	for _, v := range axeViolations(t, ctx, "bad", string(axeJS)) {
		ids[v.ID] = true
	}
	for _, want := range []string{"image-alt", "label"} {
		if !ids[want] {
			t.Errorf("axe-core did not report %s on the bad page; it reported %v", want, ids)
		}
	}
	if w := tooWide(t, ctx); len(w) == 0 {
		t.Error("the sideways-scroll check passed a table 900 px wide on a 390 px screen")
	}
}
