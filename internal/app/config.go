package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bcbsnc-sandbox/sandbox/generator"
	"github.com/bcbsnc-sandbox/sandbox/internal/profile"
	"github.com/bcbsnc-sandbox/sandbox/internal/store"
)

// ErrUsage marks a configuration error: main prints it and exits 2, as a
// command-line tool does for bad flags.
var ErrUsage = errors.New("usage")

// config is every setting of the sandbox (README, "Settings"). Each flag has an
// environment twin, SANDBOX_ plus the flag's name in upper case with dashes
// turned into underscores; a flag given on the command line wins over its twin.
type config struct {
	Addr          string
	BaseURL       string
	Seed          int64
	Members       int
	AsOf          time.Time
	Profile       profile.Profile
	ClientsFile   string
	SigningKey    string
	AutoApprove   string
	TokenTTL      time.Duration
	TLSCert       string
	TLSKey        string
	TLSSelfSigned bool
	LogFormat     string
	// Control serves the control API under /sandbox/; ControlHosts are the
	// comma-separated host names, beyond loopback and the --base-url host,
	// it answers on (README, "Running it where others can reach it").
	Control      bool
	ControlHosts string
	// Workspaces is how many workspaces may exist at once (0: none);
	// WorkspaceIdle is how long one may go unused before it is forgotten
	// (README, "Workspaces").
	Workspaces    int
	WorkspaceIdle time.Duration
	// Store is "memory", the process's own state, or a redis:// URL of
	// the state replicas share (README, "Running replicas").
	Store string
	// shared, set by tests only, is a store replicas in one process share
	// (store.Memory), in place of what Store says.
	shared store.Store
}

// envName is the environment twin of a flag: "base-url" → "SANDBOX_BASE_URL".
func envName(flagName string) string {
	return "SANDBOX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig reads args (without the program name) and the environment.
// Help output and errors go to stderr; a returned error wraps ErrUsage.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	var profileName string // parsed once the flags and their twins are read
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", ":8080", "listen address")
	fs.StringVar(&c.BaseURL, "base-url", "", "public base URL for the issuer, links and fullUrl (empty: from the request's scheme and Host, honouring X-Forwarded-Proto and X-Forwarded-Host)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the synthetic data")
	fs.IntVar(&c.Members, "members", 10000, "generated members beyond the docs' fixtures (BCNCUser07 upwards)")
	c.AsOf = generator.DefaultAsOf
	fs.Func("as-of", `"today" in the generated data, YYYY-MM-DD: claims run up to a week before it (default `+generator.DefaultAsOf.Format(time.DateOnly)+`)`,
		func(s string) (err error) { c.AsOf, err = generator.ParseAsOf(s); return err })
	fs.StringVar(&profileName, "profile", profile.BCBSNC.String(), profile.Help())
	fs.StringVar(&c.ClientsFile, "clients", "", "JSON file of extra registered clients")
	fs.StringVar(&c.SigningKey, "signing-key", "", "PEM RSA key file for tokens; created (0600) when missing; empty: a new key in memory")
	fs.StringVar(&c.AutoApprove, "auto-approve", "", "a username: /authorize skips every screen and approves as that user (or as login_hint)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", time.Hour, "access-token lifetime")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key file of --tls-cert")
	fs.BoolVar(&c.TLSSelfSigned, "tls-self-signed", false, "serve HTTPS with a certificate made at start for localhost")
	fs.StringVar(&c.LogFormat, "log-format", "text", `request log format: "text" or "json"`)
	fs.BoolVar(&c.Control, "control", true, "serve the control API under /sandbox/ (false: every /sandbox path answers 404)")
	fs.IntVar(&c.Workspaces, "workspaces", 100, "workspaces that may exist at once under /w/{name}/ (0: none)")
	fs.DurationVar(&c.WorkspaceIdle, "workspace-idle", time.Hour, "a workspace unused this long is forgotten with everything in it")
	fs.StringVar(&c.Store, "store", "memory", `where the state replicas must share lives: "memory" (this process only) or redis://host:port/db`)
	fs.StringVar(&c.ControlHosts, "control-hosts", "", "comma-separated host names the control API answers on besides loopback and the --base-url host (e.g. sandbox, the compose service name)")

	// Environment twins become the defaults, so that a flag on the command
	// line still wins over them.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%w: %s=%q: %v", ErrUsage, name, v, err)
			}
		}
	})
	if envErr != nil {
		fmt.Fprintln(stderr, envErr)
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return c, usageError(stderr, "unexpected argument %q", fs.Arg(0))
	}
	p, err := profile.Parse(profileName)
	if err != nil {
		return c, usageError(stderr, "--profile %v", err)
	}
	c.Profile = p
	return c, c.check(stderr)
}

