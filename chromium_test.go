package main

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

// newChrome starts a headless Chromium with the flags this closed network
// needs (no background networking, no component updates, a fresh profile).
func newChrome(t *testing.T) context.Context {
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
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// XPath helpers: find controls the way a person does, by what they read.
func button(text string) string {
	return `//*[(self::button or self::input[@type='submit'] or self::a) and (normalize-space(.)='` + text + `' or @value='` + text + `')]`
}

func labelled(text string) string {
	return `//input[@id=//label[contains(normalize-space(.), '` + text + `')]/@for]`
}

func click(sel string) chromedp.Action {
	return chromedp.Click(sel, chromedp.BySearch, chromedp.NodeVisible)
}

func typeInto(label, value string) chromedp.Action {
	return chromedp.SendKeys(labelled(label), value, chromedp.BySearch, chromedp.NodeVisible)
}

// TestChromiumRepresentativeFlow clicks through the whole flow as a person
// would: home page → Try it → disclaimer → login → Personal Representative
// → Other → consent → debugger → exchange, and reads the token off the page.
func TestChromiumRepresentativeFlow(t *testing.T) {
	ctx := newChrome(t)
	srv := startSandbox(t)
	var tokenJSON, claims string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		click(button("Try it")),
		click(button("I Understand")),
		typeInto("Username", "BCNCUser04"),
		typeInto("Password", "BCNCPSWD04"),
		click(button("Log In")),
		click(labelled("Personal Representative")),
		click(labelled("Other")),
		typeInto("Full name", "Robin Q Helper"),
		typeInto("Relationship to", "Neighbour and caregiver"),
		click(button("Next")),
		click(button("I Agree")),
		click(button("Exchange the code for tokens")),
		chromedp.Text(`//h2[contains(., 'Token response')]/following-sibling::pre[1]`, &tokenJSON, chromedp.BySearch),
		chromedp.Text(`//h3[.='Claims']/following-sibling::pre[1]`, &claims, chromedp.BySearch),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
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
	ctx := newChrome(t)
	srv := startSandbox(t)
	var errText string
	var exchangeButtons int
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		click(button("Try it")),
		click(button("I Understand")),
		typeInto("Username", "BCNCUser03"),
		typeInto("Password", "BCNCPSWD03"),
		click(button("Log In")),
		click(labelled("Self")),
		click(button("Next")),
		click(button("Deny")),
		chromedp.Text(`//section[contains(@class,'error')]`, &errText, chromedp.BySearch),
		chromedp.Evaluate(`document.querySelectorAll("form[action='/debug']").length`, &exchangeButtons),
	)
	if err != nil {
		t.Fatalf("browser flow: %v", err)
	}
	if !strings.Contains(errText, "access_denied") {
		t.Errorf("the debugger does not show access_denied: %q", errText)
	}
	if exchangeButtons != 0 {
		t.Error("a denied flow still offers a code exchange")
	}
}
