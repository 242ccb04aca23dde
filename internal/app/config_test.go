package app

import (
	"errors"
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: ":8080", Seed: 1, Members: 10000, AsOf: generator.DefaultAsOf, Profile: profile.BCBSNC, TokenTTL: time.Hour, LogFormat: "text", Control: true,
		Workspaces: 100, WorkspaceIdle: time.Hour, Store: "memory"}
	if c != want {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}
}

func TestParseConfigEnvTwinsAndFlagPrecedence(t *testing.T) {
	env := envOf(map[string]string{
		"SANDBOX_ADDR":         ":9090",
		"SANDBOX_SEED":         "7",
		"SANDBOX_MEMBERS":      "25",
		"SANDBOX_PROFILE":      "strict",
		"SANDBOX_BASE_URL":     "http://sandbox:8080",
		"SANDBOX_TOKEN_TTL":    "5m",
		"SANDBOX_AUTO_APPROVE": "BCNCUser03",
		"SANDBOX_AS_OF":        "2025-03-31",
	})
	c, err := parseConfig([]string{"--seed", "9", "--profile=bcbsnc"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9090" || c.Members != 25 || c.BaseURL != "http://sandbox:8080" || c.TokenTTL != 5*time.Minute || c.AutoApprove != "BCNCUser03" {
		t.Errorf("environment twins not applied: %+v", c)
	}
	if c.Seed != 9 || c.Profile != profile.BCBSNC {
		t.Errorf("flags must win over their twins: seed %d profile %q", c.Seed, c.Profile)
	}
	if !c.AsOf.Equal(time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("SANDBOX_AS_OF not applied: %v", c.AsOf)
	}
	c, err = parseConfig([]string{"--as-of", "2024-02-29"}, env, io.Discard)
	if err != nil || !c.AsOf.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("--as-of must win over SANDBOX_AS_OF: %v, %v", c.AsOf, err)
	}
}

func TestParseConfigRejectsBadSettings(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown flag", []string{"--colour"}, nil, "colour"},
		{"bad profile", []string{"--profile", "lenient"}, nil, "--profile"},
		{"negative members", []string{"--members", "-1"}, nil, "--members"},
		{"not a number", []string{"--seed", "x"}, nil, "seed"},
		{"bad ttl", []string{"--token-ttl", "0s"}, nil, "--token-ttl"},
		{"relative base url", []string{"--base-url", "sandbox:8080/x"}, nil, "--base-url"},
		{"base url with query", []string{"--base-url", "http://h/?a=b"}, nil, "--base-url"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, nil, "--tls-key"},
		{"bad env twin", nil, map[string]string{"SANDBOX_MEMBERS": "many"}, "SANDBOX_MEMBERS"},
		{"stray argument", []string{"serve"}, nil, "serve"},
		{"as-of not a date", []string{"--as-of", "2026-13-01"}, nil, "as-of"},
		{"as-of with a time", []string{"--as-of", "2026-11-30T10:00:00Z"}, nil, "as-of"},
		{"as-of before the tagged era", []string{"--as-of", "2020-06-30"}, nil, "as-of"},
		{"as-of twin out of range", nil, map[string]string{"SANDBOX_AS_OF": "2100-01-01"}, "SANDBOX_AS_OF"},
		{"store neither memory nor redis", []string{"--store", "postgres://db:5432/x"}, nil, "--store"},
		{"store without a port", []string{"--store", "redis://redis"}, nil, "--store"},
		{"store database out of range", []string{"--store", "redis://redis:6379/16"}, nil, "--store"},
		{"store with a query", []string{"--store", "redis://redis:6379/0?x=1"}, nil, "--store"},
		{"store twin", nil, map[string]string{"SANDBOX_STORE": "redis:6379"}, "--store"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			_, err := parseConfig(tc.args, envOf(tc.env), &stderr)
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not name %q", stderr.String(), tc.want)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	cases := []struct {
		name    string
		fixed   string
		host    string
		headers map[string]string
		want    string
	}{
		{"from host", "", "localhost:8080", nil, "http://localhost:8080"},
		{"fixed wins", "https://sandbox.example/", "localhost:8080", map[string]string{"X-Forwarded-Host": "evil"}, "https://sandbox.example"},
		{"forwarded proto and host", "", "sandbox:8080", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.test, proxy"}, "https://api.test"},
		{"bogus forwarded proto ignored", "", "sandbox:8080", map[string]string{"X-Forwarded-Proto": "javascript"}, "http://sandbox:8080"},
		{"hostile host replaced", "", "a\"><script>", nil, "http://localhost"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tc.host
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := baseURLFunc(tc.fixed)(r); got != tc.want {
				t.Fatalf("base = %q, want %q", got, tc.want)
			}
		})
	}
	// One function serves every request and remembers the last base URL it
	// built: requests alternating between hosts must each get their own.
	shared := baseURLFunc("")
	for round := range 3 {
		for _, tc := range cases {
			if tc.fixed != "" {
				continue
			}
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tc.host
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := shared(r); got != tc.want {
				t.Errorf("round %d, %s: base = %q, want %q", round, tc.name, got, tc.want)
			}
		}
	}
}

func TestSigningKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	created, err := loadSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	again, err := loadSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created.Equal(again) {
		t.Error("a restart read a different key from the same file")
	}

	corrupt := filepath.Join(dir, "corrupt.pem")
	if err := os.WriteFile(corrupt, []byte("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSigningKey(corrupt); err == nil {
		t.Error("a corrupt key file was accepted")
	}
	if data, _ := os.ReadFile(corrupt); !strings.Contains(string(data), "not base64") {
		t.Error("the corrupt key file was overwritten")
	}
}

// TestProfileFlagKnowsEveryProfile: each profile is accepted by its name, on
// the command line and as SANDBOX_PROFILE, and both the help and the error
// for an unknown name list every name.
func TestProfileFlagKnowsEveryProfile(t *testing.T) {
	var help, bad strings.Builder
	if _, err := parseConfig([]string{"--help"}, envOf(nil), &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if _, err := parseConfig([]string{"--profile", "lenient"}, envOf(nil), &bad); !errors.Is(err, ErrUsage) {
		t.Fatalf("--profile lenient: %v, want a usage error", err)
	}
	for _, p := range profile.All() {
		t.Run(p.String(), func(t *testing.T) {
			for name, c := range map[string]func() (config, error){
				"flag": func() (config, error) { return parseConfig([]string{"--profile", p.String()}, envOf(nil), io.Discard) },
				"env": func() (config, error) {
					return parseConfig(nil, envOf(map[string]string{"SANDBOX_PROFILE": p.String()}), io.Discard)
				},
			} {
				if cfg, err := c(); err != nil || cfg.Profile != p {
					t.Errorf("%s: profile %v, err %v; want %v", name, cfg.Profile, err, p)
				}
			}
			quoted := strconv.Quote(p.String())
			if !strings.Contains(help.String(), quoted+" ("+p.Summary()+")") {
				t.Errorf("--help does not describe %s:\n%s", quoted, help.String())
			}
			if !strings.Contains(bad.String(), quoted) {
				t.Errorf("the error %q does not list %s", bad.String(), quoted)
			}
		})
	}
}

// TestAsOfReachesTheData: the app serves members whose data runs up to
// --as-of.
func TestAsOfReachesTheData(t *testing.T) {
	a := startSandbox(t, sandboxOptions{Args: []string{"--as-of", "2023-05-31"}}).app
	m, ok := a.catalog.Member(generator.PatientID(7))
	if !ok {
		t.Fatal("no member 7")
	}
	end := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range m.Resources {
		if r.LastUpdated.After(end) {
			t.Fatalf("%s/%s updated %v, after --as-of 2023-05-31", r.Type, r.ID, r.LastUpdated)
		}
	}
}

// --store takes memory or a redis:// URL, from the flag or its twin.
func TestStoreFlag(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, nil, "memory"},
		{"flag", []string{"--store", "redis://redis:6379/2"}, nil, "redis://redis:6379/2"},
		{"twin", nil, map[string]string{"SANDBOX_STORE": "redis://127.0.0.1:6380"}, "redis://127.0.0.1:6380"},
		{"flag over twin", []string{"--store", "memory"}, map[string]string{"SANDBOX_STORE": "redis://redis:6379/0"}, "memory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseConfig(tc.args, envOf(tc.env), io.Discard)
			if err != nil || c.Store != tc.want {
				t.Fatalf("Store = %q (%v), want %q", c.Store, err, tc.want)
			}
		})
	}
}
