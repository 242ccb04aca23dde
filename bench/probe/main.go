// Command probe is bench/run.sh's load generator and stopwatch for what wrk
// cannot do alone: token grants whose refresh tokens rotate, whole
// authorization flows, first reads of never-read members, start-up time and
// resident memory. It talks only to
// the loopback addresses it is given, and every loop is bounded in time.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	issuerPath = "/fhirmember/sps/oauth/oauth20"
	fhirPath   = "/fhir/sb/R4/patientaccess"
	clientID   = "JVjR77J3j4BaRVqoDtLx"
	secret     = "SR3SrK6U1WpGOdjWS2LY"
	redirect   = "https://oidcdebugger.com/debug"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe startup|token|refresh|flows|cold|rss [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "startup":
		err = startup(os.Args[2:])
	case "token":
		err = printToken(os.Args[2:])
	case "refresh":
		err = refreshLoad(os.Args[2:])
	case "flows":
		err = flowLoad(os.Args[2:])
	case "cold":
		err = cold(os.Args[2:])
	case "rss":
		err = rss(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

var client = &http.Client{
	Timeout:       10 * time.Second,
	Transport:     &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// startup execs the sandbox and reports the milliseconds until /health
// first answers 200, then stops it.
func startup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	bin := fs.String("bin", "", "sandbox binary")
	addr := fs.String("addr", "127.0.0.1:18090", "listen address")
	runs := fs.Int("runs", 5, "runs; the median is reported")
	fs.Parse(args)
	var took []time.Duration
	for i := 0; i < *runs; i++ {
		cmd := exec.Command(*bin, append([]string{"--addr", *addr}, fs.Args()...)...)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		d, err := waitHealthy("http://"+*addr+"/health", start, 10*time.Second)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if err != nil {
			return err
		}
		took = append(took, d)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	fmt.Printf("%.1f\n", float64(took[len(took)/2].Microseconds())/1000)
	return nil
}

func waitHealthy(u string, start time.Time, limit time.Duration) (time.Duration, error) {
	c := &http.Client{Timeout: time.Second}
	for time.Since(start) < limit {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return 0, errors.New("not healthy within " + limit.String())
}

// flow runs one auto-approved authorization: /authorize answers at once
// with a redirect carrying a code, which is exchanged for tokens.
func flow(base, loginHint, scope string) (map[string]any, error) {
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
		"scope": {scope}, "state": {"bench-state-0123456789abcdef"}, "login_hint": {loginHint}}
	resp, err := client.Get(base + issuerPath + "/authorize?" + q.Encode())
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return nil, fmt.Errorf("authorize answered %d without a code (is --auto-approve set?)", resp.StatusCode)
	}
	return postToken(base+issuerPath+"/token", url.Values{"grant_type": {"authorization_code"},
		"code": {loc.Query().Get("code")}, "redirect_uri": {redirect}})
}

func postToken(tokenURL string, form url.Values) (map[string]any, error) {
	req, _ := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, secret)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token endpoint answered %d: %v", resp.StatusCode, out)
	}
	return out, nil
}

func printToken(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	base := fs.String("base", "", "sandbox base URL")
	user := fs.String("user", "BCNCUser04", "login_hint")
	fs.Parse(args)
	tok, err := flow(*base, *user, "patient/*.read offline_access")
	if err != nil {
		return err
	}
	fmt.Println(tok["access_token"])
	return nil
}

// result is what a load loop measured.
type result struct {
	ok, failed int64
	took       time.Duration
	latencies  []time.Duration
}

func (r *result) print(label string) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	p99 := time.Duration(0)
	if n := len(r.latencies); n > 0 {
		p99 = r.latencies[n*99/100]
	}
	fmt.Printf("%s rate=%.1f ok=%d failed=%d p99_ms=%.2f\n", label, float64(r.ok)/r.took.Seconds(), r.ok, r.failed, float64(p99.Microseconds())/1000)
}

