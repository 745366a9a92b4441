#!/usr/bin/env bash
# Start-up time and memory of `sophia serve --built DIR`: starts the server on loopback,
# measures the time until GET /health answers, sends every question of
# benches/questions.toml to POST /api/v1/chat (once for the tenant `muenchen`, once for
# `kreis`), then prints the server's RssAnon (anonymous resident memory: the heap, not the
# memory-mapped files), RssFile (mapped files in RAM, which the kernel may drop and read
# again), VmHWM (peak RSS) and stops the server.
#
# The server runs with a configuration of its own: tenant `muenchen` without a region (a
# national portal: every copy is a candidate, copies are grouped), tenant `kreis` scoped to
# the first synthetic authority (ARS 011110000000), no packs (the shipped packs name
# Munich's ids, which the synthetic catalogue does not have). The Germany-scale folder
# (417 authorities x 240 services = 100,080 services) for it:
#
#   sophia build --synthetic 417 --out /tmp/de417
#   SOPHIA_BIN=target/release/sophia scripts/memory.sh /tmp/de417
#
# Usage: scripts/memory.sh BUILT_DIR
# Environment: SOPHIA_BIN (default target/release/sophia), PORT / ADMIN_PORT (default
# 18180 / 18190), STARTUP_TIMEOUT (seconds, default 120).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SOPHIA_BIN:-$ROOT/target/release/sophia}
PORT=${PORT:-18180}
ADMIN_PORT=${ADMIN_PORT:-18190}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-120}

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "memory: $*" >&2; exit 2; }

[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; esac
[ $# -eq 1 ] || { usage >&2; die "one argument: the built folder"; }
BUILT=$1
[ -x "$BIN" ] || die "no sophia binary at $BIN (cargo build --release, or set SOPHIA_BIN)"
[ -f "$BUILT/manifest.toml" ] || die "$BUILT is not a built folder (sophia build --out $BUILT)"
command -v curl >/dev/null || die "curl is needed"

TMP=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
LOG=$TMP/serve.log
mkdir "$TMP/packs"
cat >"$TMP/sophia.toml" <<'TOML'
default_tenant = "muenchen"

[context]
key = "memory-measurement-key"

[[tenant]]
id = "muenchen"
name = "Bund (national, no region)"
contact = "115"
contact_url = "https://example.org/kontakt"
packs = []

[[tenant]]
id = "kreis"
name = "Kreis (the first synthetic authority)"
contact = "115"
contact_url = "https://example.org/kontakt"
packs = []
region = "011110000000"
TOML

now() { date +%s.%N; }
started=$(now)
"$BIN" --built "$BUILT" --config "$TMP/sophia.toml" --packs "$TMP/packs" \
    serve --addr "127.0.0.1:$PORT" --admin-addr "127.0.0.1:$ADMIN_PORT" >"$LOG" 2>&1 &
PID=$!
deadline=$(( $(date +%s) + STARTUP_TIMEOUT ))
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health"; do
    kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; die "the server exited"; }
    [ "$(date +%s)" -lt "$deadline" ] || die "the server did not answer within ${STARTUP_TIMEOUT} s"
    sleep 0.01
done
ready=$(now)

status() { awk -v k="$1:" '$1 == k { print int($2 / 1024) " MB" }' "/proc/$PID/status"; }
echo "start until /health answers: $(echo "$ready - $started" | bc) s"
echo "after start: RssAnon $(status RssAnon), RssFile $(status RssFile)"

# One line per question: the message of each [[question]] (TOML basic strings, \" escapes).
mapfile -t QUESTIONS < <(sed -n 's/^message = "\(.*\)"$/\1/p' "$ROOT/benches/questions.toml")
answered=0
kinds=""
round=0
for tenant in muenchen kreis; do
    round=$((round + 1))
    for i in "${!QUESTIONS[@]}"; do
        body=$(printf '{"message": "%s", "tenant": "%s"}' "${QUESTIONS[$i]}" "$tenant")
        # A client address per question, so the rate limit (loopback is a trusted proxy)
        # never answers instead of the engine.
        reply=$(curl -sf "http://127.0.0.1:$PORT/api/v1/chat" \
            -H 'content-type: application/json' -H "x-forwarded-for: 198.18.$round.$i" \
            -d "$body") || die "no answer to: ${QUESTIONS[$i]}"
        answered=$((answered + 1))
        kinds="$kinds $(sed -n 's/^{"kind":"\([a-z]*\)".*/\1/p' <<<"$reply")"
    done
done
echo "answered $answered questions; kinds:$(tr ' ' '\n' <<<"$kinds" | grep -v '^$' | sort | uniq -c | awk '{printf " %s %s", $2, $1}')"
echo "while serving: RssAnon $(status RssAnon), RssFile $(status RssFile), VmHWM $(status VmHWM)"
