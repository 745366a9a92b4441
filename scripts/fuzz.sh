#!/usr/bin/env bash
# Runs Sophia's cargo-fuzz targets (fuzz/) one after the other for a bounded time each.
#
#   scripts/fuzz.sh                  # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh analyzer respond
#
# Needs a nightly toolchain (`cargo +nightly`); installs cargo-fuzz when it is missing.
# The corpus grows in fuzz/corpus/<target>/ (seeded from fuzz/seeds/<target>/), findings go
# to fuzz/artifacts/<target>/, each run's libFuzzer output to fuzz/artifacts/<target>.log.
# Exits non-zero when any target crashed, timed out or ran out of memory, naming the target
# and the artifact; reproduce one with `cargo +nightly fuzz run <target> <artifact>`.
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
ALL_TARGETS=(analyzer dldb xzufi pack respond)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz || { echo "could not install cargo-fuzz" >&2; exit 2; }
fi

# Built once, then each target's binary is run directly: `cargo fuzz run` would rebuild
# whenever a source file changed in the meantime.
echo "== building the fuzz targets"
cargo +nightly fuzz build || { echo "the fuzz targets do not build" >&2; exit 2; }
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin_dir="fuzz/target/$triple/release"

failed=()
for target in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  log="fuzz/artifacts/$target.log"
  mkdir -p "$corpus" "$artifacts"
  before="$(ls -1 "$artifacts")"
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
  echo "== $target for ${SECONDS_EACH} s"
  "$bin_dir/$target" "$corpus" "${seeds[@]}" -artifact_prefix="$artifacts/" \
    -max_total_time="$SECONDS_EACH" -timeout=10 -print_final_stats=1 >"$log" 2>&1
  status=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added)' "$log" \
    | sed "s/^/   $target /"
  new="$(comm -13 <(echo "$before") <(ls -1 "$artifacts"))"
  if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    echo "!! $target failed (exit $status); see $log" >&2
    grep -m1 -E 'panicked at|ERROR: libFuzzer|SUMMARY:' "$log" | sed 's/^/   /' >&2
    for artifact in $new; do
      echo "   artifact: $artifacts/$artifact" >&2
    done
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "== fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "== no crashes in: ${TARGETS[*]}"
