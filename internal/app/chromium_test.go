package app

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// except under CI (CI=true), where .ci/run installs it and its absence is a
// failure rather than a silent pass.
func chromiumPath(t *testing.T) string {
	t.Helper()
	skipUnderRace(t)
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no chromium on PATH: .ci/run must install it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH; install it to run the browser tests")
	return ""
}

// skipUnderRace skips a test that drives an outside program (Chromium,
// newman) against the server: under the race detector the server answers
// a real browser so slowly that its page loads time out, and such a test
// has no concurrency of the server's own to find. .ci/run runs these tests
// again without -race.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("drives an outside program; run without -race (.ci/run does)")
	}
}

// newChrome starts a headless Chromium with the flags this closed network
// needs (no background networking, no component updates, a fresh profile).
func newChrome(t *testing.T) context.Context {
	t.Helper()
	return newChromeFor(t, 60*time.Second)
}

// newChromeFor is newChrome for a test that may take up to d.
func newChromeFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// XPath helpers: find controls the way a person does, by what they read.
func button(text string) string {
	return `//*[(self::button or self::input[@type='submit'] or self::a) and (normalize-space(.)='` + text + `' or @value='` + text + `')]`
}

// labelled finds the input whose <label for> contains text, ignoring case.
func labelled(text string) string {
	const upper, lower = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
	return `//input[@id=//label[contains(translate(normalize-space(.), '` + upper + `', '` + lower + `'), '` + strings.ToLower(text) + `')]/@for]`
}

// click clicks the first visible node sel finds. A page whose script
// touches the DOM just after load (the copy buttons) can replace a node
// between the query and the click, which Chrome reports as "Could not find
// node with given id": the click is then tried again on a fresh query, up
// to three times, so a slow machine does not fail the flow.
func click(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		for range 3 {
			if _, err = chromedp.Click(sel, chromedp.NodeVisible)(ctx, tg); err == nil || !strings.Contains(err.Error(), "Could not find node") {
				return chromedp.Void{}, err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return chromedp.Void{}, err
	}
}

func typeInto(label, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(labelled(label), value, chromedp.NodeVisible)
}

// text reads the visible text of the first node sel finds.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// logInFromHome opens the home page, presses Try it, passes the
// disclaimer and logs in: the start both browser flows share.
func logInFromHome(base, username, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/"),
		click(button("Try it")),
		click(button("I Understand")),
		typeInto("Username", username),
		typeInto("Password", password),
		click(button("Log In")),
	)
}

// TestChromiumRepresentativeFlow clicks through the whole flow as a person
// would: home page → Try it → disclaimer → login → Personal Representative
// → Other → consent → debugger → exchange, and reads the token off the page.
// It runs in both profiles: the home page's Try it sends S256 PKCE, a long
// state and aud, which profile strict requires.
func TestChromiumRepresentativeFlow(t *testing.T) {
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) { representativeFlow(t, profile) })
	}
}

func representativeFlow(t *testing.T, profile string) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true, Profile: profile})
	err := chromedp.Do(ctx,
		logInFromHome(sb.URL, "BCNCUser04", "BCNCPSWD04"),
		click(labelled("Personal Representative")),
		click(labelled("Other")),
		typeInto("Full name", "Robin Q Helper"),
		typeInto("Relationship to", "Neighbour and caregiver"),
		click(button("Next")),
		click(button("I Agree")),
		click(button("Exchange the code for tokens")),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	tokenJSON := text(t, ctx, `//h2[contains(., 'Token response')]/following-sibling::pre[1]`)
	claims := text(t, ctx, `//h3[.='Claims']/following-sibling::pre[1]`)
	for _, want := range []string{`"access_token"`, `"refresh_token"`, `"patient": "-20140000000024"`, `"token_type": "Bearer"`} {
		if !strings.Contains(tokenJSON, want) {
			t.Errorf("token response on the debugger lacks %s:\n%s", want, tokenJSON)
		}
	}
	if !strings.Contains(claims, "RelatedPerson/") {
		t.Errorf("id_token fhirUser is not the representative:\n%s", claims)
	}
}

// TestChromiumSelfDeny clicks through as Self and denies: the debugger
// shows access_denied and offers no exchange.
func TestChromiumSelfDeny(t *testing.T) {
	for _, profile := range []string{"bcbsnc", "strict"} {
		t.Run(profile, func(t *testing.T) { selfDeny(t, profile) })
	}
}

func selfDeny(t *testing.T, profile string) {
	ctx := newChrome(t)
	sb := startSandbox(t, sandboxOptions{Run: true, Profile: profile})
	err := chromedp.Do(ctx,
		logInFromHome(sb.URL, "BCNCUser03", "BCNCPSWD03"),
		click(labelled("Self")),
		click(button("Next")),
		click(button("Deny")),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	errText := text(t, ctx, `//section[contains(@class,'bad')]`)
	exchangeButtons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action='/debug']").length`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "access_denied") {
		t.Errorf("the debugger does not show access_denied: %q", errText)
	}
	if exchangeButtons != 0 {
		t.Error("a denied flow still offers a code exchange")
	}
}
