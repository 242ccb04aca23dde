package oauth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// A third-party client, golang.org/x/oauth2, drives the flow over real HTTP:
// endpoints from discovery, PKCE S256, its own client authentication choice,
// the id_token checked against the JWKS, then userinfo with its token source.
func TestOAuth2LibraryInterop(t *testing.T) {
	s := newServer(t, func(c *Config) { c.Profile = profile.Strict })
	srv := httptest.NewServer(router(s))
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	var disc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
		UserinfoEndpoint      string `json:"userinfo_endpoint"`
		JWKSURI               string `json:"jwks_uri"`
	}
	fetchJSON(t, client, srv.URL+"/.well-known/openid-configuration", &disc)
	if disc.Issuer != srv.URL+IssuerPath {
		t.Fatalf("issuer %q", disc.Issuer)
	}

	conf := oauth2.Config{
		ClientID: docsClientID, ClientSecret: docsClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: disc.AuthorizationEndpoint, TokenURL: disc.TokenEndpoint},
		RedirectURL: srv.URL + "/debug",
		Scopes:      []string{"openid", "fhirUser", "profile", "offline_access", "patient/*.rs"},
	}
	v := oauth2.GenerateVerifier()
	resp, err := client.Get(conf.AuthCodeURL("xyz", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", "n1"),
		oauth2.SetAuthURLParam("aud", srv.URL+fhirPath)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	consentURL, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || consentURL.Query().Get("request") == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	to, err := s.Finish(context.Background(), consentURL.Query().Get("request"), decisionSelf())
	if err != nil {
		t.Fatal(err)
	}
	back, _ := url.Parse(to)
	if back.Query().Get("state") != "xyz" || back.Query().Get("iss") != disc.Issuer {
		t.Fatalf("callback %s", to)
	}

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
	tok, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("patient") != "-20140000008325" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Errorf("token %+v, patient %v", tok, tok.Extra("patient"))
	}
	idToken, _ := tok.Extra("id_token").(string)
	var set jose.JSONWebKeySet
	fetchJSON(t, client, disc.JWKSURI, &set)
	jws, err := jose.ParseSignedCompact(idToken, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in the JWKS", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != disc.Issuer || claims["aud"] != docsClientID || claims["nonce"] != "n1" ||
		claims["fhirUser"] != srv.URL+fhirPath+"/Patient/-20140000008325" {
		t.Errorf("claims %v", claims)
	}

	var info map[string]any
	fetchJSON(t, conf.Client(ctx, tok), disc.UserinfoEndpoint, &info)
	if info["sub"] != "BCNCUser03" || info["patient"] != "-20140000008325" {
		t.Errorf("userinfo %v", info)
	}
	// The library refreshes on its own once the token is expired.
	tok.Expiry = tok.Expiry.Add(-2 * s.cfg.TokenTTL)
	fresh, err := conf.TokenSource(ctx, tok).Token()
	if err != nil || fresh.AccessToken == tok.AccessToken {
		t.Errorf("refresh through the library: %v", err)
	}
}

func fetchJSON(t testing.TB, c *http.Client, target string, v any) {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}
