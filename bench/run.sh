#!/usr/bin/env bash
# bench/run.sh: measures the sandbox against references run side by side on
# this machine, prints a table and writes bench/results.md.
#
# Loopback only. Every server it starts is stopped by PID on exit, every load
# runs for a bounded time, and the whole run takes about three minutes.
# Needs Go, root for apt-get (wrk, nginx) and npm (the peer mock).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10}   # seconds per load
ROUNDS=${BENCH_ROUNDS:-5}        # the EOB comparison's interleaved rounds
CONNS=64
SANDBOX_PORT=18080
NGINX_PORT=18081
PEER_PORT=18082
RSS_PORT=18083
BARE_PORT=18084
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

log "installing wrk, nginx and the peer mock (oauth2-mock-server@8.2.3)"
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wrk nginx-light >/dev/null
fi
mkdir -p "$WORK/peer"
(cd "$WORK/peer" && npm install --silent --no-audit --no-fund oauth2-mock-server@8.2.3 >/dev/null)

log "building the sandbox and the probe"
go build -o "$WORK/sandbox" .
go build -o "$WORK/probe" ./bench/probe
go build -o "$WORK/bare" ./bench/bare
PROBE="$WORK/probe"

log "Go benchmarks"
go test -c -o "$WORK/rs256.test" ./bench/
"$WORK/rs256.test" -test.run '^$' -test.bench 'BenchmarkRS256Sign' -test.benchtime 2s -test.cpu "$(nproc)" | tee "$WORK/rs256.txt" >&2
go test -run '^$' -bench 'EOBSearchThroughRouter|RequestLine' -benchmem -benchtime 1s ./internal/app/ 2>&1 \
  | grep -E '^(Benchmark|ok|FAIL)' | tee "$WORK/gobench-root.txt" >&2
go test -run '^$' -bench . -benchmem -benchtime 1s ./fhir/ ./oauth/ ./generator/ ./fixtures/ 2>&1 \
  | grep -E '^(Benchmark|ok|FAIL)' | tee "$WORK/gobench.txt" >&2

log "starting the sandbox (--members 1000000, --auto-approve)"
"$WORK/sandbox" --addr "127.0.0.1:$SANDBOX_PORT" --members 1000000 --auto-approve BCNCUser04 \
  --signing-key "$WORK/key.pem" --log-format json 2>"$WORK/sandbox.log" >/dev/null &
PIDS+=($!)
S="http://127.0.0.1:$SANDBOX_PORT"
wait_for "$S/health"

TOKEN=$("$PROBE" token -base "$S")
EOB_PATH="/fhir/sb/R4/patientaccess/ExplanationOfBenefit?patient=-20140000000024&_count=10"
curl -sf -H "Authorization: Bearer $TOKEN" "$S$EOB_PATH" -o "$WORK/eob.json"

log "starting nginx with the same EOB bytes"
mkdir -p "$WORK/www" "$WORK/nginx"
cp "$WORK/eob.json" "$WORK/www/eob.json"
# nginx's workers run as an unprivileged user: let them read the file.
chmod a+rx "$WORK" "$WORK/www" && chmod a+r "$WORK/www/eob.json"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /eob.json { root $WORK/www; default_type application/fhir+json; }
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" &
PIDS+=($!)
wait_for "http://127.0.0.1:$NGINX_PORT/eob.json"

log "starting bare net/http with the same EOB bytes"
"$WORK/bare" -addr "127.0.0.1:$BARE_PORT" -file "$WORK/eob.json" &
PIDS+=($!)
wait_for "http://127.0.0.1:$BARE_PORT/"

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
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -H "$header" "$url" >"$out"
  else
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$out"
  fi
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $5} /Socket errors/ {print}' "$out" | head -1)
  [ -n "$errors" ] && echo "bench: $name had errors: $errors" >&2
  echo "$rps $p99"
}

