#!/usr/bin/env bash
# Load test of `sophia serve` on loopback: phase 1 GET /health (the server's own ceiling:
# the same listener, middleware and runtime, no answering), phase 2 POST /api/v1/chat with the
# question mix of benches/questions.toml. Prints requests/s, p50 and p99 for both and the
# ratio; exits non-zero when any request of a phase got no 2xx answer.
#
# Load generator: wrk (Debian's package). Its Lua request() hook sends a different question
# on every request, so one run is a real mix; oha sends one fixed body per run (-d/-D),
# which would need one run per question and averaged percentiles. See scripts/README.md.
#
# Usage: scripts/loadtest.sh [--duration 20s] [--connections 32] [--threads 2] [--port N]
#                            [--admin-port N] [--questions FILE] [--tenant ID] [--warmup 2s]
# or the same as environment variables: DURATION CONNECTIONS THREADS PORT ADMIN_PORT
# QUESTIONS TENANT WARMUP, plus SOPHIA_BIN (the sophia binary: when unset, the script runs
# `cargo build --release` and uses target/release/sophia), CLIENTS (synthetic client addresses,
# default 1024) and KEEP_TMP=1 (keep the temporary folder with the server log).
#
# Every step is bounded: the build (30 min), installing wrk (5 min), the server's start
# (STARTUP_TIMEOUT, 60 s), each phase (its duration + 30 s) and the shutdown (10 s).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-}
ADMIN_PORT=${ADMIN_PORT:-}
QUESTIONS=${QUESTIONS:-$ROOT/benches/questions.toml}
TENANT=${TENANT:-muenchen}
WARMUP=${WARMUP:-2s}
CLIENTS=${CLIENTS:-1024}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-60}
KEEP_TMP=${KEEP_TMP:-0}

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "loadtest: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=${2:?}; shift 2 ;;
        --connections) CONNECTIONS=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --port) PORT=${2:?}; shift 2 ;;
        --admin-port) ADMIN_PORT=${2:?}; shift 2 ;;
        --questions) QUESTIONS=${2:?}; shift 2 ;;
        --tenant) TENANT=${2:?}; shift 2 ;;
        --warmup) WARMUP=${2:?}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

# "20s", "2m" or "20" (seconds) -> seconds.
seconds() {
    case "$1" in
        *[!0-9smh]*|'') die "not a duration: $1 (use e.g. 20s, 2m)" ;;
        *s) echo "${1%s}" ;;
        *m) echo $(( ${1%m} * 60 )) ;;
        *h) echo $(( ${1%h} * 3600 )) ;;
        *) echo "$1" ;;
    esac
}
DURATION_S=$(seconds "$DURATION")
WARMUP_S=$(seconds "$WARMUP")
[ "$DURATION_S" -ge 1 ] || die "DURATION must be at least 1s"
for n in CONNECTIONS THREADS CLIENTS STARTUP_TIMEOUT; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive whole number, got '${!n}'"
done
[ "$CONNECTIONS" -ge "$THREADS" ] || die "CONNECTIONS ($CONNECTIONS) must be >= THREADS ($THREADS)"
[ -f "$QUESTIONS" ] || die "no question file at $QUESTIONS"
command -v curl >/dev/null || die "curl is needed (apt-get install -y curl)"

# --- the load generator ------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "loadtest: wrk not found, installing Debian's package" >&2
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        timeout 300 apt-get install -y wrk >/dev/null \
            || { timeout 300 apt-get update >/dev/null && timeout 300 apt-get install -y wrk >/dev/null; } \
            || die "could not install wrk with apt-get"
    else
        die "wrk is missing: install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)"
    fi
fi

# --- the server binary ----------------------------------------------------------------------
if [ -z "${SOPHIA_BIN:-}" ]; then
    echo "loadtest: SOPHIA_BIN unset, running cargo build --release" >&2
    (cd "$ROOT" && timeout 1800 cargo build --release --bin sophia) || die "cargo build --release failed"
    SOPHIA_BIN=$ROOT/target/release/sophia
