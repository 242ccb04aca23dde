package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Redis is a Store in a Redis server that every replica reaches. Each
// decision replicas race for is one atomic command or Lua script there
// (SET NX for a single use, a script for a fault's remaining count), and
// every change is published on one channel, which each replica hears
// through one subscription.
type Redis struct {
	client *redis.Client
	prefix string // of every key and the channel
	log    *slog.Logger

	mu       sync.Mutex // guards handlers and nextSub
	handlers map[int]func(Event) error
	nextSub  int

	// heard is when the subscription last heard from the server (real
	// Unix ns), 0 while it is down or reloading.
	heard  atomic.Int64
	cancel context.CancelFunc
	done   chan struct{}
}

const (
	// heartbeat is how often a quiet subscription pings the server; one
	// that hears nothing for staleAfter is taken as down.
	heartbeat  = 250 * time.Millisecond
	staleAfter = 4 * heartbeat
	// opTimeout bounds every command: a store that does not answer within
	// it is unavailable, and the request answers 503 rather than hang.
	opTimeout = 2 * time.Second
	// retryEvery is how soon a lost subscription is tried again.
	retryEvery = 200 * time.Millisecond
)

// ParseURL checks a redis:// URL as --store takes it: host, port and an
// optional database number, nothing else.
func ParseURL(raw string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "redis" {
		return nil, fmt.Errorf("%q is not memory or a redis:// URL", raw)
	}
	if u.Host == "" || u.Port() == "" {
		return nil, fmt.Errorf("%q: give host and port, as redis://redis:6379/0", raw)
	}
	if _, err := strconv.Atoi(u.Port()); err != nil {
		return nil, fmt.Errorf("%q: the port is not a number", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: no query or fragment", raw)
	}
	db := 0
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		if db, err = strconv.Atoi(p); err != nil || db < 0 || db > 15 {
			return nil, fmt.Errorf("%q: the path is a database number from 0 to 15", raw)
		}
	}
	o := &redis.Options{Addr: net.JoinHostPort(u.Hostname(), u.Port()), DB: db}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	return o, nil
}

// NewRedis connects to the server at rawURL (ParseURL) and starts
// listening. It does not wait for the server: until it answers, every
// operation and Live report ErrUnavailable, and the subscription keeps
// trying.
func NewRedis(rawURL string, log *slog.Logger) (*Redis, error) {
	o, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = opTimeout, opTimeout, opTimeout, opTimeout
	o.MaxRetries = 1
	// RESP2: under RESP3 this client version reads pending push
	// notifications before each pub/sub read with no deadline, and a quiet
	// subscription then blocks for good instead of timing out to ping.
	o.Protocol = 2
	o.DisableIdentity = true // CLIENT SETINFO is Redis 7.2's; Debian 12 ships 7.0
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The client's own log repeats every failed dial while the server is
	// down; the subscription says so once (listen), so the client's goes
	// to debug.
	redis.SetLogger(clientLog{log})
	ctx, cancel := context.WithCancel(context.Background())
	r := &Redis{client: redis.NewClient(o), prefix: "sandbox:", log: log, handlers: map[int]func(Event) error{},
		cancel: cancel, done: make(chan struct{})}
	go r.listen(ctx)
	return r, nil
}

var _ Store = (*Redis)(nil)

// clientLog is the client's log, at debug level.
type clientLog struct{ log *slog.Logger }

func (l clientLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

func (r *Redis) key(ns, name string) string { return r.prefix + ns + ":" + name }
func (r *Redis) channel() string            { return r.prefix + "events" }

func (r *Redis) message(e Event) string {
	b, _ := json.Marshal(e)
	return string(b)
}

// wrap turns a client error into ErrUnavailable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return Unavailable(op, err)
}

func opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, opTimeout)
}

// Spend implements Store: SET NX, expiring when the value is void.
func (r *Redis) Spend(ctx context.Context, ns, id string, until time.Time) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	// A value already void could not be used anyway; a second keeps the
	// key valid for SET, which refuses an expiry in the past.
	until = maxTime(until, time.Now().Add(time.Second))
	_, err := r.client.SetArgs(ctx, r.key(ns, "spent:"+id), "1", redis.SetArgs{Mode: "NX", ExpireAt: until}).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return false, nil
	case err != nil:
		return false, wrap("spend", err)
	}
	return true, nil
}