# Rounds files hold one line per round, whitespace-separated columns.
# median FILE COLUMN: the median of a column.
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# median_ratio FILE A B: the median over rounds of column A / column B.
median_ratio() { awk -v a="$2" -v b="$3" '{printf "%.4f\n", $a / $b}' "$1" | sort -g | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f", m}'; }
# spread FILE A B: the lowest and highest round of column A / column B.
spread() { awk -v a="$2" -v b="$3" 'NR == 1 {lo = hi = $a / $b} {r = $a / $b; if (r < lo) lo = r; if (r > hi) hi = r} END {printf "%.2f-%.2f", lo, hi}' "$1"; }

# This machine's speed drifts by a quarter from minute to minute (it is a
# shared VM), so three back-to-back 10 s runs would compare different
# machines. The EOB comparison runs in ROUNDS rounds instead, each giving
# the sandbox, nginx and bare net/http DURATION/ROUNDS seconds in turn: the
# same 10 s each, and every ratio taken between neighbours in time.
log "1. EOB page vs nginx on the same bytes ($ROUNDS interleaved rounds)"
SLICE=$(awk -v d="$DURATION" -v r="$ROUNDS" 'BEGIN { s = int(d / r); print (s < 1) ? 1 : s }')
: >"$WORK/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
  read -r s_rps s_p99 < <(DURATION=$SLICE wrk_run "eob-$round" "$S$EOB_PATH" "Authorization: Bearer $TOKEN")
  read -r n_rps n_p99 < <(DURATION=$SLICE wrk_run "nginx-$round" "http://127.0.0.1:$NGINX_PORT/eob.json")
  read -r b_rps b_p99 < <(DURATION=$SLICE wrk_run "bare-$round" "http://127.0.0.1:$BARE_PORT/")
  echo "$round $s_rps $s_p99 $n_rps $n_p99 $b_rps $b_p99" | tee -a "$WORK/rounds.txt" >&2
done
eob_rounds="$WORK/rounds.txt"
eob_rps=$(median "$eob_rounds" 2); eob_p99=$(median "$eob_rounds" 3); ngx_rps=$(median "$eob_rounds" 4); ngx_p99=$(median "$eob_rounds" 5)
bare_rps=$(median "$eob_rounds" 6); bare_p99=$(median "$eob_rounds" 7)
eob_p99_worst=$(awk '{print $3}' "$eob_rounds" | sort -g | tail -1)
eob_ratio=$(median_ratio "$eob_rounds" 2 4); eob_spread=$(spread "$eob_rounds" 2 4)
bare_ratio=$(median_ratio "$eob_rounds" 6 4)
eob_bare_ratio=$(median_ratio "$eob_rounds" 2 6)

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
  ns=$("$WORK/rs256.test" -test.run '^$' -test.bench 'BenchmarkRS256Sign' -test.benchtime "${SLICE}s" -test.cpu "$(nproc)" | awk '/^BenchmarkRS256Sign/ {print $3; exit}')
  echo "$round $f $(awk -v ns="$ns" 'BEGIN {printf "%.0f", 1e9 / ns}')" | tee -a "$WORK/flow-rounds.txt" >&2
done
flow_rounds="$WORK/flow-rounds.txt"
flows_rps=$(median "$flow_rounds" 2); rs256_rate=$(median "$flow_rounds" 3)
flows_ratio=$(median_ratio "$flow_rounds" 2 3); flows_spread=$(spread "$flow_rounds" 2 3)

log "5. start-up with --members 1000000"
startup_ms=$("$PROBE" startup -bin "$WORK/sandbox" -addr "127.0.0.1:$((SANDBOX_PORT + 10))" -runs 5 -- --members 1000000 --signing-key "$WORK/key.pem")

log "6. resident memory after 10,000 members"
"$WORK/sandbox" --addr "127.0.0.1:$RSS_PORT" --members 1000000 --auto-approve BCNCUser07 \
  --signing-key "$WORK/key.pem" 2>/dev/null >/dev/null &
RSS_PID=$!
PIDS+=($RSS_PID)
wait_for "http://127.0.0.1:$RSS_PORT/health"
rss_line=$("$PROBE" rss -base "http://127.0.0.1:$RSS_PORT" -pid "$RSS_PID" -n 10000)
rss_mb=$(echo "$rss_line" | sed -n 's/.*rss_after_mb=\([0-9.]*\).*/\1/p')
rss_start_mb=$(echo "$rss_line" | sed -n 's/.*rss_before_mb=\([0-9.]*\).*/\1/p')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "pass" : "FAIL" }'; }

