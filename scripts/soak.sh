#!/usr/bin/env bash
# Soak test of `sophia serve` on loopback: first the maximum chat throughput is measured for
# a few seconds (closed loop, as scripts/loadtest.sh does), then the server is loaded at
# LOAD_PERCENT (80 %) of it for SOAK_SECONDS (600) with the same question mix, while its
# resident memory (VmRSS in /proc/PID/status) is sampled. Prints errors, throughput, p50/p99
# and the RSS growth after the warm-up; exits 1 when any request failed (non-2xx, socket
# error, timeout), the server died, or RSS grew more than MAX_RSS_GROWTH (5 %) from the end
# of the warm-up to the end of the run.
#
# Load generator: wrk (Debian's package, installed when missing, as root). wrk has no rate
# option: a small Lua wrapper around scripts/loadtest.lua paces each wrk thread with wrk's
# delay() hook to its share of the target rate (a clock via LuaJIT's ffi). The latency wrk
# reports runs from sending a request to its full response, without the pacing pause.
#
# Usage: scripts/soak.sh    (all settings as environment variables)
#   SOAK_SECONDS (600)  MEASURE_SECONDS (10)  LOAD_PERCENT (80)  WARMUP_SECONDS (10 % of
#   SOAK_SECONDS, at most 60)  SAMPLE_SECONDS (5)  MAX_RSS_GROWTH (5, percent)
#   CONNECTIONS (32)  THREADS (2)  TENANT (muenchen)  QUESTIONS (benches/questions.toml)
#   CLIENTS (1024 synthetic client addresses, see scripts/loadtest.lua)  PORT  ADMIN_PORT
#   SOPHIA_BIN (unset: cargo build --release)  RUST_LOG (server log level, default warn)
#   KEEP_TMP=1 (keep the folder with the server log, wrk output and RSS samples)
#
# Every step is bounded: the build (30 min), installing wrk (5 min), the start (60 s), each
# wrk run (its duration + 60 s) and the shutdown (10 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-600}
MEASURE_SECONDS=${MEASURE_SECONDS:-10}
LOAD_PERCENT=${LOAD_PERCENT:-80}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-5}
MAX_RSS_GROWTH=${MAX_RSS_GROWTH:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TENANT=${TENANT:-muenchen}
QUESTIONS=${QUESTIONS:-$ROOT/benches/questions.toml}
CLIENTS=${CLIENTS:-1024}
PORT=${PORT:-}
ADMIN_PORT=${ADMIN_PORT:-}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-60}
KEEP_TMP=${KEEP_TMP:-0}
SERVER_LOG_LEVEL=${RUST_LOG:-warn}

die() { echo "soak: $*" >&2; exit 2; }
case "${1:-}" in
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    '') ;;
    *) die "no arguments; settings are environment variables (see --help)" ;;
esac

for n in SOAK_SECONDS MEASURE_SECONDS LOAD_PERCENT SAMPLE_SECONDS MAX_RSS_GROWTH CONNECTIONS \
         THREADS CLIENTS STARTUP_TIMEOUT; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive whole number, got '${!n}'"
done
[ "$LOAD_PERCENT" -le 100 ] || die "LOAD_PERCENT must be at most 100"
DEFAULT_WARMUP=$(( SOAK_SECONDS / 10 < 60 ? SOAK_SECONDS / 10 : 60 ))
WARMUP_SECONDS=${WARMUP_SECONDS:-$DEFAULT_WARMUP}
[[ $WARMUP_SECONDS =~ ^[0-9]+$ ]] || die "WARMUP_SECONDS must be a whole number"
[ "$WARMUP_SECONDS" -lt "$SOAK_SECONDS" ] || die "WARMUP_SECONDS must be shorter than SOAK_SECONDS"
[ "$CONNECTIONS" -ge "$THREADS" ] || die "CONNECTIONS must be >= THREADS"
[ -f "$QUESTIONS" ] || die "no question file at $QUESTIONS"
[ -r /proc/self/status ] || die "/proc is needed to read the server's memory (Linux)"
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"

# --- the load generator --------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "soak: wrk not found, installing Debian's package" >&2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        timeout 300 apt-get install -y wrk >/dev/null \
            || { timeout 300 apt-get update >/dev/null && timeout 300 apt-get install -y wrk >/dev/null; } \
            || die "could not install wrk with apt-get"
    else
        die "wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk)"
    fi
fi

# --- the server binary -----------------------------------------------------------------------
if [ -z "${SOPHIA_BIN:-}" ]; then
    echo "soak: SOPHIA_BIN unset, running cargo build --release" >&2
    (cd "$ROOT" && timeout 1800 cargo build --release --bin sophia) || die "cargo build --release failed"
    SOPHIA_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/sophia
fi
[ -x "$SOPHIA_BIN" ] || die "SOPHIA_BIN is not an executable: $SOPHIA_BIN"

