#!/usr/bin/env bash
# One build command for the script-tag files: dist/rtp.js, dist/rtp_bg.wasm (the light module),
# dist/rtp_full.js, dist/rtp_full_bg.wasm (the full tag), dist/snippet.min.js,
# then the npm package (scripts/build-npm.sh: dist/npm/ and its tarball), the example apps that
# install it (scripts/build-apps.sh), then the size report. Run `scripts/setup.sh` first (the Makefile does).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"

# The shipped build has no std (src/runtime.rs). RTP_FEATURES="--features std" builds the std
# variant instead, to compare (size, speed) against it; it is over the size budget.
# A 64 KiB stack instead of Rust's 1 MiB default: the wasm's linear memory is the stack plus the
# heap, and the tag has no deep recursion (record and JSON checks are iterative); the stack
# sits at the bottom of memory, so an overflow traps instead of corrupting the heap.
# Two wasm modules from the one crate: the full tag (dist/rtp_full_bg.wasm, also the npm
# package's) and, with `--features light`, the light module a clean page load runs
# (dist/rtp_bg.wasm; src/light.rs). Each is copied out of cargo's output before the next build.
wasm() { # wasm <features> <bindgen dir> <out.wasm> <import names json>
  RUSTFLAGS="-C link-arg=-zstack-size=65536" \
    cargo build -q --release --target wasm32-unknown-unknown -p rtp-tag $1
  rm -rf "$2" && mkdir -p "$2" dist
  cp target/wasm32-unknown-unknown/release/rtp_tag.wasm "$2/cargo.wasm" # for scripts/build-npm.sh
  # no-modules: a classic script (async-loadable by the snippet), wrapped by scripts/build.mjs.
  wasm-bindgen --target no-modules --out-dir "$2" --out-name rtp --no-typescript \
    --remove-name-section --remove-producers-section target/wasm32-unknown-unknown/release/rtp_tag.wasm
  # --low-memory-unused: Rust puts the stack at the bottom of memory, so the first 1 KiB is only
  #   reached by a 1 MiB-deep stack; --zero-filled-memory: the memory is the module's own, fresh.
  # Not --traps-never-happen: a panic is a trap, and must stay one.
  # --flatten --rereloop, then a second inlining round, and one-caller inlining capped at 30
  # (-ocimfs, by default unlimited): more bytes raw but fewer gzipped and brotli'd (measured:
  # about -430 B gzip against `-Oz --converge` alone; the cap alone or the rereloop alone gain
  # about half of it). The passes preserve semantics; only the size and the code's shape change.
  wasm-opt -ocimfs=30 --flatten --rereloop -Oz --converge --inlining-optimizing -Oz --converge --low-memory-unused --zero-filled-memory --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$2/rtp_bg.wasm" -o "$3"
  # The import names (`__wbg_<name>_<hash>`, from "./rtp_bg.js") renamed a, b, … in the wasm and
  # its glue; the json keeps the names for the npm glue (scripts/build-npm.sh).
  node scripts/short-imports.mjs "$3" "$4" "$2/rtp.js"
}
wasm "${RTP_FEATURES:---no-default-features}" target/bindgen dist/rtp_full_bg.wasm target/short-imports.json
wasm "${RTP_FEATURES:---no-default-features} --features light" target/bindgen-light dist/rtp_bg.wasm target/short-imports-light.json
node scripts/build.mjs
bash scripts/build-npm.sh
bash scripts/build-apps.sh
node scripts/size-report.mjs "$@"
