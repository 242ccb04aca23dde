#!/usr/bin/env bash
# bench/run.sh: measures the sandbox against references run side by side on
# this machine, prints a table and writes bench/results.md.
#
# Loopback only. Every server it starts is stopped by PID on exit, every load
# runs for a bounded time, and the whole run takes about eight minutes.
# Needs Go, root for apt-get (wrk, nginx) and npm (the peer mock).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}   # seconds per load
ROUNDS=${BENCH_ROUNDS:-5}        # the interleaved rounds of the EOB page and the flows
SLICE=${BENCH_SLICE:-3}          # seconds each EOB server gets per round
WRK_THREADS=${BENCH_WRK_THREADS:-1}
CONNS=${BENCH_CONNS:-50}
COLD_CONNS=${BENCH_COLD_CONNS:-4} # a test suite logging in as members in parallel
COLD_PAGES=${BENCH_COLD_PAGES:-1000}
RSS_MEMBERS=${BENCH_RSS_MEMBERS:-10000}
PORT_BASE=${BENCH_PORT_BASE:-18080}
SANDBOX_PORT=$PORT_BASE
NGINX_PORT=$((PORT_BASE + 1))
PEER_PORT=$((PORT_BASE + 2))
RSS_PORT=$((PORT_BASE + 3))
BARE_PORT=$((PORT_BASE + 4))
REDIS_PORT=$((PORT_BASE + 5))
REDIS_SANDBOX_PORT=$((PORT_BASE + 6))
MEMBERS=1000000
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

wait_for() { # url
  for _ in $(seq 1 200); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "bench: $1 never answered" >&2
  exit 1
}

log "installing wrk, nginx, redis-server and the peer mock (oauth2-mock-server@8.2.3)"
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v redis-server >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wrk nginx-light redis-server >/dev/null
fi
mkdir -p "$WORK/peer"
(cd "$WORK/peer" && npm install --silent --no-audit --no-fund oauth2-mock-server@8.2.3 >/dev/null)

log "building the sandbox and the probe"
go build -o "$WORK/sandbox" .
go build -o "$WORK/probe" ./bench/probe
go build -o "$WORK/bare" ./bench/bare
PROBE="$WORK/probe"

log "Go benchmarks"
# The signing benchmark runs with as many Ps as the sandbox (two per CPU,
# main.go's procsPerCPU), so neither gets more threads to compete for a
# shared machine's CPU with. Under heavy foreign load the short-lived
# benchmark still loses more CPU than the sandbox does (bench/notes.md).
SIGN_CPU=$((2 * $(nproc)))
go test -c -o "$WORK/rs256.test" ./bench/
"$WORK/rs256.test" -test.run '^$' -test.bench 'BenchmarkRS256Sign' -test.benchtime 2s -test.cpu "$SIGN_CPU" | tee "$WORK/rs256.txt" >&2
go test -run '^$' -bench 'EOBSearchThroughRouter|RequestLine' -benchmem -benchtime 1s ./internal/app/ 2>&1 \
  | grep -E '^(Benchmark|ok|FAIL)' | tee "$WORK/gobench-root.txt" >&2
go test -run '^$' -bench . -benchmem -benchtime 1s ./fhir/ ./oauth/ ./generator/ ./fixtures/ 2>&1 \
  | grep -E '^(Benchmark|ok|FAIL)' | tee "$WORK/gobench.txt" >&2

log "starting the sandbox (--members $MEMBERS, --auto-approve)"
"$WORK/sandbox" --addr "127.0.0.1:$SANDBOX_PORT" --members "$MEMBERS" --auto-approve BCNCUser04 \
  --signing-key "$WORK/key.pem" --log-format json 2>"$WORK/sandbox.log" >/dev/null &
SANDBOX_PID=$!
PIDS+=($SANDBOX_PID)
S="http://127.0.0.1:$SANDBOX_PORT"
wait_for "$S/health"

# The sandbox on the Redis store starts before the token is minted: a
# replica refuses what was minted before the store's data began (README,
# "Running replicas"), and the same token must open on both.
log "starting redis-server and a sandbox with --store redis:// (the same key, seed and base URL)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null &
REDIS_PID=$!
PIDS+=($REDIS_PID)
for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$WORK/sandbox" --addr "127.0.0.1:$REDIS_SANDBOX_PORT" --members "$MEMBERS" --auto-approve BCNCUser04 \
  --signing-key "$WORK/key.pem" --log-format json --base-url "$S" --store "redis://127.0.0.1:$REDIS_PORT/0" \
  2>"$WORK/sandbox-redis.log" >/dev/null &