// Spent implements Store.
func (r *Redis) Spent(ctx context.Context, ns, id string) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	n, err := r.client.Exists(ctx, r.key(ns, "spent:"+id)).Result()
	return n > 0, wrap("spent", err)
}

// revokeScript keeps the later until of id in the ns's sorted set of
// revocations, drops the void ones, keeps the set until its last one is
// void, and publishes the revocation.
var revokeScript = redis.NewScript(`
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last > 0 then redis.call('PEXPIREAT', KEYS[1], last[2]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`)

// Revoke implements Store.
func (r *Redis) Revoke(ctx context.Context, ns, id string, until time.Time) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	msg := r.message(Event{NS: ns, Kind: Revoked, ID: id, Until: until.UnixMilli()})
	err := revokeScript.Run(ctx, r.client, []string{r.key(ns, "revoked")},
		id, until.UnixMilli(), time.Now().UnixMilli(), r.channel(), msg).Err()
	return wrap("revoke", err)
}

// Revocations implements Store.
func (r *Redis) Revocations(ctx context.Context, ns string) (map[string]time.Time, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	zs, err := r.client.ZRangeByScoreWithScores(ctx, r.key(ns, "revoked"), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(time.Now().UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, wrap("revocations", err)
	}
	out := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		id, _ := z.Member.(string)
		out[id] = time.UnixMilli(int64(z.Score))
	}
	return out, nil
}

// putGrantScript records a grant and its place in the member's set, which
// lives as long as the member's longest grant.
var putGrantScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
local ttl = redis.call('PTTL', KEYS[2])
local left = tonumber(ARGV[2]) - tonumber(ARGV[4])
if ttl < 0 or left > ttl then redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return 1`)

// PutGrant implements Store.
func (r *Redis) PutGrant(ctx context.Context, ns, patient, family string, rec []byte, until time.Time) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	until = maxTime(until, time.Now().Add(time.Second))
	err := putGrantScript.Run(ctx, r.client, []string{r.key(ns, "grant:"+family), r.key(ns, "grants:"+patient)},
		rec, until.UnixMilli(), family, time.Now().UnixMilli()).Err()
	return wrap("grant", err)
}

// Grants implements Store.
func (r *Redis) Grants(ctx context.Context, ns, patient string) ([][]byte, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	families, err := r.client.SMembers(ctx, r.key(ns, "grants:"+patient)).Result()
	if err != nil {
		return nil, wrap("grants", err)
	}
	if len(families) == 0 {
		return nil, nil
	}
	keys := make([]string, len(families))
	for i, f := range families {
		keys[i] = r.key(ns, "grant:"+f)
	}
	vals, err := r.client.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, wrap("grants", err)
	}
	var out [][]byte
	var gone []any
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			gone = append(gone, families[i])
			continue
		}
		out = append(out, []byte(s))
	}
	if len(gone) > 0 {
		// Expired or dropped: the set forgets them too (best effort).
		_ = r.client.SRem(ctx, r.key(ns, "grants:"+patient), gone...).Err()
	}
	return out, nil
}

// DropGrant implements Store.
func (r *Redis) DropGrant(ctx context.Context, ns, family string) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	return wrap("drop grant", r.client.Del(ctx, r.key(ns, "grant:"+family)).Err())
}

// loginFailScript counts a failure in the account's window (times in Unix
// ms of the sandbox clock) and, at the maximum, locks it. The counter
// lives at most the window and the lock the cool-down, in real time: the
// sandbox clock never reads earlier than real time, so both are over by
// then on either clock.
var loginFailScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '0')
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count == 0 or now - first >= tonumber(ARGV[2]) then first = now; count = 0 end
count = count + 1
if count >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  local untilMS = now + tonumber(ARGV[4])
  redis.call('SET', KEYS[2], string.format('%d', untilMS), 'PX', ARGV[4])
  return string.format('%d', untilMS)
end
redis.call('HSET', KEYS[1], 'first', string.format('%d', first), 'count', count)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return '0'`)

// LoginFailed implements Store.
func (r *Redis) LoginFailed(ctx context.Context, ns, account string, now time.Time, p Throttle) (time.Time, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	s, err := loginFailScript.Run(ctx, r.client, []string{r.key(ns, "login:count:"+account), r.key(ns, "login:lock:"+account)},
		now.UnixMilli(), p.Window.Milliseconds(), p.Max, p.CoolDown.Milliseconds()).Text()
	if err != nil {
		return time.Time{}, wrap("login failure", err)
	}
	ms, _ := strconv.ParseInt(s, 10, 64)
	if ms == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(ms), nil
}

