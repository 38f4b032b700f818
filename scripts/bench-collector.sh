#!/usr/bin/env bash
# The collector benchmark (`make bench-collector`, issue 14): not a test. On loopback, 16
# keep-alive connections post batches of 1, 10 and 100 events with fresh ids to each sink of the
# current collector and to the old development server (built from git history, commit
# 86fbed6, into a temporary folder), and the table goes to collector/BENCH.md. The batch-of-10
# runs last MEMORY_SECONDS (default 60) and sample the server's resident memory every 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
MEMORY_SECONDS=${MEMORY_SECONDS:-60}
CONNECTIONS=16
OLD_COMMIT=86fbed6
PG_BIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d /tmp/rtp-bench-collector.XXXXXX)
chmod 777 "$WORK"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/pg/postmaster.pid" ] && kill -QUIT "$(head -1 "$WORK/pg/postmaster.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "[bench] building the collector and the load generator (release)"
cargo build -q --profile collector -p rtp-collector --bin rtp-collector --example loadgen
NEW=target/collector/rtp-collector
LOADGEN=target/collector/examples/loadgen
echo "[bench] building the old development server from $OLD_COMMIT"
mkdir -p "$WORK/old"
git archive "$OLD_COMMIT" Cargo.toml Cargo.lock src collector | tar -x -C "$WORK/old"
CARGO_TARGET_DIR="$WORK/old/target" cargo build -q --release --manifest-path "$WORK/old/Cargo.toml" -p rtp-collector
OLD="$WORK/old/target/release/rtp-collector"

echo "[bench] PostgreSQL and nats-server"
PG_PORT=$(free_port)
as_postgres "$PG_BIN/initdb" -A trust -U postgres --no-sync -D "$WORK/pg" >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/pg.log" -w start >/dev/null
NATS_PORT=$(free_port)
mkdir -p "$WORK/nats"
nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$WORK/nats" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT") 2>/dev/null && break; sleep 0.1; done

# start NAME ARGS…: starts a server, sets URL and SERVER_PID.
start() {
  local out="$WORK/$1.out"; shift
  "$@" >"$out" 2>/dev/null &
  SERVER_PID=$!
  PIDS+=($SERVER_PID)
  for _ in $(seq 100); do grep -q "listening on" "$out" 2>/dev/null && break; sleep 0.05; done
  URL=$(grep -o 'http://[^ ]*' "$out" | head -1)collect
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
run_server() {
  local name=$1; shift
  start "$name" "$@"
  for size in 1 10 100; do
    local secs=$SECONDS_PER_RUN memory="" before after
    [ "$size" = 10 ] && secs=$MEMORY_SECONDS
    before=$(rss_kib "$SERVER_PID")
    if [ "$size" = 10 ]; then
      ( for _ in $(seq $((secs / 10))); do sleep 10; rss_kib "$SERVER_PID"; done ) >"$WORK/rss" &
      local sampler=$!
    fi
    local line
    line=$("$LOADGEN" "$URL" "$size" "$CONNECTIONS" "$secs")
    if [ "$size" = 10 ]; then
      wait "$sampler" || true
      memory="$before → $(paste -sd' ' "$WORK/rss" | tr ' ' '\n' | awk '{printf "%s%s", sep, $1; sep=" "}') KiB"
    fi
    echo "[bench] $name batch $size: $line ${memory}"
    printf '%s\t%s\t%s\n' "$name" "$line" "$memory" >>"$RESULTS"
  done
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

run_server "old development server ($OLD_COMMIT)" "$OLD" --port 0 --root "$WORK" --log "$WORK/old-events.ndjson"
run_server "file (fsync, group commit)" "$NEW" --listen 127.0.0.1:0 --sink "file:$WORK/events.ndjson"
run_server "postgres" "$NEW" --listen 127.0.0.1:0 --sink "postgres://postgres@127.0.0.1:$PG_PORT/postgres"
run_server "nats (JetStream)" "$NEW" --listen 127.0.0.1:0 --sink "nats://127.0.0.1:$NATS_PORT"

node - "$RESULTS" "$CONNECTIONS" "$MEMORY_SECONDS" "$SECONDS_PER_RUN" <<'JS' >collector/BENCH.md
const [file, connections, memorySeconds, seconds] = process.argv.slice(2);
const rows = require('fs').readFileSync(file, 'utf8').trim().split('\n').map((l) => {
  const [name, json, memory] = l.split('\t');
  return { name, memory, ...JSON.parse(json) };
});
const n = (x) => Math.round(x).toLocaleString('en-US');
const out = [
  '# Collector benchmark',
  '',
  `Written by \`make bench-collector\` (scripts/bench-collector.sh) on ${new Date().toISOString().slice(0, 10)}: loopback, ${connections} keep-alive connections,`,
  `batches of fresh ids, ${seconds} s per run (${memorySeconds} s for batches of 10, with the server's resident memory sampled`,
  'every 10 s). The load generator (collector/examples/loadgen.rs) runs on the same 2 cores as the',
  'server and its sink, and other work may share the machine: compare rows of one run.',
  '',
  '| server / sink | batch | batches/s | events/s | p50 ms | p99 ms | non-2xx | memory (RSS, start → every 10 s) |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${r.batch} | ${n(r.batches_per_s)} | ${n(r.events_per_s)} | ${r.p50_ms.toFixed(2)} | ${r.p99_ms.toFixed(2)} | ${r.failed} | ${r.memory || ''} |`),
  '',
];
process.stdout.write(out.join('\n'));
JS
echo "[bench] wrote collector/BENCH.md"