REDIS_SANDBOX_PID=$!
PIDS+=($REDIS_SANDBOX_PID)
wait_for "http://127.0.0.1:$REDIS_SANDBOX_PORT/health"

TOKEN=$("$PROBE" token -base "$S")
EOB_PATH="/fhir/sb/R4/patientaccess/ExplanationOfBenefit?patient=-20140000000024&_count=10"
curl -sf -H "Authorization: Bearer $TOKEN" "$S$EOB_PATH" -o "$WORK/eob.json"

log "starting nginx with the same EOB bytes, tuned for speed"
mkdir -p "$WORK/www" "$WORK/nginx"
cp "$WORK/eob.json" "$WORK/www/eob.json"
# nginx's workers run as an unprivileged user: let them read the file.
chmod a+rx "$WORK" "$WORK/www" && chmod a+r "$WORK/www/eob.json"
# nginx as its users set it up for speed: no access log (the sandbox batches
# its own, but a write per request would be nginx's handicap), the file sent
# with sendfile(2) and its headers in the same packet, and keep-alive
# connections never closed by a request count. open_file_cache was tried
# and served no more (the one file stays in the page cache either way).
# Its location serves the sandbox's path, so every server gets one request.
EOB_LOCATION=${EOB_PATH%%\?*}
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = $EOB_LOCATION { root $WORK/www; try_files /eob.json =404; default_type application/fhir+json; }
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
wait_for "http://127.0.0.1:$NGINX_PORT$EOB_PATH"
cmp -s "$WORK/eob.json" <(curl -sf "http://127.0.0.1:$NGINX_PORT$EOB_PATH") || { echo "bench: nginx serves other bytes" >&2; exit 1; }

log "starting bare net/http with the same EOB bytes"
"$WORK/bare" -addr "127.0.0.1:$BARE_PORT" -file "$WORK/eob.json" &
BARE_PID=$!
PIDS+=($BARE_PID)
wait_for "http://127.0.0.1:$BARE_PORT/"

# redis_store_target adds the sandbox on the Redis store (started above,
# with the same --signing-key, so the token opens there too, and the same
# base URL, so it serves the same bytes) to the EOB rounds; redis_row
# reports it against the memory store (target >= 0.9). Its CPU per request
# counts redis-server's too.
redis_store_target() {
  local url="http://127.0.0.1:$REDIS_SANDBOX_PORT$EOB_PATH"
  cmp -s "$WORK/eob.json" <(curl -sf -H "Authorization: Bearer $TOKEN" "$url") || { echo "bench: the sandbox on the Redis store serves other bytes" >&2; exit 1; }
  EOB_NAMES+=(redis)
  EOB_URL[redis]=$url
  EOB_PIDS[redis]="$REDIS_SANDBOX_PID $REDIS_PID"
}

log "starting the peer mock"
cat >"$WORK/peer/peer.mjs" <<EOF
import { OAuth2Server } from 'oauth2-mock-server';
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start($PEER_PORT, '127.0.0.1');
EOF
(cd "$WORK/peer" && exec node peer.mjs) &
PIDS+=($!)
P="http://127.0.0.1:$PEER_PORT"
wait_for "$P/.well-known/openid-configuration"

# wrk_run NAME URL [header]: requests/s and p99 in ms, from wrk --latency.
wrk_run() {
  local name=$1 url=$2 header=${3:-}
  local out="$WORK/wrk-$name.txt"
  if [ -n "$header" ]; then
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency -H "$header" "$url" >"$out"
  else
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$out"
  fi
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5} /Socket errors/ {print}' "$out" | head -1)
  [ -n "$errors" ] && echo "bench: $name had errors: $errors" >&2
  echo "$rps $p99"
}

# cpu_ticks PID...: the processes' user + system CPU so far, in clock ticks.
cpu_ticks() { local p; for p in "$@"; do cat "/proc/$p/stat"; done | awk '{t += $14 + $15} END {print t}'; }
TICKS=$(getconf CLK_TCK)

