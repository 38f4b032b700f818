#!/usr/bin/env bash
# Installs everything `make demo` / `make test` need, idempotently: each step checks first.
# Only registry routes that work on a closed machine (see ../shared/TOOLCHAIN.md): apt, crates.io, npm.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
GECKODRIVER_VERSION=0.37.0
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

say() { printf '[setup] %s\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
# WebKit (Safari's engine): WebKitWebDriver and WebKitGTK's MiniBrowser, on an Xvfb display.
[ -x /usr/bin/WebKitWebDriver ] && [ -x /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser ] || need_apt+=(webkit2gtk-driver)
[ -x /usr/bin/Xvfb ] || need_apt+=(xvfb)
command -v brotli >/dev/null || need_apt+=(brotli)
# The collector's tests start their own PostgreSQL and NATS JetStream servers.
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql)
command -v nats-server >/dev/null || need_apt+=(nats-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt: ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 min)"
  # --locked fails here: its lockfile wants a crate version the registry does not serve.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! [ -x "$CARGO_BIN/geckodriver" ]; then
  say "cargo install geckodriver $GECKODRIVER_VERSION (about 1.5 min)"
  cargo install -q geckodriver --version "$GECKODRIVER_VERSION"
fi

# npm: wasm-opt (binaryen), browser drivers, terser for the snippet/loader, typescript (tsc) for the
# npm package's declarations. Pinned in package-lock.json.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/puppeteer-core ] || [ ! -x node_modules/.bin/tsc ] || [ package-lock.json -nt node_modules/.setup-stamp ]; then
  say "npm ci"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  touch node_modules/.setup-stamp
fi
say "ready"
