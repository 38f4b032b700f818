# rtp-tag: the two commands of the README, and the steps they are made of.
#   make demo   builds everything and serves the example pages with the local collector
#   make test   installs what is missing, builds, and runs every test
#   make bench  the side-by-side benchmark against peer trackers (bench/README.md)
#   make bench-collector  the collector's load benchmark per sink (collector/BENCH.md)
#   make fuzz   fuzzes the pure core for a bounded time (README, "Fuzzing")
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
PORT ?= 8787
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= values record outbox config
FUZZ_SANITIZER ?= none

.PHONY: demo test setup build npm collector lint test-native test-wasm test-npm test-e2e size bench bench-collector fuzz clean

demo: build collector
	@echo
	@echo "  rtp-tag demo: open http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@echo "  the npm package in apps: http://127.0.0.1:$(PORT)/examples/react-vite/build/ (React, Vite)"
	@echo "                           http://127.0.0.1:$(PORT)/examples/webpack-app/ (webpack 5)"
	@echo
	./target/collector/rtp-collector --dev --listen 127.0.0.1:$(PORT) --root .

test: build collector
	$(MAKE) --no-print-directory lint test-native test-wasm test-npm test-e2e

# Formatting and lints, as errors: rustfmt over the workspace and fuzz/, clippy natively and
# for the wasm (whose browser edge only compiles there), shipped build and tests.
lint: setup
	cargo fmt --all --check
	cd fuzz && cargo fmt --check
	cargo clippy -q --workspace --all-targets -- -D warnings
	cargo clippy -q -p rtp-tag --target wasm32-unknown-unknown --no-default-features -- -D warnings
	cargo clippy -q -p rtp-tag --target wasm32-unknown-unknown --no-default-features --features light -- -D warnings
	cargo clippy -q -p rtp-tag --target wasm32-unknown-unknown --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc -q -p rtp-tag --no-deps

setup:
	bash scripts/setup.sh

# The script-tag build (dist/), the npm package (dist/npm/, dist/rtp-tag-<version>.tgz), the
# example apps that install it (examples/*/build) and the size report.
build: setup
	bash scripts/build.sh

npm: build

collector: setup
	cargo build -q --profile collector -p rtp-collector

# The pure core and the collector, natively.
test-native: setup
	cargo test --workspace

# The browser edge, with wasm-bindgen-test, in headless Chromium and Firefox ESR, and in WebKit
# (WebKitGTK's MiniBrowser under Xvfb).
test-wasm: setup
	bash scripts/test-wasm.sh

# The npm package: its declarations against a typed usage file (with expected errors), and
# the packed tarball imported in Node as a server-side render would.
test-npm: build
	tsc --noEmit -p tests/npm
	node --test tests/npm/

# End to end: the built tag in real browsers (Chromium, Firefox ESR, WebKit) against the real
# collector (also asserts sizes). RTP_BROWSERS=webkit (comma-separated) picks engines.
test-e2e: build collector
	node --test --test-concurrency=1 tests/e2e/

size: build

# The benchmark against peer trackers (issue 5): not a test; writes bench/results and bench/README.md.
bench: build
	$(MAKE) -C bench bench

# The collector's load benchmark (issue 14): each sink and the old development server, batches of
# 1, 10 and 100, 16 connections; writes collector/BENCH.md. Not a test.
bench-collector: setup
	bash scripts/bench-collector.sh

# Coverage-guided fuzzing of the pure core (fuzz/, cargo-fuzz + libFuzzer): customData
# validation, the outbox's stored records read back, the outbox under arbitrary operations and
# other writers, and the configuration. FUZZ_SECONDS per target (default 60), FUZZ_TARGETS to
# pick some. Not part of `make test`. Runs on the stable toolchain without a sanitizer (the core
# has no `unsafe`); FUZZ_SANITIZER=address needs nightly, which rustup fetches from
# static.rust-lang.org: where that host is blocked, it stops with a message and exits non-zero.
# Exits non-zero when a target crashes; the input is in fuzz/artifacts/<target>/.
fuzz:
	FUZZ_SANITIZER=$(FUZZ_SANITIZER) bash scripts/setup-fuzz.sh
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_SANITIZER=$(FUZZ_SANITIZER) bash scripts/fuzz.sh

clean:
	rm -rf dist target/bindgen target/bindgen-web examples/*/build