# Rounds files hold one line per round, whitespace-separated columns.
# median FILE COLUMN: the median of a column.
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# median_ratio FILE A B: the median over rounds of column A / column B.
median_ratio() { awk -v a="$2" -v b="$3" '{printf "%.4f\n", $a / $b}' "$1" | sort -g | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f", m}'; }
# spread FILE A B: the lowest and highest round of column A / column B.
spread() { awk -v a="$2" -v b="$3" 'NR == 1 {lo = hi = $a / $b} {r = $a / $b; if (r < lo) lo = r; if (r > hi) hi = r} END {printf "%.2f-%.2f", lo, hi}' "$1"; }

# This machine's speed drifts by a quarter from minute to minute (it is a
# shared VM), so back-to-back runs would compare different machines. The
# EOB comparison runs in ROUNDS rounds instead, each giving every server
# SLICE seconds in turn, the order rotated each round so none always
# follows another; every ratio is taken within a round, between neighbours
# in time, and the table reports the median round and the spread. Every
# server gets the same request, the sandbox's token included, and answers
# the same bytes.
EOB_NAMES=(sandbox nginx bare)
declare -A EOB_URL=([sandbox]="$S$EOB_PATH" [nginx]="http://127.0.0.1:$NGINX_PORT$EOB_PATH" [bare]="http://127.0.0.1:$BARE_PORT$EOB_PATH")
# The processes whose CPU time a server's requests cost (nginx's workers
# are its master's children).
declare -A EOB_PIDS=([sandbox]="$SANDBOX_PID" [nginx]="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')" [bare]="$BARE_PID")
redis_store_target
log "1. EOB page: ${EOB_NAMES[*]} on the same bytes ($ROUNDS interleaved rounds of ${SLICE} s each)"
# col NAME: the rounds file's req/s column of a server; its p99 and its CPU
# microseconds per request are the next two.
col() { local i; for i in "${!EOB_NAMES[@]}"; do [ "${EOB_NAMES[$i]}" = "$1" ] && echo $((2 + 3 * i)); done; return 0; }
: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  declare -A got=()
  n=${#EOB_NAMES[@]}
  for k in $(seq 0 $((n - 1))); do
    name=${EOB_NAMES[$(((k + round - 1) % n))]}
    # shellcheck disable=SC2086 # the PIDs are words
    before=$(cpu_ticks ${EOB_PIDS[$name]})
    read -r rps p99 < <(DURATION=$SLICE wrk_run "$name-$round" "${EOB_URL[$name]}" "Authorization: Bearer $TOKEN")
    # shellcheck disable=SC2086
    after=$(cpu_ticks ${EOB_PIDS[$name]})
    got[$name]="$rps $p99 $(awk -v t=$((after - before)) -v hz="$TICKS" -v r="$rps" -v d="$SLICE" 'BEGIN { printf "%.1f", t * 1e6 / hz / (r * d) }')"
  done
  line=$round
  for name in "${EOB_NAMES[@]}"; do line="$line ${got[$name]}"; done
  echo "$line" | tee -a "$WORK/rounds.txt" >&2
done
eob_rounds="$WORK/rounds.txt"
SC=$(col sandbox); NC=$(col nginx); BC=$(col bare)
eob_rps=$(median "$eob_rounds" "$SC"); eob_p99=$(median "$eob_rounds" $((SC + 1)))
ngx_rps=$(median "$eob_rounds" "$NC"); ngx_p99=$(median "$eob_rounds" $((NC + 1)))
bare_rps=$(median "$eob_rounds" "$BC"); bare_p99=$(median "$eob_rounds" $((BC + 1)))
eob_p99_worst=$(awk -v c=$((SC + 1)) '{print $c}' "$eob_rounds" | sort -g | tail -1)
eob_bare_ratio=$(median_ratio "$eob_rounds" "$SC" "$BC"); eob_bare_spread=$(spread "$eob_rounds" "$SC" "$BC")
p99_bare_ratio=$(median_ratio "$eob_rounds" $((SC + 1)) $((BC + 1))); p99_bare_spread=$(spread "$eob_rounds" $((SC + 1)) $((BC + 1)))
eob_ngx_ratio=$(median_ratio "$eob_rounds" "$SC" "$NC"); eob_ngx_spread=$(spread "$eob_rounds" "$SC" "$NC")
bare_ngx_ratio=$(median_ratio "$eob_rounds" "$BC" "$NC"); bare_ngx_spread=$(spread "$eob_rounds" "$BC" "$NC")
eob_cpu=$(median "$eob_rounds" $((SC + 2))); bare_cpu=$(median "$eob_rounds" $((BC + 2))); ngx_cpu=$(median "$eob_rounds" $((NC + 2)))
cpu_bare_ratio=$(median_ratio "$eob_rounds" $((BC + 2)) $((SC + 2))); cpu_bare_spread=$(spread "$eob_rounds" $((BC + 2)) $((SC + 2)))

log "2. discovery and JWKS vs the peer"
read -r disc_rps _ < <(wrk_run disc "$S/fhirmember/sps/oauth/oauth20/.well-known/openid-configuration")
read -r pdisc_rps _ < <(wrk_run pdisc "$P/.well-known/openid-configuration")
read -r jwks_rps _ < <(wrk_run jwks "$S/fhirmember/sps/oauth/oauth20/jwks")
read -r pjwks_rps _ < <(wrk_run pjwks "$P/jwks")

log "3. refresh_token grant vs the peer's token endpoint"
refresh_rps=$("$PROBE" refresh -token-url "$S/fhirmember/sps/oauth/oauth20/token" -sandbox "$S" -c "$CONNS" -d "${DURATION}s" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
prefresh_rps=$("$PROBE" refresh -token-url "$P/token" -c "$CONNS" -d "${DURATION}s" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')

# Like the EOB comparison, in interleaved rounds: the flows and the bare
# signing rate they are held to are measured next to each other in time.
log "4. whole flows with an id_token each ($ROUNDS rounds beside the bare RS256 rate)"
: >"$WORK/flow-rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  f=$("$PROBE" flows -base "$S" -c 16 -d "${SLICE}s" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
  ns=$("$WORK/rs256.test" -test.run '^$' -test.bench 'BenchmarkRS256Sign' -test.benchtime "${SLICE}s" -test.cpu "$SIGN_CPU" | awk '/^BenchmarkRS256Sign/ {print $3; exit}')
  echo "$round $f $(awk -v ns="$ns" 'BEGIN {printf "%.0f", 1e9 / ns}')" | tee -a "$WORK/flow-rounds.txt" >&2
done
flow_rounds="$WORK/flow-rounds.txt"
flows_rps=$(median "$flow_rounds" 2); rs256_rate=$(median "$flow_rounds" 3)
flows_ratio=$(median_ratio "$flow_rounds" 2 3); flows_spread=$(spread "$flow_rounds" 2 3)

# cold NAME MODE CONNS FIRST: the probe's cold run on members FIRST and up,
# none of them read before, with the sandbox's CPU time per member.
cold() {
  local before after line
  before=$(cpu_ticks "$SANDBOX_PID")
  line=$("$PROBE" cold -base "$S" -mode "$2" -c "$3" -first "$4" -n "${5:-100000}" -d "${DURATION}s")
  after=$(cpu_ticks "$SANDBOX_PID")
  echo "$line cpu_ticks=$((after - before))" | tee "$WORK/cold-$1.txt" >&2
}
# field FILE NAME: a name=value field of a probe line.
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1"; }
# cpu_per FILE: the sandbox's CPU milliseconds per member of a cold run.
cpu_per() { awk -v t="$(field "$1" cpu_ticks)" -v m="$(field "$1" members)" -v hz="$TICKS" 'BEGIN { printf "%.1f", t * 1000 / hz / m }'; }

log "5. the cold path: first EOB pages of never-read members"
# Each run takes its own range of members, all within --members.
cold login1 login 1 100000
cold loginN login "$COLD_CONNS" 300000
# The page alone: the probe mints the tokens first (building each member,
# which is then evicted by the next ones), then reads one page of each;
# the CPU time includes the minting.
cold page page "$COLD_CONNS" 600000 "$COLD_PAGES"
build_ns=$(awk '/^BenchmarkBuildMember-/ {print $3; exit}' "$WORK/gobench.txt")
build_ms=$(awk -v ns="$build_ns" 'BEGIN { printf "%.1f", ns / 1e6 }')
build_rate=$(awk -v ns="$build_ns" 'BEGIN { printf "%.0f", 1e9 / ns }')

log "6. start-up with --members 1000000"
startup_ms=$("$PROBE" startup -bin "$WORK/sandbox" -addr "127.0.0.1:$((SANDBOX_PORT + 10))" -runs 5 -- --members 1000000 --signing-key "$WORK/key.pem")

log "7. resident memory after $RSS_MEMBERS members"
"$WORK/sandbox" --addr "127.0.0.1:$RSS_PORT" --members 1000000 --auto-approve BCNCUser07 \
  --signing-key "$WORK/key.pem" 2>/dev/null >/dev/null &
RSS_PID=$!
PIDS+=($RSS_PID)
wait_for "http://127.0.0.1:$RSS_PORT/health"
rss_line=$("$PROBE" rss -base "http://127.0.0.1:$RSS_PORT" -pid "$RSS_PID" -n "$RSS_MEMBERS")
rss_mb=$(echo "$rss_line" | sed -n 's/.*rss_after_mb=\([0-9.]*\).*/\1/p')
rss_start_mb=$(echo "$rss_line" | sed -n 's/.*rss_before_mb=\([0-9.]*\).*/\1/p')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "pass" : "FAIL" }'; }

disc_ratio=$(ratio "$disc_rps" "$pdisc_rps")
jwks_ratio=$(ratio "$jwks_rps" "$pjwks_rps")
refresh_ratio=$(ratio "$refresh_rps" "$prefresh_rps")

redis_row() { # the Redis store's row, once redis_store_target adds it
  local RC
  RC=$(col redis)
  [ -n "$RC" ] || return 0
  local r
  r=$(median_ratio "$eob_rounds" "$RC" "$SC")
  echo "| 1 | EOB page with \`--store redis://\`, req/s, median of $ROUNDS rounds | $(median "$eob_rounds" "$RC"), p99 $(median "$eob_rounds" $((RC + 1))) ms | the memory store: $eob_rps | $r (rounds $(spread "$eob_rounds" "$RC" "$SC")) | ≥ 0.9 | $(verdict "$r" 0.9 '>=') |"
}

{
  echo "# Benchmark results"
  echo
  echo "Measured by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}'), load average $LOAD_START at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end (the machine is shared with other work)."
  echo "Loads run on loopback, client and servers on the same cores; wrk uses $WRK_THREADS thread(s) and $CONNS connections, the EOB page ${SLICE} s per server in each of $ROUNDS interleaved rounds, other loads ${DURATION} s."
  echo "Several runs side by side, and where the time goes: [notes.md](notes.md)."
  echo
  echo "The anchors for the EOB page serve the same bytes to the same request (the sandbox's path, query and bearer token):"
  echo
  echo "- **nginx $(nginx -v 2>&1 | sed 's|.*nginx/||')**, configured as its users tune it for speed: \`worker_processes auto; access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;\`, the file served from a \`location =\` of the sandbox's path (\`open_file_cache\` was tried and served no more, so it is off)."
  echo "- **bare net/http** (\`bench/bare\`): one handler writing the bytes from memory with Content-Type and Content-Length, the sandbox's runtime settings (memory limit, GOGC, GOMAXPROCS) and its server's timeouts and header bound."
  echo
  echo "| # | measure | sandbox | reference | ratio | target | result |"
  echo "|---|---|---|---|---|---|---|"
  echo "| 1 | EOB search page (\`_count=10\`, cached), req/s, median of $ROUNDS rounds | $eob_rps | bare net/http: $bare_rps | $eob_bare_ratio (rounds $eob_bare_spread) | ≥ 0.85 | $(verdict "$eob_bare_ratio" 0.85 '>=') |"
  echo "| 1 | EOB search page, p99 at $CONNS connections, median of $ROUNDS rounds | ${eob_p99} ms (worst round ${eob_p99_worst} ms) | bare net/http: ${bare_p99} ms | $p99_bare_ratio (rounds $p99_bare_spread) | ≤ 1.5 | $(verdict "$p99_bare_ratio" 1.5 '<=') |"
  echo "| 1 | EOB search page, server CPU per request (user + system), µs, median of $ROUNDS rounds | $eob_cpu | bare net/http: $bare_cpu | $cpu_bare_ratio (rounds $cpu_bare_spread): bare's CPU per request / the sandbox's | | |"
  echo "| 1 | EOB search page against nginx, req/s | $eob_rps | nginx: $ngx_rps, p99 ${ngx_p99} ms | $eob_ngx_ratio (rounds $eob_ngx_spread) | | |"
  echo "| 1 | (reference) bare net/http against nginx, req/s | | bare $bare_rps, nginx $ngx_rps; CPU per request: bare $bare_cpu µs, nginx $ngx_cpu µs | $bare_ngx_ratio (rounds $bare_ngx_spread) | | |"
  redis_row
  echo "| 2 | OIDC discovery, req/s | $disc_rps | oauth2-mock-server: $pdisc_rps | $disc_ratio | ≥ 5 | $(verdict "$disc_ratio" 5 '>=') |"
  echo "| 2 | JWKS, req/s | $jwks_rps | oauth2-mock-server: $pjwks_rps | $jwks_ratio | ≥ 5 | $(verdict "$jwks_ratio" 5 '>=') |"
  echo "| 3 | refresh_token grant, req/s | $refresh_rps | oauth2-mock-server token: $prefresh_rps | $refresh_ratio | ≥ 3 | $(verdict "$refresh_ratio" 3 '>=') |"
  echo "| 4 | whole flows (authorize → code → token + id_token), flows/s, median of $ROUNDS rounds | $flows_rps | bare RS256 signs/s: $rs256_rate | $flows_ratio (rounds $flows_spread) | ≥ 0.6 | $(verdict "$flows_ratio" 0.6 '>=') |"
  for run in login1 loginN; do
    f="$WORK/cold-$run.txt"
    c=1; [ "$run" = loginN ] && c=$COLD_CONNS
    echo "| 5 | cold: log in as a never-read member, then read its first EOB page; $c at a time, each a different member | $(field "$f" rate) members/s; p50 $(field "$f" p50_ms) ms, p99 $(field "$f" p99_ms) ms (the page: p50 $(field "$f" page_p50_ms), p99 $(field "$f" page_p99_ms) ms); $(cpu_per "$f") ms of server CPU per member | building a member alone: $build_ms ms, $build_rate/s on one core | | reported | |"
  done
  f="$WORK/cold-page.txt"
  echo "| 5 | cold: the first EOB page alone of a member not in the member cache, $COLD_CONNS at a time (tokens minted before) | $(field "$f" rate) pages/s; p50 $(field "$f" page_p50_ms) ms, p99 $(field "$f" page_p99_ms) ms | | | reported | |"
  echo "| 6 | start-up to first 200 on /health, \`--members 1000000\` (median of 5) | ${startup_ms} ms | | | ≤ 200 ms | $(verdict "$startup_ms" 200 '<=') |"
  echo "| 7 | resident memory after Patient + first EOB page of $RSS_MEMBERS members | ${rss_mb} MB | | | ≤ 64 MB | $(verdict "$rss_mb" 64 '<=') |"
  echo "| 7 | resident memory after start-up, \`--members 1000000\` | ${rss_start_mb} MB | | | ≤ 50 MB | $(verdict "$rss_start_mb" 50 '<=') |"
  echo
  echo "The EOB comparison, round by round (${SLICE} s per server per round, the order rotated each round; req/s, p99 in ms, and the server's CPU time per request in µs):"
  echo
  hdr="| round"; sep="|---"
  for name in "${EOB_NAMES[@]}"; do hdr="$hdr | $name | p99 | CPU µs"; sep="$sep|---|---|---"; done
  echo "$hdr | sandbox / bare | p99 / bare's | sandbox / nginx |"; echo "$sep|---|---|---|"
  awk -v s="$SC" -v b="$BC" -v n="$NC" '{line = "| " $1; for (i = 2; i <= NF; i++) line = line " | " $i; printf "%s | %.2f | %.2f | %.2f |\n", line, $s / $b, $(s+1) / $(b+1), $s / $n}' "$eob_rounds"
  echo
  echo "Whole flows beside the bare RS256 signing rate, round by round ($SLICE s each):"
  echo
  echo "| round | flows/s | RS256 signs/s | ratio |"
  echo "|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %.2f |\n", $1, $2, $3, $2 / $3}' "$flow_rounds"
  echo
  echo "## Go benchmarks of the hot paths"
  echo
  echo '```'
  cat "$WORK/rs256.txt" "$WORK/gobench-root.txt" "$WORK/gobench.txt" | grep -E '^Benchmark'
  echo '```'
} >bench/results.md

cat bench/results.md