// LoginLocked implements Store.
func (r *Redis) LoginLocked(ctx context.Context, ns, account string) (time.Time, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	s, err := r.client.Get(ctx, r.key(ns, "login:lock:"+account)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, wrap("login lock", err)
	}
	ms, _ := strconv.ParseInt(s, 10, 64)
	return time.UnixMilli(ms), nil
}

// LoginSucceeded implements Store.
func (r *Redis) LoginSucceeded(ctx context.Context, ns, account string) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	return wrap("login success", r.client.Del(ctx, r.key(ns, "login:count:"+account)).Err())
}

// The armed faults of a namespace are one hash: spec:{id}, left:{id} and
// fired:{id} for each, so that arming, firing and clearing are each one
// atomic step.
var armScript = redis.NewScript(`
if redis.call('HLEN', KEYS[1]) / 3 >= tonumber(ARGV[3]) then return -1 end
local id = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'spec:'..id, ARGV[1], 'left:'..id, ARGV[2], 'fired:'..id, 0)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return id`)

var fireScript = redis.NewScript(`
local left = tonumber(redis.call('HGET', KEYS[1], 'left:'..ARGV[1]) or '0')
if left <= 0 then return -1 end
local fired = redis.call('HINCRBY', KEYS[1], 'fired:'..ARGV[1], 1)
if left <= 1 then
  redis.call('HDEL', KEYS[1], 'spec:'..ARGV[1], 'left:'..ARGV[1], 'fired:'..ARGV[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
else
  redis.call('HSET', KEYS[1], 'left:'..ARGV[1], left - 1)
end
return fired`)

// ArmFault implements Store.
func (r *Redis) ArmFault(ctx context.Context, ns string, spec []byte, count, limit int) (int, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	id, err := armScript.Run(ctx, r.client, []string{r.key(ns, "faults"), r.key(ns, "faultseq")},
		string(spec), max(count, 1), limit, r.channel(), r.message(Event{NS: ns, Kind: Faults})).Int()
	switch {
	case err != nil:
		return 0, wrap("arm fault", err)
	case id < 0:
		return 0, ErrLimit
	}
	return id, nil
}

// Faults implements Store.
func (r *Redis) Faults(ctx context.Context, ns string) ([]Fault, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	h, err := r.client.HGetAll(ctx, r.key(ns, "faults")).Result()
	if err != nil {
		return nil, wrap("faults", err)
	}
	byID := map[int]*Fault{}
	for k, v := range h {
		field, idText, _ := strings.Cut(k, ":")
		id, err := strconv.Atoi(idText)
		if err != nil {
			continue
		}
		f := byID[id]
		if f == nil {
			f = &Fault{ID: id}
			byID[id] = f
		}
		switch field {
		case "spec":
			f.Spec = []byte(v)
		case "left":
			f.Left, _ = strconv.Atoi(v)
		case "fired":
			f.Fired, _ = strconv.Atoi(v)
		}
	}
	var out []Fault
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		if f := byID[id]; f.Spec != nil && f.Left > 0 {
			out = append(out, *f)
		}
	}
	return out, nil
}

// FireFault implements Store.
func (r *Redis) FireFault(ctx context.Context, ns string, id int) (int, bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	fired, err := fireScript.Run(ctx, r.client, []string{r.key(ns, "faults")},
		id, r.channel(), r.message(Event{NS: ns, Kind: Faults})).Int()
	if err != nil {
		return 0, false, wrap("fire fault", err)
	}
	return fired, fired > 0, nil
}

// ClearFaults implements Store.
func (r *Redis) ClearFaults(ctx context.Context, ns string) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, r.key(ns, "faults"))
		p.Publish(ctx, r.channel(), r.message(Event{NS: ns, Kind: Faults}))
		return nil
	})
	return wrap("clear faults", err)
}

