#!/usr/bin/env bash
# `make fuzz`: runs each fuzz target of the pure core (fuzz/fuzz_targets) for FUZZ_SECONDS,
# from a working corpus in fuzz/corpus/<target> (gitignored) that starts as the committed seeds
# in fuzz/seeds/<target> and keeps what earlier runs found. Prints executions and crashes per
# target; exits non-zero if any target crashed (the input is in fuzz/artifacts/<target>/).
#   FUZZ_SECONDS=60                      per target
#   FUZZ_TARGETS="values record outbox config"
#   FUZZ_SANITIZER=none                  or address (needs nightly)
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

SECONDS_EACH="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-values record outbox config}"
SANITIZER="${FUZZ_SANITIZER:-none}"
TOOLCHAIN=""   # the default toolchain (stable)
if [ "$SANITIZER" != none ]; then
  TOOLCHAIN=+nightly
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "[fuzz] FUZZ_SANITIZER=$SANITIZER needs the nightly toolchain, which is not installed" >&2
    echo "[fuzz] (rustup toolchain install nightly needs static.rust-lang.org). Run without FUZZ_SANITIZER." >&2
    exit 2
  fi
fi
# -O: optimised; -a: debug assertions and overflow checks on (an overflow is a finding).
FLAGS=(-O -a -s "$SANITIZER")

echo "[fuzz] building (cargo ${TOOLCHAIN:+$TOOLCHAIN }fuzz build ${FLAGS[*]})"
cargo ${TOOLCHAIN:+"$TOOLCHAIN"} fuzz build "${FLAGS[@]}" || exit 1

mkdir -p logs
failed=0
summary=()
for t in $TARGETS; do
  mkdir -p "corpus/$t"
  cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
  log="logs/$t.log"
  echo "[fuzz] $t: ${SECONDS_EACH}s"
  start=$(date +%s)
  cargo ${TOOLCHAIN:+"$TOOLCHAIN"} fuzz run "${FLAGS[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    result="no crash"
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="CRASH (exit $rc) ${artifact:-see fuzz/$log}"
    grep -m1 -A1 "panicked at" "$log" | sed 's/^/    /'
  fi
  summary+=("$(printf '%-8s %12s executions %6ss  %s' "$t" "${execs:-?}" "${secs:-?}" "$result")")
done

echo
echo "[fuzz] summary (FUZZ_SECONDS=$SECONDS_EACH, sanitizer $SANITIZER; logs in fuzz/logs/)"
printf '  %s\n' "${summary[@]}"
if [ $failed -ne 0 ]; then
  echo "[fuzz] a target crashed: reproduce with 'cd fuzz && cargo ${TOOLCHAIN:+$TOOLCHAIN }fuzz run ${FLAGS[*]} <target> <artifact>'," >&2
  echo "[fuzz] then turn the input into a unit test in the module's tests." >&2
fi
exit $failed
