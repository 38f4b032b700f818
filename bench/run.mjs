// The benchmark: every tag, in real headless Chromium, each repetition in a fresh browser
// context, interleaved (A B C … A B C …). Driven over a bare DevTools connection (cdp.mjs).
// Usage: node run.mjs   (env: REPS=5 TAGS=rtp,floor,... LAT_N=50 LAT_CAP_MS=10000 MEM_REPS=1
//                       MEM_CALLS=10000,100000 MEM_CAP_MS=60000)
// Two phases (PHASES=main,ready; `make ready` runs only the second):
// - main: every figure but the networked ready, over the bare connection (no Network domain);
// - ready: "ready" under each network profile (PROFILES=loopback,100ms,slow4g), cold cache,
//   READY_REPS repetitions of READY_TAGS, interleaved (rep → profile → tag). This phase enables
//   the Network domain (emulateNetworkConditions, setCacheDisabled) in its own contexts.
// Other builds of rtp-tag, for before/after in one run: RTP_VARIANTS=name=dir,... (each dir holds
// rtp.js, rtp_bg.wasm, snippet.min.js, sri.json); a tag `rtp@name` (or `rtp-pinned@name`) loads it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSink, fileFor, nowMs, setDist, setVariants } from './sink.mjs';
import crypto from 'node:crypto';
import { launchChromium } from './cdp.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.REPS || 5);
const TAGS = (process.env.TAGS || 'rtp,rtp-npm,floor,snowplow,plausible,posthog,segment').split(',');
const LAT_N = Number(process.env.LAT_N || 50);
const MEM_REPS = Number(process.env.MEM_REPS ?? 1);
const MEM_CALLS = (process.env.MEM_CALLS || '10000,100000').split(',').map(Number);
const MEM_CAP_MS = Number(process.env.MEM_CAP_MS || 60000);
// Lone events are sent one at a time, each after the previous arrived: at most LAT_N, and no
// more once LAT_CAP_MS have passed (but at least LAT_MIN). A tag that holds events for seconds
// (PostHog flushes every 3 s) gets LAT_MIN samples instead of 50 × 3 s per repetition.
const LAT_CAP_MS = Number(process.env.LAT_CAP_MS || 10000);
const LAT_MIN = Number(process.env.LAT_MIN || 5);
const BURST = 1000;
const PHASES = (process.env.PHASES || 'main,ready').split(',');
const READY_TAGS = (process.env.READY_TAGS || 'rtp,floor,plausible,snowplow,segment,posthog').split(',');
const READY_REPS = Number(process.env.READY_REPS || REPS);
// The network profiles of the ready figure (DevTools Network.emulateNetworkConditions: `latency`
// ms added to each request, throughputs in bytes/s). Upload as DevTools' presets pair them.
const ALL_PROFILES = {
  loopback: null,
  '100ms': { latency: 100, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8, label: '100 ms, 10 Mbit/s' },
  slow4g: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8, label: 'slow 4G: 150 ms, 1.6 Mbit/s' },
};
const PROFILES = (process.env.PROFILES || 'loopback,100ms,slow4g').split(',');
for (const p of PROFILES) if (!(p in ALL_PROFILES)) throw new Error(`unknown profile ${p} (${Object.keys(ALL_PROFILES)})`);
const READY_CAP_MS = Number(process.env.READY_CAP_MS || 20000);
const RUN = Date.now().toString(36);
const log = (...a) => console.error(new Date().toISOString().slice(11, 19), ...a);

// page-side probe, installed before any page script: records every wasm memory instantiated
const PROBE = `(() => {
  const mems = window.__wasmMems = [];
  const note = (inst) => { try { for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) mems.push(v); } catch (e) {} };
  const W = WebAssembly;
  const is = W.instantiateStreaming, i = W.instantiate;
  if (is) W.instantiateStreaming = function () { return is.apply(this, arguments).then((r) => { note(r.instance); return r; }); };
  W.instantiate = function () { return i.apply(this, arguments).then((r) => { note(r.instance || r); return r; }); };
})();`;