# --- ports -------------------------------------------------------------------------------------
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local p=$1
    while in_use "$p" || [ "$p" = "${2:-}" ]; do
        p=$((p + 1))
        [ "$p" -lt $(($1 + 200)) ] || die "no free port in $1..$p"
    done
    echo "$p"
}
PORT=${PORT:-$(free_port 18280)}
ADMIN_PORT=${ADMIN_PORT:-$(free_port $((PORT + 10)) "$PORT")}
in_use "$PORT" && die "port $PORT is already in use"
in_use "$ADMIN_PORT" && die "admin port $ADMIN_PORT is already in use"
BASE=http://127.0.0.1:$PORT

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sophia-soak.XXXXXX")
SERVER_PID=
WRK_PID=
SAMPLER_PID=
stop_pid() { # stop_pid PID: TERM, then KILL after 10 s
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    [ -n "$SAMPLER_PID" ] && stop_pid "$SAMPLER_PID"
    [ -n "$WRK_PID" ] && stop_pid "$WRK_PID"
    [ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID"
    if [ "$KEEP_TMP" = 1 ] || [ "$status" != 0 ]; then
        echo "soak: kept $TMP (server.log, rss.txt, wrk output)" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

cp "$SOPHIA_BIN" "$TMP/sophia"

# --- the configuration: the shipped one with the rate limit at the parser's maximum ----------
# (the load also spreads over CLIENTS addresses in X-Forwarded-For; see scripts/loadtest.lua)
cp "$ROOT/sophia.toml" "$TMP/sophia.toml"
sed -i -E '/^\[server\.rate_limit\]/,/^\[/{
    s/^[[:space:]]*per_minute[[:space:]]*=.*/per_minute = 60000/
    s/^[[:space:]]*burst[[:space:]]*=.*/burst = 10000/
}' "$TMP/sophia.toml"
limits=$(grep -A6 '^\[server\.rate_limit\]' "$TMP/sophia.toml")
grep -q '^per_minute = 60000' <<<"$limits" && grep -q '^burst = 10000' <<<"$limits" \
    || die "could not raise the rate limit in the config copy $TMP/sophia.toml"

# --- the paced wrk script: scripts/loadtest.lua plus delay() --------------------------------
cat >"$TMP/soak.lua" <<EOF
-- Generated by scripts/soak.sh: scripts/loadtest.lua, each thread paced to one request
-- every INTERVAL_MS (the 5th argument after "--") over all its connections.
dofile("$ROOT/scripts/loadtest.lua")
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
int clock_gettime(int clock, soak_timespec *tp);
]]
local ts = ffi.new("soak_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local loadtest_init = init
local interval_ms, start, sent
function init(args)
  loadtest_init(args)
  interval_ms = tonumber(args[5]) or error("soak.lua: the 5th argument is the interval in ms")
end
-- Called before every request but a connection's first: waits until this thread's next
-- request is due. More than a second behind (the server was slow), the schedule restarts
-- rather than bursting to catch up.
function delay()
  local now = now_ms()
  if not start or now - (start + sent * interval_ms) > 1000 then
    start, sent = now, 0
  end
  sent = sent + 1
  local wait = start + sent * interval_ms - now
  if wait < 0 then return 0 end
  return math.floor(wait)
end
EOF

# --- start the server ---------------------------------------------------------------------------
RUST_LOG=$SERVER_LOG_LEVEL "$TMP/sophia" serve --addr "127.0.0.1:$PORT" \
    --admin-addr "127.0.0.1:$ADMIN_PORT" --config "$TMP/sophia.toml" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
echo "soak: started sophia (pid $SERVER_PID) on $BASE" >&2
deadline=$((SECONDS + STARTUP_TIMEOUT))
until curl -fsS --max-time 2 -o /dev/null "$BASE/health" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$TMP/server.log" >&2; die "the server exited during start"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 20 "$TMP/server.log" >&2; die "no /health within ${STARTUP_TIMEOUT}s"; }
    sleep 0.2
done
probe=$(curl -sS --max-time 10 -o "$TMP/probe.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"message\":\"Was kostet ein Reisepass?\",\"tenant\":\"$TENANT\"}" "$BASE/api/v1/chat") || probe=000
[ "$probe" = 200 ] || { cat "$TMP/probe.json" >&2 2>/dev/null; die "POST /api/v1/chat answered $probe"; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null; }

# run_wrk NAME SECONDS SCRIPT ARGS...: wrk into $TMP/NAME.txt, bounded, in the background so
# that Ctrl-C reaches the trap.
run_wrk() {
    local name=$1 dur=$2 script=$3
    shift 3
    timeout --kill-after=5 $((dur + 60)) \
        wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "${dur}s" \
        --timeout 10s --latency -s "$script" "$BASE" -- "$@" >"$TMP/$name.txt" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=
    [ "$rc" = 0 ] || { cat "$TMP/$name.txt" >&2; die "wrk failed (exit $rc) in phase $name"; }
    grep -q '^LOADTEST ' "$TMP/$name.txt" || die "no LOADTEST line from wrk in phase $name"
}
field() { grep '^LOADTEST ' "$TMP/$1.txt" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
errors_of() { echo $(( $(field "$1" non2xx) + $(field "$1" connect) + $(field "$1" read) + $(field "$1" write) + $(field "$1" timeout) )); }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }

# --- 1. the maximum ------------------------------------------------------------------------------
chat_args=(chat "$QUESTIONS" "$TENANT" "$CLIENTS")
echo "soak: measuring the maximum chat throughput for ${MEASURE_SECONDS}s ($CONNECTIONS connections, closed loop)" >&2
run_wrk max "$MEASURE_SECONDS" "$ROOT/scripts/loadtest.lua" "${chat_args[@]}"
MAX_RPS=$(field max rps)
TARGET_RPS=$(awk -v m="$MAX_RPS" -v p="$LOAD_PERCENT" 'BEGIN { printf "%.1f", m * p / 100 }')
INTERVAL_MS=$(awk -v t="$TARGET_RPS" -v n="$THREADS" 'BEGIN { if (t <= 0) exit 1; printf "%.3f", n * 1000 / t }') \
    || die "the maximum was 0 requests/s: see $TMP/max.txt"
echo "soak: maximum $MAX_RPS req/s; soaking at $LOAD_PERCENT % = $TARGET_RPS req/s for ${SOAK_SECONDS}s (warm-up ${WARMUP_SECONDS}s)" >&2

# --- 2. the soak, with RSS samples ---------------------------------------------------------------
(
    started=$SECONDS
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        echo "$((SECONDS - started)) $(rss_kb)"
        sleep "$SAMPLE_SECONDS"
    done
) >"$TMP/rss.txt" &
SAMPLER_PID=$!
run_wrk soak "$SOAK_SECONDS" "$TMP/soak.lua" "${chat_args[@]}" "$INTERVAL_MS"
echo "$SOAK_SECONDS $(rss_kb)" >>"$TMP/rss.txt"
stop_pid "$SAMPLER_PID"
SAMPLER_PID=
alive=yes
kill -0 "$SERVER_PID" 2>/dev/null || alive=no

# --- summary -----------------------------------------------------------------------------------------
# The baseline is the first sample at or after the warm-up; the end is the last one.
read -r BASE_T BASE_RSS < <(awk -v w="$WARMUP_SECONDS" '$1 >= w && $2 > 0 { print $1, $2; exit }' "$TMP/rss.txt")
read -r END_T END_RSS < <(awk '$2 > 0 { t = $1; r = $2 } END { print t, r }' "$TMP/rss.txt")
START_RSS=$(awk '$2 > 0 { print $2; exit }' "$TMP/rss.txt")
PEAK_RSS=$(awk '$2 > m { m = $2 } END { print m }' "$TMP/rss.txt")
GROWTH=$(awk -v a="$BASE_RSS" -v b="$END_RSS" 'BEGIN { printf "%.2f", 100 * (b - a) / a }')
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

echo
echo "Sophia soak test: $(nproc) cores (shared with wrk and anything else running), loopback, tenant $TENANT"
echo "maximum (closed loop, ${MEASURE_SECONDS}s, $CONNECTIONS connections): $MAX_RPS req/s, p50 $(ms "$(field max p50_us)") ms, p99 $(ms "$(field max p99_us)") ms, errors $(errors_of max)"
echo "soak (${SOAK_SECONDS}s at $LOAD_PERCENT % = $TARGET_RPS req/s target):"
echo "  requests     $(field soak requests) ($(field soak rps) req/s achieved)"
echo "  latency      p50 $(ms "$(field soak p50_us)") ms, p90 $(ms "$(field soak p90_us)") ms, p99 $(ms "$(field soak p99_us)") ms, max $(ms "$(field soak max_us)") ms"
echo "  errors       non-2xx $(field soak non2xx), connect $(field soak connect), read $(field soak read), write $(field soak write), timeout $(field soak timeout)"
echo "  RSS          start $(mb "$START_RSS"), after warm-up (${BASE_T}s) $(mb "$BASE_RSS"), end (${END_T}s) $(mb "$END_RSS"), peak $(mb "$PEAK_RSS")"
echo "  RSS growth   ${GROWTH} % after warm-up (limit ${MAX_RSS_GROWTH} %)"
echo "  RSS by minute: $(awk '$1 % 60 < '"$SAMPLE_SECONDS"' { printf "%dm %.1f  ", $1 / 60, $2 / 1024 }' "$TMP/rss.txt")MB"
echo "  server       $([ "$alive" = yes ] && echo "still running" || echo "DIED")"

status=0
if [ "$(errors_of soak)" != 0 ] || [ "$(errors_of max)" != 0 ]; then
    echo "soak: FAILED: requests failed" >&2
    status=1
fi
if [ "$alive" != yes ]; then
    echo "soak: FAILED: the server died (log: $TMP/server.log)" >&2
    status=1
fi
if awk -v g="$GROWTH" -v l="$MAX_RSS_GROWTH" 'BEGIN { exit !(g > l) }'; then
    echo "soak: FAILED: RSS grew ${GROWTH} % after the warm-up (limit ${MAX_RSS_GROWTH} %)" >&2
    status=1
fi
exit "$status"
