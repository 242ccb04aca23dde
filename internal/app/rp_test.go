package app

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// TestRelyingPartyLibrary drives the sandbox with coreos/go-oidc and
// golang.org/x/oauth2, as a real app would: discovery (go-oidc insists the
// issuer in the document equals the URL it was fetched from), PKCE S256, the
// code exchange, the id_token's RS256 signature against the JWKS, its
// audience, expiry and nonce, userinfo, and a refresh.
func TestRelyingPartyLibrary(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	relyingParty(t, sb, sb.URL, sb.URL+"/debug")
}

// TestRelyingPartyLibraryInAWorkspace runs the same relying party against a
// workspace: its issuer, discovery, JWKS, consent screens, token endpoint
// and userinfo all live under {base}/w/{name}, and the libraries need
// nothing but the issuer URL to find them.
func TestRelyingPartyLibraryInAWorkspace(t *testing.T) {
	sb := startSandbox(t, sandboxOptions{})
	// The docs' other redirect URI: the test's browser stops at a host
	// that is not the sandbox's, where the app would take over.
	relyingParty(t, sb, sb.URL+"/w/rp-suite", docsRedir)
}

// relyingParty is the relying party's whole run against the sandbox whose
// base URL is base, with the docs' client redirecting to redirect.
func relyingParty(t *testing.T, sb *sandbox, base, redirect string) {
	t.Helper()
	// Every request of the libraries goes through the sandbox's client.
	ctx := oidc.ClientContext(context.Background(), sb.client)
	issuer := base + issuerPath
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	conf := oauth2.Config{
		ClientID:     docsClientID,
		ClientSecret: docsClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  redirect,
		Scopes:       []string{oidc.ScopeOpenID, "fhirUser", "profile", "offline_access", "patient/*.read"},
	}
	verifier := oauth2.GenerateVerifier()
	const state, nonce = "a-long-enough-random-state-value", "n-0S6_WzA2Mj"
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))

	back := walk(t, sb.newBrowser(t), authURL, member{username: "BCNCUser06", password: "BCNCPSWD06"})
	if back.Query().Get("iss") != issuer {
		t.Errorf("iss %q, want %q (RFC 9207)", back.Query().Get("iss"), issuer)
	}
	code := codeFrom(t, back, state)

	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: docsClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("id_token rejected by go-oidc: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	var claims struct {
		FHIRUser string `json:"fhirUser"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	patient, _ := tok.Extra("patient").(string)
	if patient == "" || !strings.HasSuffix(claims.FHIRUser, "Patient/"+patient) {
		t.Errorf("fhirUser %q does not name the token's patient %q", claims.FHIRUser, patient)
	}

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != idt.Subject {
		t.Errorf("userinfo sub %q, id_token sub %q", info.Subject, idt.Subject)
	}
	var ui map[string]any
	info.Claims(&ui)
	for _, k := range []string{"preferred_username", "given_name", "family_name", "name", "patient"} {
		if s, _ := ui[k].(string); s == "" {
			t.Errorf("userinfo lacks %s: %v", k, ui)
		}
	}

	// Refresh through the library: an expired token makes it use the
	// refresh token, which the sandbox rotates.
	old := *tok
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == old.RefreshToken || fresh.RefreshToken == "" {
		t.Error("refresh did not issue a new access token and a rotated refresh token")
	}
}