// load runs work on conns goroutines for d and counts what succeeded.
func load(conns int, d time.Duration, setup func(worker int) (func() error, error)) (*result, error) {
	works := make([]func() error, conns)
	for i := range works {
		w, err := setup(i)
		if err != nil {
			return nil, err
		}
		works[i] = w
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var lats []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for _, w := range works {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil {
				t := time.Now()
				if err := w(); err != nil {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
				ok.Add(1)
			}
			mu.Lock()
			lats = append(lats, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return &result{ok: ok.Load(), failed: failed.Load(), took: time.Since(start), latencies: lats}, nil
}

// refreshLoad hammers a token endpoint with refresh_token grants. Each
// worker keeps its own chain, because the sandbox rotates refresh tokens
// and a reused one is refused (RFC 6749 §10.4).
func refreshLoad(args []string) error {
	fs := flag.NewFlagSet("refresh", flag.ExitOnError)
	tokenURL := fs.String("token-url", "", "token endpoint")
	base := fs.String("sandbox", "", "sandbox base URL: each worker first gets its own refresh token there")
	conns := fs.Int("c", 64, "concurrent clients")
	d := fs.Duration("d", 10*time.Second, "duration")
	fs.Parse(args)
	res, err := load(*conns, *d, func(int) (func() error, error) {
		rt := "peer-has-no-state"
		if *base != "" {
			tok, err := flow(*base, "BCNCUser04", "patient/*.read offline_access")
			if err != nil {
				return nil, err
			}
			rt, _ = tok["refresh_token"].(string)
		}
		return func() error {
			tok, err := postToken(*tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
			if err != nil {
				return err
			}
			if next, _ := tok["refresh_token"].(string); next != "" {
				rt = next
			}
			return nil
		}, nil
	})
	if err != nil {
		return err
	}
	res.print("refresh")
	return nil
}

// flowLoad runs whole auto-approved flows with openid, one RS256 id_token each.
func flowLoad(args []string) error {
	fs := flag.NewFlagSet("flows", flag.ExitOnError)
	base := fs.String("base", "", "sandbox base URL")
	conns := fs.Int("c", 16, "concurrent clients")
	d := fs.Duration("d", 10*time.Second, "duration")
	fs.Parse(args)
	res, err := load(*conns, *d, func(int) (func() error, error) {
		return func() error {
			tok, err := flow(*base, "BCNCUser04", "openid fhirUser patient/*.read")
			if err == nil && tok["id_token"] == nil {
				err = errors.New("no id_token")
			}
			return err
		}, nil
	})
	if err != nil {
		return err
	}
	res.print("flows")
	return nil
}

// rss reads the Patient and first EOB page of n distinct generated members,
// each with its own token, then reports the server's resident memory.
func rss(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ExitOnError)
	base := fs.String("base", "", "sandbox base URL")
	pid := fs.Int("pid", 0, "sandbox process id")
	n := fs.Int("n", 10000, "distinct members")
	conns := fs.Int("c", 16, "concurrent clients")
	fs.Parse(args)
	before, err := vmRSS(*pid)
	if err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < *conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				if err := readMember(*base, 7+i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	after, err := vmRSS(*pid)
	if err != nil {
		return err
	}
	fmt.Printf("rss_before_mb=%.1f rss_after_mb=%.1f members=%d\n", before, after, *n)
	return nil
}

func readMember(base string, number int) error {
	tok, err := flow(base, fmt.Sprintf("BCNCUser%02d", number), "patient/*.read")
	if err != nil {
		return err
	}
	access, _ := tok["access_token"].(string)
	patient, _ := tok["patient"].(string)
	for _, u := range []string{base + fhirPath + "/Patient/" + patient, base + fhirPath + "/ExplanationOfBenefit?patient=" + patient} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", u, resp.StatusCode)
		}
	}
	return nil
}

// vmRSS reads a process's resident set size in MiB from /proc.
func vmRSS(pid int) (float64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}
