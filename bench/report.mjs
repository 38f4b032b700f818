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
if (process.argv[1] && process.argv[1].endsWith('report.mjs')) console.log(report(JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))));
