#!/usr/bin/env bash
# Installs the bench's pinned npm packages (the peer tags, esbuild, ws) and bundles the peers that
# ship no script-tag build of their own. Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -x /usr/bin/chromium ] || { echo "bench: needs Chromium at /usr/bin/chromium (scripts/setup.sh installs it)" >&2; exit 1; }
[ -f ../dist/rtp.js ] && [ -f ../dist/rtp_bg.wasm ] || { echo "bench: no dist/ build; run 'make build' at the repository root" >&2; exit 1; }
mkdir -p build
for t in snowplow plausible; do
  if [ ! -f build/$t.js ] || [ tags/$t-entry.js -nt build/$t.js ] || [ package-lock.json -nt build/$t.js ]; then
    node_modules/.bin/esbuild tags/$t-entry.js --bundle --minify --format=iife --target=es2019 --outfile=build/$t.js --log-level=warning
  fi
done
# The npm package in an app (tags/rtp-npm-entry.js): rebuilt every time, from the current dist/npm.
[ -f ../dist/npm/index.js ] || { echo "bench: no dist/npm build; run 'make build' at the repository root" >&2; exit 1; }
node_modules/.bin/esbuild tags/rtp-npm-entry.js --bundle --minify --format=esm --target=es2020 --outfile=build/rtp-npm.js --log-level=warning
cp ../dist/npm/rtp_bg.wasm build/rtp_bg.wasm