fi
[ -x "$SOPHIA_BIN" ] || die "SOPHIA_BIN is not an executable: $SOPHIA_BIN"

# --- ports -----------------------------------------------------------------------------------
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local p=$1
    while in_use "$p" || [ "$p" = "${2:-}" ]; do
        p=$((p + 1))
        [ "$p" -lt $(($1 + 200)) ] || die "no free port in $1..$p"
    done
    echo "$p"
}
PORT=${PORT:-$(free_port 18080)}
ADMIN_PORT=${ADMIN_PORT:-$(free_port $((PORT + 10)) "$PORT")}
in_use "$PORT" && die "port $PORT is already in use"
in_use "$ADMIN_PORT" && die "admin port $ADMIN_PORT is already in use"
BASE=http://127.0.0.1:$PORT

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sophia-loadtest.XXXXXX")
SERVER_PID=
WRK_PID=
cleanup() {
    local status=$?
    if [ -n "$WRK_PID" ]; then
        kill -TERM "$WRK_PID" 2>/dev/null || true
        wait "$WRK_PID" 2>/dev/null || true
    fi
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "loadtest: server did not stop in 10 s, killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$KEEP_TMP" = 1 ] || [ "$status" != 0 ]; then
        if [ -s "$TMP/server.log" ]; then
            echo "loadtest: kept $TMP (server log: $TMP/server.log)" >&2
        else
            rm -rf "$TMP"
        fi
    else
        rm -rf "$TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "loadtest: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# A copy, so that a rebuild of target/release meanwhile cannot change the binary under test.
cp "$SOPHIA_BIN" "$TMP/sophia"

# --- the configuration: the shipped one with the rate limit at its maximum ------------------
# src/config/server.rs accepts per_minute 1..=60000 and burst 1..=10000 per client address;
# the chat phase also spreads its requests over CLIENTS addresses (see loadtest.lua), so the
# limit is never what is measured.
cp "$ROOT/sophia.toml" "$TMP/sophia.toml"
sed -i -E '/^\[server\.rate_limit\]/,/^\[/{
    s/^[[:space:]]*per_minute[[:space:]]*=.*/per_minute = 60000/
    s/^[[:space:]]*burst[[:space:]]*=.*/burst = 10000/
}' "$TMP/sophia.toml"
if ! grep -q '^\[server\.rate_limit\]' "$TMP/sophia.toml"; then
    # A config without the table: add it (TOML takes a table header anywhere in the file).
    printf '\n[server.rate_limit]\nper_minute = 60000\nburst = 10000\n' >>"$TMP/sophia.toml"
fi
limits=$(grep -A6 '^\[server\.rate_limit\]' "$TMP/sophia.toml")
if ! grep -q '^per_minute = 60000' <<<"$limits" || ! grep -q '^burst = 10000' <<<"$limits"; then
    die "could not raise the rate limit in the config copy $TMP/sophia.toml"
fi

# --- start the server and wait for /health ---------------------------------------------------
"$TMP/sophia" serve --addr "127.0.0.1:$PORT" --admin-addr "127.0.0.1:$ADMIN_PORT" \
    --config "$TMP/sophia.toml" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
echo "loadtest: started sophia (pid $SERVER_PID) on $BASE, admin on 127.0.0.1:$ADMIN_PORT" >&2
deadline=$((SECONDS + STARTUP_TIMEOUT))
until curl -fsS --max-time 2 -o /dev/null "$BASE/health" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        tail -n 20 "$TMP/server.log" >&2
        die "the server exited during start (log above)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        tail -n 20 "$TMP/server.log" >&2
        die "GET $BASE/health did not answer 200 within ${STARTUP_TIMEOUT}s (log above)"
    fi
    sleep 0.2
