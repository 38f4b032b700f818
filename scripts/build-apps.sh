#!/usr/bin/env bash
# The example apps that use the npm package (issue 4), each installed the way a user installs
# it: `npm ci` from the app's lockfile, which names the packed tarball dist/rtp-tag-<version>.tgz
# (scripts/build-npm.sh makes it). The lockfile entry of rtp-tag has no integrity hash, since
# the tarball changes with every build; `npm ci` extracts it afresh each time.
#   examples/react-vite    React 19 with Vite 8: its production build in build/ (its dev server
#                          is started by tests/e2e/npm-apps.test.mjs)
#   examples/webpack-app   plain JavaScript with webpack 5: build/app.js and the fingerprinted wasm
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
for app in examples/react-vite examples/webpack-app; do
  if ! grep -q "\"file:../../dist/rtp-tag-$version.tgz\"" "$app/package.json"; then
    echo "build-apps: $app/package.json does not name dist/rtp-tag-$version.tgz" >&2
    exit 1
  fi
  (cd "$app" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build >/dev/null)
  echo "built $app"
done
