#!/usr/bin/env bash
# Installs what `make fuzz` needs, idempotently (`make test` needs none of it): cargo-fuzz from
# crates.io. It fuzzes with the stable toolchain and no sanitizer (the pure core has no
# `unsafe`; libFuzzer's coverage instrumentation works on stable). Only FUZZ_SANITIZER=address
# (or another sanitizer) needs nightly, for `-Zsanitizer`: then this asks rustup for it, which
# needs static.rust-lang.org, a host these machines may not reach (see README, "Fuzzing").
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
say() { printf '[setup-fuzz] %s\n' "$*"; }

if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION"; then
  say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (about 1 min)"
  cargo install -q cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
fi

# libFuzzer (built by libfuzzer-sys) needs a C++ compiler.
if ! command -v c++ >/dev/null; then
  say "apt: g++"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq g++ >/dev/null
fi

if [ "${FUZZ_SANITIZER:-none}" != none ] && ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "rustup toolchain install nightly (for FUZZ_SANITIZER=${FUZZ_SANITIZER})"
  if ! rustup toolchain install nightly --profile minimal; then
    say "ERROR: FUZZ_SANITIZER=${FUZZ_SANITIZER} needs the nightly toolchain, and rustup could not fetch it"
    say "       (static.rust-lang.org unreachable?). Run 'make fuzz' without FUZZ_SANITIZER: stable, no sanitizer."
    exit 1
  fi
fi
say "ready"