done
# One chat request by hand: a wrong tenant or body fails here, with the server's word.
probe=$(curl -sS --max-time 10 -o "$TMP/probe.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' \
    -d "{\"message\":\"Was kostet ein Reisepass?\",\"tenant\":\"$TENANT\"}" "$BASE/api/v1/chat") || probe=000
[ "$probe" = 200 ] || { cat "$TMP/probe.json" >&2 2>/dev/null; echo >&2; die "POST /api/v1/chat answered $probe"; }

# --- the phases ------------------------------------------------------------------------------
LUA=$ROOT/scripts/loadtest.lua
# run_phase NAME DURATION_S ARGS... : runs wrk, keeps its output in $TMP/NAME.txt.
run_phase() {
    local name=$1 dur=$2
    shift 2
    echo >&2
    echo "loadtest: phase $name: ${dur}s, $CONNECTIONS connections, $THREADS threads" >&2
    # In the background and waited for, so that Ctrl-C reaches the trap at once (timeout puts
    # wrk in its own process group, out of the terminal's reach); the trap stops it.
    timeout --kill-after=5 $((dur + 30)) \
        wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "${dur}s" \
        --timeout 10s --latency -s "$LUA" "$BASE" -- "$@" >"$TMP/$name.txt" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=
    if [ "$rc" != 0 ]; then
        cat "$TMP/$name.txt" >&2
        die "wrk failed (exit $rc; 124 = overran its $((dur + 30))s) in phase $name"
    fi
    grep -v '^LOADTEST ' "$TMP/$name.txt" >&2
    grep -q '^LOADTEST ' "$TMP/$name.txt" || die "no LOADTEST line from wrk in phase $name"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during phase $name"
}
# field NAME KEY: a value of the phase's LOADTEST line.
field() { grep '^LOADTEST ' "$TMP/$1.txt" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

chat_args=(chat "$QUESTIONS" "$TENANT" "$CLIENTS")
if [ "$WARMUP_S" -gt 0 ]; then
    run_phase warmup "$WARMUP_S" "${chat_args[@]}"
fi
run_phase health "$DURATION_S" health
run_phase chat "$DURATION_S" "${chat_args[@]}"

# --- summary -----------------------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
echo
echo "Sophia load test: $(nproc) cores, $CONNECTIONS connections, $THREADS wrk threads, ${DURATION_S}s per phase, loopback"
echo "questions: $(grep -c '^[[:space:]]*message[[:space:]]*=' "$QUESTIONS") from ${QUESTIONS#"$ROOT"/}, tenant $TENANT, $CLIENTS client addresses"
printf '%-16s %10s %12s %10s %10s %10s %8s %8s\n' phase requests 'req/s' 'p50 ms' 'p90 ms' 'p99 ms' non-2xx errors
status=0
for phase in health chat; do
    errors=$(( $(field $phase connect) + $(field $phase read) + $(field $phase write) + $(field $phase timeout) ))
    label=$phase
    [ $phase = health ] && label="GET /health"
    [ $phase = chat ] && label="POST /api/v1/chat"
    printf '%-16s %10s %12s %10s %10s %10s %8s %8s\n' "$label" \
        "$(field $phase requests)" "$(field $phase rps)" \
        "$(ms "$(field $phase p50_us)")" "$(ms "$(field $phase p90_us)")" "$(ms "$(field $phase p99_us)")" \
        "$(field $phase non2xx)" "$errors"
    if [ "$(field $phase non2xx)" != 0 ] || [ "$errors" != 0 ] || [ "$(field $phase requests)" = 0 ]; then
        status=1
    fi
done
awk -v c="$(field chat rps)" -v h="$(field health rps)" \
    'BEGIN { if (h > 0 && c > 0) printf "chat throughput = %.1f%% of the /health ceiling (%.2fx slower)\n", 100 * c / h, h / c }'
echo "errors = socket errors and timeouts (10 s); figures depend on the machine and on whatever else runs on it."
if [ "$status" != 0 ]; then
    echo "loadtest: FAILED: a phase had non-2xx responses, socket errors or no requests" >&2
    exit 1
fi
