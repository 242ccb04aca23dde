package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// cold measures the first EOB page of members nobody has read yet, every
// request a different member, in one of two modes:
//
//   - login: what a test suite that logs in as many members gets. Each
//     member is logged in (an auto-approved flow, during which the server
//     builds the member) and its first EOB page read at once. It reports
//     members per second, and the latency of the page and of the login and
//     page together.
//   - page: the page alone. Tokens for n members are minted first; by the
//     time the pages are read, in the order the tokens were minted, those
//     members have long left the server's small cache of built members, so
//     each page builds its member again, indexes it and renders the page.
//
// Member numbers start at first and each member is used once, so a fresh
// sandbox has read none of them.
func cold(args []string) error {
	fs := flag.NewFlagSet("cold", flag.ExitOnError)
	base := fs.String("base", "", "sandbox base URL")
	mode := fs.String("mode", "login", "login (log in, then read the page) or page (the page alone)")
	first := fs.Int("first", 1000, "first member number; every member is used once")
	n := fs.Int("n", 2000, "most members read")
	conns := fs.Int("c", 8, "concurrent clients")
	d := fs.Duration("d", 10*time.Second, "longest the reads run")
	fs.Parse(args)
	if *base == "" || *n < 1 || *conns < 1 {
		return errors.New("cold: -base, -n ≥ 1 and -c ≥ 1 are required")
	}
	user := func(i int) string { return fmt.Sprintf("BCNCUser%02d", *first+i) }
	seen := &patients{ids: map[string]bool{}}
	switch *mode {
	case "login":
		res, err := coldRun(*conns, *n, *d, func(i int) (time.Duration, error) {
			tok, err := flow(*base, user(i), "patient/*.read")
			if err != nil {
				return 0, err
			}
			if err := seen.fresh(tok); err != nil {
				return 0, err
			}
			return firstPage(*base, tok)
		})
		if err != nil {
			return err
		}
		res.print("cold-login")
	case "page":
		tokens := make([]map[string]any, *n)
		if _, err := coldRun(*conns, *n, 10**d, func(i int) (time.Duration, error) {
			tok, err := flow(*base, user(i), "patient/*.read")
			if err == nil {
				err = seen.fresh(tok)
			}
			tokens[i] = tok
			return 0, err
		}); err != nil {
			return err
		}
		res, err := coldRun(*conns, *n, *d, func(i int) (time.Duration, error) {
			if tokens[i] == nil {
				return 0, errors.New("no token was minted for this member")
			}
			return firstPage(*base, tokens[i])
		})
		if err != nil {
			return err
		}
		res.print("cold-page")
	default:
		return fmt.Errorf("cold: unknown -mode %q", *mode)
	}
	return nil
}

// coldResult is what a cold run measured: per member, the latency of the
// whole step and of its page.
type coldResult struct {
	members, failed int
	took            time.Duration
	whole, page     []time.Duration
	firstErr        error
}

func (r *coldResult) print(label string) {
	fmt.Printf("%s members=%d rate=%.1f p50_ms=%.2f p99_ms=%.2f page_p50_ms=%.2f page_p99_ms=%.2f failed=%d\n",
		label, r.members, float64(r.members)/r.took.Seconds(), ms(quantile(r.whole, 0.50)), ms(quantile(r.whole, 0.99)),
		ms(quantile(r.page, 0.50)), ms(quantile(r.page, 0.99)), r.failed)
	if r.firstErr != nil {
		fmt.Fprintf(os.Stderr, "%s: %d failed, the first with: %v\n", label, r.failed, r.firstErr)
	}
}

// coldRun runs step(i) for i = 0, 1, ... on conns goroutines until n steps
// ran or d passed. A step returns the latency of its page (0 if it read
// none); the whole step is timed here.
func coldRun(conns, n int, d time.Duration, step func(i int) (time.Duration, error)) (*coldResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	res := &coldResult{}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				page, err := step(i)
				whole := time.Since(t)
				mu.Lock()
				if err != nil {
					res.failed++
					if res.firstErr == nil {
						res.firstErr = err
					}
				} else {
					res.members++
					res.whole = append(res.whole, whole)
					res.page = append(res.page, page)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.took = time.Since(start)
	if res.members == 0 && res.firstErr != nil {
		return nil, res.firstErr
	}
	return res, nil
}

// firstPage reads the first EOB page of the token's patient and returns
// how long it took.
func firstPage(base string, tok map[string]any) (time.Duration, error) {
	access, _ := tok["access_token"].(string)
	patient, _ := tok["patient"].(string)
	req, _ := http.NewRequest(http.MethodGet, base+fhirPath+"/ExplanationOfBenefit?patient="+patient, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	t := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(t)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("the first EOB page of %s answered %d", patient, resp.StatusCode)
	}
	return took, nil
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// patients is the set of patients the tokens of a run were for.
type patients struct {
	mu  sync.Mutex
	ids map[string]bool
}

// fresh refuses a token for a patient an earlier token was for: an
// auto-approving sandbox answers a login_hint that names no member (one past
// --members) as its default user, which would make every read after the
// first a warm one.
func (p *patients) fresh(tok map[string]any) error {
	id, _ := tok["patient"].(string)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids[id] {
		return fmt.Errorf("a second token for patient %q: is -first + -n past the sandbox's --members?", id)
	}
	p.ids[id] = true
	return nil
}
