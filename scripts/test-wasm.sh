#!/usr/bin/env bash
# Runs the browser-edge tests (tests/web.rs) in headless Chromium, in headless Firefox ESR, then
# in WebKit (WebKitGTK's MiniBrowser, Safari's engine), through wasm-bindgen-test-runner (the
# cargo runner for wasm32, see .cargo/config.toml). Exits non-zero if any test fails, or does
# not run, in any browser.
#
#   bash scripts/test-wasm.sh                                  # all three browsers
#   BROWSERS=webkit bash scripts/test-wasm.sh                  # one of them
#   bash scripts/test-wasm.sh --include-ignored known_bugs::   # extra args go to the test harness
#
# Browser flags: webdriver.json at the repo root. The runner itself adds headless,
# no-sandbox and disable-dev-shm-usage for Chromium, and -headless for Firefox.
# WebKit: the runner's Safari route (SAFARIDRIVER) drives WebKitWebDriver, which speaks the same
# W3C WebDriver and starts MiniBrowser for a session without capabilities (the route sends none,
# so webdriver.json does not apply to it). MiniBrowser has no headless mode: it runs on an Xvfb
# display of its own, started here and stopped by its pid.
set -uo pipefail
cd "$(dirname "$0")/.."

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
CHROMEDRIVER_BIN="${CHROMEDRIVER:-/usr/bin/chromedriver}"
GECKODRIVER_BIN="${GECKODRIVER:-$CARGO_BIN/geckodriver}"
WEBKITDRIVER_BIN="${WEBKITWEBDRIVER:-/usr/bin/WebKitWebDriver}"
MINIBROWSER=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
BROWSERS="${BROWSERS:-chromium firefox webkit}"
TEST=(cargo test -p rtp-tag --target wasm32-unknown-unknown --test web)
HARNESS_ARGS=("$@")

say() { printf '\n[test-wasm] %s\n' "$*"; }

# Build once, so the per-browser times below are browser times.
say "building tests/web.rs for wasm32-unknown-unknown"
if ! "${TEST[@]}" --no-run; then
  say "FAILED: the tests do not build"
  exit 1
fi

# Runs the suite with exactly one WebDriver chosen by "$1=$2" (the runner also looks at the
# other *DRIVER variables and at PATH, so every other choice is cleared).
run_in() {
  local name=$1 var=$2 driver=$3 version=$4 log rc start secs
  say "=== $name ($version) via $driver ==="
  if [ ! -x "$driver" ]; then
    say "FAILED in $name: $driver not found (bash scripts/setup.sh installs it)"
    RESULTS+=("$(printf '%-9s %-6s %9s  %s' "$name" FAIL - "no driver at $driver")")
    return 1
  fi
  log=$(mktemp)
  start=$(date +%s%N)
  env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER -u MSEDGEDRIVER \
      -u CHROMEDRIVER_REMOTE -u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u MSEDGEDRIVER_REMOTE \
      "$var=$driver" "${TEST[@]}" -- "${HARNESS_ARGS[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  secs=$(( ($(date +%s%N) - start) / 1000000 ))
  local summary
  summary=$(grep -E '^test result:' "$log" | tail -1)
  # A suite that ran nothing (wrong cfg, wrong filter) is not a pass.
  if [ "$rc" -eq 0 ] && ! grep -qE '^test result: ok\. [1-9][0-9]* passed' "$log"; then
    rc=1
    summary="${summary:-no test result}: no test ran"
  fi
  rm -f "$log"
  RESULTS+=("$(printf '%-9s %-6s %6d ms  %s' "$name" "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" "$secs" "${summary:-no test result (see output above)}")")
  return "$rc"
}

# An X display for MiniBrowser: Xvfb picks a free one (-displayfd) and is stopped on exit.
XVFB_PID=""
start_xvfb() {
  local fifo dir
  dir=$(mktemp -d)
  fifo="$dir/display"
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 &
  XVFB_PID=$!
  read -r -t 15 n <"$fifo" || n=""
  rm -rf "$dir"
  [ -n "$n" ] || { say "Xvfb did not start"; return 1; }
  export DISPLAY=":$n"
}
trap '[ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null' EXIT

RESULTS=()
failed=0
for b in $BROWSERS; do
  case $b in
    chromium) run_in Chromium CHROMEDRIVER "$CHROMEDRIVER_BIN" "$(/usr/bin/chromium --version 2>/dev/null)" || failed=1 ;;
    firefox) run_in Firefox GECKODRIVER "$GECKODRIVER_BIN" "$(/usr/bin/firefox-esr --version 2>/dev/null)" || failed=1 ;;
    webkit)
      if start_xvfb; then
        run_in WebKit SAFARIDRIVER "$WEBKITDRIVER_BIN" "WebKitGTK $("$MINIBROWSER" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1) (MiniBrowser)" || failed=1
      else
        RESULTS+=("$(printf '%-9s %-6s %9s  %s' WebKit FAIL - "no X display (Xvfb)")"); failed=1
      fi ;;
    *) say "unknown browser '$b' (chromium, firefox, webkit)"; failed=1 ;;
  esac
done

say "summary"
printf '  %s\n' "${RESULTS[@]}"
if [ "$failed" -ne 0 ]; then
  say "FAILED"
  exit 1
fi
say "all browsers passed"