const sizeCache = new Map();
function sizes(file) {
  if (!sizeCache.has(file)) {
    const b = fs.readFileSync(file);
    sizeCache.set(file, { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length });
  }
  return sizeCache.get(file);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => { const s = a.filter((x) => x != null && !Number.isNaN(x)).sort((x, y) => x - y); if (!s.length) return null; const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pct = (a, p) => { const s = a.filter((x) => x != null).sort((x, y) => x - y); if (!s.length) return null; return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };

async function taskDuration(cdp, sid) {
  const { metrics } = await cdp.send('Performance.getMetrics', {}, sid);
  const get = (n) => metrics.find((m) => m.name === n)?.value;
  return { task: get('TaskDuration') * 1000, heap: get('JSHeapUsedSize') };
}

async function runOne(cdp, sink, tag, rep) {
  const pre = `bm${RUN}x${rep}x${tag.replace(/[^a-z0-9]/g, "")}x`; // a marker is bm + [a-z0-9_]
  const r = { tag, rep };
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  try {
    // Page is enabled only so the wasm-memory probe is installed before the page's scripts run
    await cdp.send('Page.enable', {}, sid);
    await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: PROBE }, sid);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' }, sid);
    const readyM = pre + 'ready';
    await cdp.send('Page.navigate', { url: pageUrl(tag, readyM.slice(2)) }, sid);
    // wait for the document, then for the tag to have loaded
    let loaded = false;
    const t0 = Date.now();
    while (Date.now() - t0 < 20000) {
      try { loaded = await cdp.eval(sid, `document.readyState === 'complete' && typeof __loaded === 'function' && __loaded()`); } catch { loaded = false; }
      if (loaded) break;
      await sleep(25);
    }
    r.loaded = loaded;
    const timeOrigin = await cdp.eval(sid, 'performance.timeOrigin');
    // ready: navigation start -> the collector has the inline, pre-load event
    await sink.until(() => sink.arrivals.has(readyM), 10000);
    r.ready_ms = sink.arrivals.has(readyM) ? sink.arrivals.get(readyM) - timeOrigin : null;
    // bytes: every JS and wasm file the page fetched
    const urls = await cdp.eval(sid, `performance.getEntriesByType('resource').map(e => e.name)`);
    r.files = [];
    r.bytes = { raw: 0, gzip: 0, brotli: 0 };
    for (const u of urls) {
      const p = new URL(u).pathname;
      if (!/\.(js|wasm)$/.test(p)) continue;
      const f = fileFor(p); if (!f) continue;
      const s = sizes(f); r.files.push({ path: p, ...s });
      for (const k of Object.keys(r.bytes)) r.bytes[k] += s[k];
    }
    await sleep(300); // let start-up work settle
    // latency of a lone event, LAT_N times
    r.latency = [];
    const tl = Date.now();
    for (let i = 0; i < LAT_N && (i < LAT_MIN || Date.now() - tl < LAT_CAP_MS); i++) {
      const k = pre + 'l' + i;
      const tc = await cdp.eval(sid, `(() => { const t = performance.timeOrigin + performance.now(); __call(${JSON.stringify(k)}); return t; })()`);
      await sink.until(() => sink.arrivals.has(k), 5000);
      r.latency.push(sink.arrivals.has(k) ? sink.arrivals.get(k) - tc : null);
      await sleep(20);
    }
    r.latency_median_ms = median(r.latency);
    r.latency_p95_ms = pct(r.latency, 0.95);
    await sleep(300);
    // per call + burst
    const bp = pre + 'b';
    const before = await taskDuration(cdp, sid);
    const tStart = nowMs();
    r.call_total_ms = await cdp.eval(sid, `(() => { const p = ${JSON.stringify(bp)}; const t = performance.now(); for (let i = 0; i < ${BURST}; i++) __call(p + i); return performance.now() - t; })()`);
    r.us_per_call = r.call_total_ms * 1000 / BURST;
    const burstKeys = Array.from({ length: BURST }, (_, i) => bp + i);
    const all = () => burstKeys.every((k) => sink.arrivals.has(k));
    await sink.until(all, Math.max(0, tStart + 10000 - nowMs()));
    const after = await taskDuration(cdp, sid);
    r.burst_main_ms = after.task - before.task;
    r.burst_delivered = burstKeys.filter((k) => sink.arrivals.has(k) && sink.arrivals.get(k) <= tStart + 10000).length;
    const re = new RegExp('^' + bp + '\\d+$');
    r.burst_requests = sink.requests.filter((q) => q.t >= tStart && q.markers.some((m) => re.test(m))).length;
    const lastArr = Math.max(...burstKeys.map((k) => sink.arrivals.get(k) || 0));
    r.burst_all_arrived_ms = all() ? lastArr - tStart : null;
    await sleep(500);
    // memory after 10,000 and 100,000 calls (first MEM_REPS repetitions only)
    if (rep < MEM_REPS) {
      r.memory = [];
      let done = 0; const tm = Date.now();
      for (const target of MEM_CALLS) {
        while (done < target && Date.now() - tm < MEM_CAP_MS) {
          const n = Math.min(1000, target - done);
          await cdp.eval(sid, `(() => { const p = ${JSON.stringify(pre + 'm')}; for (let i = ${done}; i < ${done + n}; i++) __call(p + i); })()`);
          done += n;
          await sleep(1); // let the page run its tasks between chunks
        }
        await sleep(1000);
        await cdp.eval(sid, 'gc(); gc(); 0');
        const h = await cdp.send('Runtime.getHeapUsage', {}, sid);
        const wasm = await cdp.eval(sid, `(window.__wasmMems || []).reduce((s, m) => s + m.buffer.byteLength, 0)`);
        r.memory.push({ calls: done, target, js_heap_used: h.usedSize, wasm_memory: wasm, capped: done < target });
        if (done < target) break;
      }
    }
  } finally {
    try { await cdp.send('Target.closeTarget', { targetId }); } catch {}
    try { await cdp.send('Target.disposeBrowserContext', { browserContextId }); } catch {}
  }
  return r;
}