// advanceScript adds ARGV[1] (ns) to the offset unless it would pass
// ARGV[2]. The sum is INCRBY's, in 64-bit integers; only the bound check
// is in Lua's doubles, exact to well under a microsecond at its scale.
var advanceScript = redis.NewScript(`
local off = tonumber(redis.call('GET', KEYS[1]) or '0')
if off > tonumber(ARGV[2]) - tonumber(ARGV[1]) then return {0, redis.call('GET', KEYS[1]) or '0'} end
redis.call('INCRBY', KEYS[1], ARGV[1])
local s = redis.call('GET', KEYS[1])
redis.call('PUBLISH', ARGV[3], ARGV[4]..s..'}')
return {1, s}`)

// AdvanceClock implements Store.
func (r *Redis) AdvanceClock(ctx context.Context, ns string, d, limit time.Duration) (time.Duration, bool, error) {
	if d <= 0 {
		off, err := r.ClockOffset(ctx, ns)
		return off, false, err
	}
	ctx, cancel := opContext(ctx)
	defer cancel()
	head := strings.TrimSuffix(r.message(Event{NS: ns, Kind: Clock, Offset: 1}), "1}")
	res, err := advanceScript.Run(ctx, r.client, []string{r.key(ns, "clock")},
		int64(d), int64(limit), r.channel(), head).Slice()
	if err != nil {
		return 0, false, wrap("advance clock", err)
	}
	if len(res) != 2 {
		return 0, false, wrap("advance clock", fmt.Errorf("unexpected answer %v", res))
	}
	ok, _ := res[0].(int64)
	s, _ := res[1].(string)
	off, _ := strconv.ParseInt(s, 10, 64)
	return time.Duration(off), ok == 1, nil
}

// ClockOffset implements Store.
func (r *Redis) ClockOffset(ctx context.Context, ns string) (time.Duration, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	off, err := r.client.Get(ctx, r.key(ns, "clock")).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	return time.Duration(off), wrap("clock", err)
}

// AppendEdit implements Store.
func (r *Redis) AppendEdit(ctx context.Context, ns string, edit []byte) (int64, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var n *redis.IntCmd
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.RPush(ctx, r.key(ns, "edits"), edit)
		p.Publish(ctx, r.channel(), r.message(Event{NS: ns, Kind: Edits}))
		return nil
	})
	if err != nil {
		return 0, wrap("member edit", err)
	}
	return n.Val() - 1, nil
}

// Edits implements Store.
func (r *Redis) Edits(ctx context.Context, ns string, from int64) ([][]byte, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	list, err := r.client.LRange(ctx, r.key(ns, "edits"), from, -1).Result()
	if err != nil {
		return nil, wrap("member edits", err)
	}
	out := make([][]byte, len(list))
	for i, s := range list {
		out[i] = []byte(s)
	}
	return out, nil
}

// Reset implements Store.
func (r *Redis) Reset(ctx context.Context, ns string) error {
	ctx, cancel := opContext(ctx)
	defer cancel()
	keys := []string{r.key(ns, "clock"), r.key(ns, "faults"), r.key(ns, "edits")}
	iter := r.client.Scan(ctx, 0, r.key(ns, "login:*"), 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return wrap("reset", err)
	}
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, keys...)
		p.Publish(ctx, r.channel(), r.message(Event{NS: ns, Kind: Reset}))
		return nil
	})
	return wrap("reset", err)
}

// PutWorkspace implements Store.
func (r *Redis) PutWorkspace(ctx context.Context, name string, spec []byte) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var set *redis.BoolCmd
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		set = p.HSetNX(ctx, r.prefix+"workspaces", name, spec)
		p.Publish(ctx, r.channel(), r.message(Event{NS: name, Kind: Workspaces}))
		return nil
	})
	if err != nil {
		return false, wrap("workspace", err)
	}
	return set.Val(), nil
}

// Workspaces implements Store.
func (r *Redis) Workspaces(ctx context.Context) (map[string][]byte, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	h, err := r.client.HGetAll(ctx, r.prefix+"workspaces").Result()
	if err != nil {
		return nil, wrap("workspaces", err)
	}
	out := make(map[string][]byte, len(h))
	for k, v := range h {
		out[k] = []byte(v)
	}
	return out, nil
}

// DeleteWorkspace implements Store.
func (r *Redis) DeleteWorkspace(ctx context.Context, name string) (bool, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	var n *redis.IntCmd
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.HDel(ctx, r.prefix+"workspaces", name)
		p.Set(ctx, r.key(Namespace(name), "floor"), strconv.FormatInt(time.Now().UnixMilli(), 10), floorKeep)
		p.Publish(ctx, r.channel(), r.message(Event{NS: name, Kind: Workspaces}))
		return nil
	})
	if err != nil {
		return false, wrap("delete workspace", err)
	}
	return n.Val() > 0, nil
}