disc_ratio=$(ratio "$disc_rps" "$pdisc_rps")
jwks_ratio=$(ratio "$jwks_rps" "$pjwks_rps")
refresh_ratio=$(ratio "$refresh_rps" "$prefresh_rps")

{
  echo "# Benchmark results"
  echo
  echo "Measured by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}')."
  echo "Loads run ${DURATION} s each on loopback; wrk uses 2 threads and $CONNS connections. Client and servers share the same cores."
  echo
  echo "| # | measure | sandbox | reference | ratio | target | result |"
  echo "|---|---|---|---|---|---|---|"
  echo "| 1 | EOB search page (\`_count=10\`), req/s, median of $ROUNDS rounds | $eob_rps | nginx, same bytes: $ngx_rps | $eob_ratio (rounds $eob_spread) | ≥ 0.7 | $(verdict "$eob_ratio" 0.7 '>=') |"
  echo "| 1 | EOB search page, p99 at $CONNS connections, median of $ROUNDS rounds | ${eob_p99} ms (worst round ${eob_p99_worst} ms) | nginx: ${ngx_p99} ms | | ≤ 10 ms | $(verdict "$eob_p99" 10 '<=') |"
  echo "| 1 | (reference) bare net/http serving the same bytes from memory, req/s | | $bare_rps, p99 ${bare_p99} ms | $bare_ratio of nginx; the sandbox is $eob_bare_ratio of it | | |"
  echo "| 2 | OIDC discovery, req/s | $disc_rps | oauth2-mock-server: $pdisc_rps | $disc_ratio | ≥ 5 | $(verdict "$disc_ratio" 5 '>=') |"
  echo "| 2 | JWKS, req/s | $jwks_rps | oauth2-mock-server: $pjwks_rps | $jwks_ratio | ≥ 5 | $(verdict "$jwks_ratio" 5 '>=') |"
  echo "| 3 | refresh_token grant, req/s | $refresh_rps | oauth2-mock-server token: $prefresh_rps | $refresh_ratio | ≥ 3 | $(verdict "$refresh_ratio" 3 '>=') |"
  echo "| 4 | whole flows (authorize → code → token + id_token), flows/s, median of $ROUNDS rounds | $flows_rps | bare RS256 signs/s: $rs256_rate | $flows_ratio (rounds $flows_spread) | ≥ 0.6 | $(verdict "$flows_ratio" 0.6 '>=') |"
  echo "| 5 | start-up to first 200 on /health, \`--members 1000000\` (median of 5) | ${startup_ms} ms | | | ≤ 200 ms | $(verdict "$startup_ms" 200 '<=') |"
  echo "| 6 | resident memory after Patient + first EOB page of 10,000 members | ${rss_mb} MB | | | ≤ 64 MB | $(verdict "$rss_mb" 64 '<=') |"
  echo "| 6 | resident memory after start-up, \`--members 1000000\` | ${rss_start_mb} MB | | | ≤ 50 MB | $(verdict "$rss_start_mb" 50 '<=') |"
  echo
  echo "The EOB comparison, round by round ($SLICE s per server per round; req/s and p99 in ms):"
  echo
  echo "| round | sandbox | p99 | nginx | p99 | bare net/http | p99 | sandbox / nginx |"
  echo "|---|---|---|---|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %s | %s | %s | %s | %.2f |\n", $1, $2, $3, $4, $5, $6, $7, $2 / $4}' "$WORK/rounds.txt"
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