// A tag name → its page: `rtp@fetch` is pages/rtp.html with the build named `fetch`.
function pageUrl(tag, m) {
  const [page, v] = tag.split('@');
  return `http://127.0.0.1:${sink.port}/pages/${page}.html?m=${m}${v ? '&v=' + v : ''}`;
}

// One cold load under a network profile: navigation start → the sink has the inline event.
async function readyOne(cdp, sink, tag, profile, rep) {
  const m = `${RUN}x${rep}x${profile}x${tag.replace(/[^a-z0-9]/g, '')}xready`;
  const r = { tag, profile, rep };
  const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  try {
    await cdp.send('Network.enable', {}, sid);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }, sid);
    const p = ALL_PROFILES[profile];
    if (p) await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: p.latency, downloadThroughput: p.downloadThroughput, uploadThroughput: p.uploadThroughput }, sid);
    await cdp.send('Page.navigate', { url: pageUrl(tag, m) }, sid);
    await sink.until(() => sink.arrivals.has('bm' + m), READY_CAP_MS);
    const timeOrigin = await cdp.eval(sid, 'performance.timeOrigin');
    r.ready_ms = sink.arrivals.has('bm' + m) ? sink.arrivals.get('bm' + m) - timeOrigin : null;
    // rtp-tag's own requests: when the loader and the wasm were asked for and arrived
    const res = await cdp.eval(sid, `performance.getEntriesByType('resource').map(e => [new URL(e.name).pathname, e.startTime, e.responseEnd])`);
    for (const [path, start, end] of res) {
      const k = path.endsWith('/rtp.js') ? 'loader' : path.endsWith('/rtp_bg.wasm') ? 'wasm' : null;
      if (k && r[k + '_start_ms'] == null) { r[k + '_start_ms'] = start; r[k + '_end_ms'] = end; }
    }
    // every GET of a wasm by this page (its Referer carries the marker): 1 means no second fetch
    r.wasm_gets = sink.gets.filter((g) => g.path.endsWith('.wasm') && g.referer.includes(m)).length;
  } finally {
    try { await cdp.send('Target.closeTarget', { targetId }); } catch {}
    try { await cdp.send('Target.disposeBrowserContext', { browserContextId }); } catch {}
  }
  return r;
}