// check rejects settings that cannot work, with a message that names the flag.
func (c config) check(stderr io.Writer) error {
	switch {
	case c.Members < 0:
		return usageError(stderr, "--members must be 0 or more, not %d", c.Members)
	case c.Members > 10_000_000:
		return usageError(stderr, "--members must be at most 10000000, not %d", c.Members)
	case c.TokenTTL < time.Second:
		return usageError(stderr, "--token-ttl must be at least 1s, not %s", c.TokenTTL)
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return usageError(stderr, "--tls-cert and --tls-key go together")
	case c.TLSSelfSigned && c.TLSCert != "":
		return usageError(stderr, "--tls-self-signed and --tls-cert exclude each other")
	case c.Workspaces < 0 || c.Workspaces > maxWorkspaces:
		return usageError(stderr, "--workspaces must be from 0 to %d, not %d", maxWorkspaces, c.Workspaces)
	case c.WorkspaceIdle < time.Minute:
		return usageError(stderr, "--workspace-idle must be at least 1m, not %s", c.WorkspaceIdle)
	case c.LogFormat != "text" && c.LogFormat != "json":
		return usageError(stderr, `--log-format must be "text" or "json", not %q`, c.LogFormat)
	}
	if c.Store != "memory" {
		if _, err := store.ParseURL(c.Store); err != nil {
			return usageError(stderr, "--store: %v", err)
		}
	}
	if c.BaseURL != "" {
		if err := checkBaseURL(c.BaseURL); err != nil {
			return usageError(stderr, "--base-url: %v", err)
		}
	}
	for _, h := range strings.Split(c.ControlHosts, ",") {
		if h = strings.TrimSpace(h); h != "" && !hostName(h) {
			return usageError(stderr, "--control-hosts: %q is not a host name (list names such as sandbox or ci.example.com, without scheme or port)", h)
		}
	}
	return nil
}

// maxWorkspaces is the most --workspaces may allow: each costs memory
// (README, "Limits").
const maxWorkspaces = 1000

// hostName accepts a DNS name or an IP address, nothing with a scheme, port
// or path: what the control API compares a request's Host with.
func hostName(h string) bool {
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// controlHosts are the host names the control API answers on besides
// loopback: the --base-url host and each of --control-hosts.
func (c config) controlHosts() []string {
	var hosts []string
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	for _, h := range strings.Split(c.ControlHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
		}
	}
	return hosts
}

func usageError(stderr io.Writer, format string, args ...any) error {
	err := fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
	fmt.Fprintf(stderr, "sandbox: %s (see --help)\n", fmt.Sprintf(format, args...))
	return err
}

// tlsEnabled says whether the server speaks HTTPS.
func (c config) tlsEnabled() bool { return c.TLSCert != "" || c.TLSSelfSigned }

// describe lists the settings for the start-up banner.
func (c config) describe() string {
	s := fmt.Sprintf("profile=%s seed=%d members=%s token-ttl=%s", c.Profile, c.Seed, strconv.Itoa(c.Members), c.TokenTTL)
	if c.Store != "memory" {
		s += " store=redis"
	}
	return s
}