// Floor implements Store.
func (r *Redis) Floor(ctx context.Context, ns string) (time.Time, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	v, err := r.client.Get(ctx, r.key(ns, "floor")).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, wrap("floor", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, wrap("floor", fmt.Errorf("%q is not a time", v))
	}
	return time.UnixMilli(ms), nil
}

// Epoch implements Store: the first replica to ask after the data began
// records when.
func (r *Redis) Epoch(ctx context.Context) (time.Time, error) {
	ctx, cancel := opContext(ctx)
	defer cancel()
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	old, err := r.client.SetArgs(ctx, r.prefix+"epoch", now, redis.SetArgs{Mode: "NX", Get: true}).Result()
	switch {
	case errors.Is(err, redis.Nil):
		old = now
	case err != nil:
		return time.Time{}, wrap("epoch", err)
	}
	ms, err := strconv.ParseInt(old, 10, 64)
	if err != nil {
		return time.Time{}, wrap("epoch", fmt.Errorf("%q is not a time", old))
	}
	return time.UnixMilli(ms), nil
}

// Subscribe implements Store. The handlers run on the subscription's
// goroutine; a Resync comes after every (re)subscription, before the
// replica counts as Live again.
func (r *Redis) Subscribe(h func(Event) error) func() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextSub++
	id := r.nextSub
	r.handlers[id] = h
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.handlers, id)
	}
}

// dispatch calls every handler with e and returns the first error.
func (r *Redis) dispatch(e Event) error {
	r.mu.Lock()
	hs := slices.Collect(maps.Values(r.handlers))
	r.mu.Unlock()
	var first error
	for _, h := range hs {
		if err := h(e); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Live implements Store.
func (r *Redis) Live() error {
	heard := r.heard.Load()
	if heard == 0 {
		return Unavailable("subscription", errors.New("not subscribed"))
	}
	if since := time.Since(time.Unix(0, heard)); since > staleAfter {
		return Unavailable("subscription", fmt.Errorf("nothing heard for %s", since.Round(time.Millisecond)))
	}
	return nil
}

// listen keeps one subscription to the channel: on every (re)subscription
// it has the handlers reload (Resync) before it counts as live, and it
// pings a quiet connection every heartbeat, so that a silent one is found
// within staleAfter.
func (r *Redis) listen(ctx context.Context) {
	defer close(r.done)
	down := false
	for ctx.Err() == nil {
		err := r.subscribeOnce(ctx)
		r.heard.Store(0)
		if ctx.Err() != nil {
			return
		}
		if !down {
			r.log.Warn("the shared store is unreachable; answering 503 to what needs it until it is back", "err", err)
			down = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retryEvery):
		}
		if r.client.Ping(ctx).Err() == nil && down {
			r.log.Info("the shared store answers again; resubscribing")
			down = false
		}
	}
}

func (r *Redis) subscribeOnce(ctx context.Context) error {
	ps := r.client.Subscribe(ctx, r.channel())
	defer ps.Close()
	if _, err := ps.ReceiveTimeout(ctx, opTimeout); err != nil { // the subscription's confirmation
		return err
	}
	if err := r.dispatch(Event{Kind: Resync}); err != nil {
		return fmt.Errorf("reloading after subscribing: %w", err)
	}
	r.heard.Store(time.Now().UnixNano())
	lastPing := time.Now()
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, heartbeat)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
		}
		now := time.Now()
		switch m := msg.(type) {
		case *redis.Message:
			r.heard.Store(now.UnixNano())
			var e Event
			if json.Unmarshal([]byte(m.Payload), &e) == nil && e.Kind != Resync {
				_ = r.dispatch(e) // a handler keeps what it can; only a Resync can fail
			}
		case *redis.Pong, *redis.Subscription:
			r.heard.Store(now.UnixNano())
		}
		if now.Sub(time.Unix(0, r.heard.Load())) > staleAfter {
			return errors.New("the subscription heard nothing, not even a pong")
		}
		if now.Sub(lastPing) >= heartbeat {
			lastPing = now
			if err := ps.Ping(ctx); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// Close implements Store.
func (r *Redis) Close() error {
	r.cancel()
	<-r.done
	return r.client.Close()
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
