#!/usr/bin/env bash
# The npm package, from the same cargo wasm output as the script tag (run scripts/build.sh
# first; it calls this): dist/npm/ (the package folder) and dist/rtp-tag-<version>.tgz (npm pack).
#   dist/npm/rtp.js        wasm-bindgen --target web glue: an ES module that locates the wasm with
#                          new URL(…, import.meta.url)
#   dist/npm/rtp_bg.wasm   dist/rtp_full_bg.wasm, the script tag's optimised full tag: wasm-bindgen
#                          emits the same wasm for both targets (checked below), so it is not
#                          optimised twice
#   dist/npm/host.js       js/host.js, shared with the script tag's loader
#   dist/npm/index.js, index.d.ts, package.json, README.md, LICENSE   from npm/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"

out=target/bindgen-web
rm -rf "$out" dist/npm dist/rtp-tag-*.tgz && mkdir -p "$out" dist/npm
wasm-bindgen --target web --out-dir "$out" --out-name rtp --no-typescript \
  --remove-name-section --remove-producers-section target/bindgen/cargo.wasm
if ! cmp -s "$out/rtp_bg.wasm" target/bindgen/rtp_bg.wasm; then
  echo "build-npm: wasm-bindgen --target web emitted another wasm than --target no-modules; optimise it here" >&2
  exit 1
fi
cp "$out/rtp.js" js/host.js dist/npm/
# dist/rtp_full_bg.wasm has short import names (scripts/build.sh): the same in this glue.
node scripts/short-imports.mjs --apply target/short-imports.json dist/npm/rtp.js
cp dist/rtp_full_bg.wasm dist/npm/rtp_bg.wasm
cp npm/index.js npm/views.js npm/index.d.ts npm/README.md npm/LICENSE dist/npm/
# The package's version is the crate's.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs"), [file, version] = process.argv.slice(1);
  const p = JSON.parse(fs.readFileSync("npm/package.json", "utf8"));
  fs.writeFileSync(file, JSON.stringify({ ...p, version }, null, 2) + "\n");
' dist/npm/package.json "$version"
npm pack --silent --pack-destination dist ./dist/npm >/dev/null
ls dist/rtp-tag-"$version".tgz >/dev/null