// snapshot dist/ so a rebuild during the run cannot mix two builds
const SNAP = path.join(HERE, 'build', 'dist-snapshot');
fs.rmSync(SNAP, { recursive: true, force: true }); fs.mkdirSync(SNAP, { recursive: true });
const distInfo = {};
const snapshot = (from, to, info) => {
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['rtp.js', 'rtp_bg.wasm', 'rtp_full.js', 'rtp_full_bg.wasm', 'snippet.min.js', 'sri.json']) {
    if (f.startsWith('rtp_full') && !fs.existsSync(path.join(from, f))) continue; // a build from before the light module
    const b = fs.readFileSync(path.join(from, f)); fs.writeFileSync(path.join(to, f), b);
    info[f] = { bytes: b.length, sha256: crypto.createHash('sha256').update(b).digest('hex') };
  }
};
snapshot(path.join(HERE, '..', 'dist'), SNAP, distInfo);
setDist(SNAP);
const variants = {}, variantInfo = {};
for (const spec of (process.env.RTP_VARIANTS || '').split(',').filter(Boolean)) {
  const [name, dir] = spec.split('=');
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`variant name ${name}: [a-z0-9-] only`);
  variants[name] = path.join(HERE, 'build', 'dist@' + name);
  fs.rmSync(variants[name], { recursive: true, force: true });
  snapshot(path.resolve(dir), variants[name], (variantInfo[name] = {}));
}
setVariants(variants);
const sink = await startSink();
log(`sink on http://127.0.0.1:${sink.port}/`);
const { cdp, close } = await launchChromium();
const version = await cdp.send('Browser.getVersion');
log('browser', version.product);
const commit = execSync('git rev-parse HEAD', { cwd: path.resolve(HERE, '..') }).toString().trim();
const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: path.resolve(HERE, '..') }).toString().trim() !== '';
const pkgs = {};
for (const p of ['@snowplow/browser-tracker', '@plausible-analytics/tracker', 'posthog-js', '@segment/analytics-next', 'ws', 'esbuild'])
  pkgs[p] = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', p, 'package.json'))).version;
const runs = [], readyRuns = [];
try {
  if (PHASES.includes('ready')) for (let rep = 0; rep < READY_REPS; rep++) for (const profile of PROFILES) for (const tag of READY_TAGS) {
    const r = await readyOne(cdp, sink, tag, profile, rep).catch((e) => ({ tag, profile, rep, error: String(e.stack || e) }));
    readyRuns.push(r);
    log(`ready rep ${rep + 1}/${READY_REPS} ${profile} ${tag}: ${r.ready_ms?.toFixed(0)} ms${r.wasm_start_ms != null ? ` (loader ${r.loader_start_ms.toFixed(0)}–${r.loader_end_ms.toFixed(0)}, wasm ${r.wasm_start_ms.toFixed(0)}–${r.wasm_end_ms.toFixed(0)}, ${r.wasm_gets} GET)` : ''}${r.error ? ' ERROR ' + r.error : ''}`);
  }
  if (PHASES.includes('main')) for (let rep = 0; rep < REPS; rep++) for (const tag of TAGS) {
    const r = await runOne(cdp, sink, tag, rep).catch((e) => ({ tag, rep, error: String(e.stack || e) }));
    runs.push(r);
    log(`rep ${rep + 1}/${REPS} ${tag}: ready ${r.ready_ms?.toFixed(0)} ms, ${r.us_per_call?.toFixed(2)} µs/call, burst ${r.burst_delivered}/${BURST} in ${r.burst_requests} req, main ${r.burst_main_ms?.toFixed(1)} ms, lat ${r.latency_median_ms?.toFixed(1)}/${r.latency_p95_ms?.toFixed(1)}${r.error ? ' ERROR ' + r.error : ''}${r.memory ? ' mem ' + JSON.stringify(r.memory) : ''}`);
  }
} finally { await close(); sink.server.close(); }

