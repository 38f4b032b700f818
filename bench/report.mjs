// The report table (markdown) from a results JSON. `node report.mjs results/FILE.json` reprints it.
import fs from 'node:fs';
const f0 = (x) => (x == null ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x == null ? '–' : x.toFixed(1));
const f2 = (x) => (x == null ? '–' : x.toFixed(2));
const kb = (x) => (x == null ? '–' : (x / 1024).toFixed(0) + ' K');
const mb = (x) => (x == null ? '–' : (x / 1048576).toFixed(1) + ' M');
export function report(out) {
  const S = out.summary, tags = Object.keys(S);
  const rows = [
    ['bytes raw', 'bytes_raw', f0], ['bytes gzip -9', 'bytes_gzip', f0], ['bytes brotli', 'bytes_brotli', f0],
    ['ready (ms)', 'ready_ms', f0], ['µs per call', 'us_per_call', f2], ['burst main-thread (ms)', 'burst_main_ms', f1],
    ['burst delivered (of 1,000, 10 s)', 'burst_delivered', f0], ['burst requests', 'burst_requests', f0],
    ['latency median (ms)', 'latency_median_ms', f1], ['latency p95 (ms)', 'latency_p95_ms', f1],
    ['JS heap after 10k calls', 'heap_10k', mb], ['wasm memory after 10k', 'wasm_10k', kb],
    ['JS heap after 100k calls', 'heap_100k', mb], ['wasm memory after 100k', 'wasm_100k', kb],
  ];
  let s = `Measured ${out.date.slice(0, 10)} on ${out.browser}, commit \`${out.commit.slice(0, 12)}\`${out.dirty ? ' (dirty)' : ''}, `
    + `${out.config.REPS} interleaved repetitions, medians. Latency over up to ${out.config.LAT_N} lone events per repetition${out.config.LAT_CAP_MS ? ` (at most ${out.config.LAT_CAP_MS / 1000} s of them, at least ${out.config.LAT_MIN})` : ''}. `
    + `Memory from the first ${out.config.MEM_REPS} repetition(s).\n\n`;
  s += `| | ${tags.join(' | ')} |\n|---|${tags.map(() => '---:').join('|')}|\n`;
  for (const [label, k, f] of rows) s += `| ${label} | ${tags.map((t) => f(S[t][k])).join(' | ')} |\n`;
  if (S.rtp) {
    const peers = tags.filter((t) => t !== 'rtp' && t !== 'rtp-npm'); // rtp-npm is rtp-tag too
    s += `\nrtp-tag ÷ each other tag (below 1: rtp-tag is smaller / faster):\n\n| | ${peers.join(' | ')} |\n|---|${peers.map(() => '---:').join('|')}|\n`;
    for (const [label, k] of rows.slice(0, 10)) {
      if (k === 'burst_delivered') continue;
      s += `| ${label} | ${peers.map((t) => (S.rtp[k] != null && S[t][k] ? (S.rtp[k] / S[t][k]).toFixed(2) : '–')).join(' | ')} |\n`;
    }
  }
  const capped = tags.filter((t) => S[t].mem_capped_at != null);
  if (capped.length) s += `\nMemory run capped (time limit) for: ${capped.map((t) => `${t} at ${S[t].mem_capped_at.toLocaleString('en-US')} calls`).join(', ')}.\n`;
  return s;
}

// The ready figure per network profile: medians per tag, then rtp-tag ÷ the floor and each peer.
// Every tag whose name starts with `rtp` is rtp-tag (a build variant, the pinned form).
export function readyReport(out) {
  const R = out.ready_summary, profiles = Object.keys(R);
  if (!profiles.length) return '';
  const tags = Object.keys(R[profiles[0]]);
  const ours = tags.filter((t) => t.startsWith('rtp')), peers = tags.filter((t) => !t.startsWith('rtp'));
  const label = (p) => out.config.profiles?.[p]?.label || (p === 'loopback' ? 'loopback (no emulation)' : p);
  let s = `Measured ${out.date.slice(0, 10)} on ${out.browser}, commit \`${out.commit.slice(0, 12)}\`${out.dirty ? ' (dirty)' : ''}, `
    + `${out.config.READY_REPS} interleaved repetitions, medians. Ready: ms from navigation start until the sink has the event `
    + `the page's inline script queued before the tag loaded; cold cache, files served gzip -9.\n\n`;
  s += `| network | ${tags.join(' | ')} |\n|---|${tags.map(() => '---:').join('|')}|\n`;
  for (const p of profiles) s += `| ${label(p)} | ${tags.map((t) => f0(R[p][t].ready_ms)).join(' | ')} |\n`;
  for (const o of ours) {
    s += `\n${o} ÷ each other tag, ready (below 1: ${o} is first):\n\n| network | ${peers.join(' | ')} |\n|---|${peers.map(() => '---:').join('|')}|\n`;
    for (const p of profiles) s += `| ${label(p)} | ${peers.map((t) => (R[p][o].ready_ms && R[p][t].ready_ms ? (R[p][o].ready_ms / R[p][t].ready_ms).toFixed(2) : '–')).join(' | ')} |\n`;
  }
  s += `\nrtp-tag's requests (medians, ms from navigation start; wasm GETs per load):\n\n| network | tag | loader requested | wasm requested | wasm arrived | wasm GETs |\n|---|---|---:|---:|---:|---:|\n`;
  for (const p of profiles) for (const o of ours) {
    const x = R[p][o];
    s += `| ${label(p)} | ${o} | ${f0(x.loader_start_ms)} | ${f0(x.wasm_start_ms)} | ${f0(x.wasm_end_ms)} | ${x.wasm_gets ?? '–'} |\n`;
  }
  return s;
}
if (process.argv[1] && process.argv[1].endsWith('report.mjs')) {
  const out = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  if (out.summary && Object.keys(out.summary).length) console.log(report(out));
  if (out.ready_summary) console.log(readyReport(out));
}