// summary: medians per tag
const summary = {};
if (PHASES.includes('main')) for (const tag of TAGS) {
  const rs = runs.filter((r) => r.tag === tag && !r.error);
  const m = (f) => median(rs.map(f));
  const mem = (i, k) => median(rs.filter((r) => r.memory && r.memory[i] && !r.memory[i].capped).map((r) => r.memory[i][k]));
  summary[tag] = {
    reps: rs.length,
    bytes_raw: m((r) => r.bytes.raw), bytes_gzip: m((r) => r.bytes.gzip), bytes_brotli: m((r) => r.bytes.brotli),
    ready_ms: m((r) => r.ready_ms), us_per_call: m((r) => r.us_per_call), burst_main_ms: m((r) => r.burst_main_ms),
    burst_delivered: m((r) => r.burst_delivered), burst_requests: m((r) => r.burst_requests),
    latency_median_ms: m((r) => r.latency_median_ms), latency_p95_ms: m((r) => r.latency_p95_ms),
    heap_10k: mem(0, 'js_heap_used'), wasm_10k: mem(0, 'wasm_memory'), heap_100k: mem(1, 'js_heap_used'), wasm_100k: mem(1, 'wasm_memory'),
    mem_capped_at: rs.flatMap((r) => (r.memory || []).filter((x) => x.capped).map((x) => x.calls))[0] ?? null,
  };
}
// ready: medians per profile and tag
const readySummary = {};
for (const profile of PHASES.includes('ready') ? PROFILES : []) {
  readySummary[profile] = {};
  for (const tag of READY_TAGS) {
    const rs = readyRuns.filter((r) => r.profile === profile && r.tag === tag && !r.error && r.ready_ms != null);
    const m = (f) => median(rs.map(f));
    readySummary[profile][tag] = { reps: rs.length, ready_ms: m((r) => r.ready_ms), loader_start_ms: m((r) => r.loader_start_ms),
      wasm_start_ms: m((r) => r.wasm_start_ms), wasm_end_ms: m((r) => r.wasm_end_ms), wasm_gets: m((r) => r.wasm_gets) };
  }
}
const out = { date: new Date().toISOString(), commit, dirty, browser: version.product, userAgent: version.userAgent, node: process.version,
  packages: pkgs, dist: distInfo, variants: variantInfo, phases: PHASES,
  config: { REPS, TAGS, LAT_N, LAT_CAP_MS, LAT_MIN, MEM_REPS, MEM_CALLS, MEM_CAP_MS, BURST, READY_REPS, READY_TAGS, PROFILES,
    profiles: Object.fromEntries(PROFILES.map((p) => [p, ALL_PROFILES[p]])) },
  summary, runs, ready_summary: readySummary, ready_runs: readyRuns };
fs.mkdirSync(path.join(HERE, 'results'), { recursive: true });
const file = path.join(HERE, 'results', `${PHASES.includes('main') ? 'bench' : 'ready'}-${out.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(out, null, 1));
log('wrote', file);
const { report, readyReport } = await import('./report.mjs');
const sections = [];
if (PHASES.includes('main')) sections.push(['report', report(out)]);
if (PHASES.includes('ready')) sections.push(['ready', readyReport(out)]);
for (const [, table] of sections) console.log(table);
if (process.env.WRITE_README !== '0') {
  const readme = path.join(HERE, 'README.md');
  let txt = fs.readFileSync(readme, 'utf8');
  for (const [name, table] of sections) {
    const a = `<!-- ${name}:start -->`, b = `<!-- ${name}:end -->`;
    if (txt.includes(a)) txt = txt.slice(0, txt.indexOf(a) + a.length) + '\n' + table + '\n' + txt.slice(txt.indexOf(b));
  }
  fs.writeFileSync(readme, txt);
}
