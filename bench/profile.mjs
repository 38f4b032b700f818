// Where rtp-tag's time goes: a DevTools CPU profile (sampling every 50 µs) of 1,000 calls and of
// the work they defer, on the bench's rtp page, with a wasm that keeps its function names.
// Prints self time by function (JS and wasm), for the call loop and for the deferred work.
// Usage: node profile.mjs   (after `make build` at the root; env CALLS=1000 RUNS=3)
// The wasm with names: dist/rtp_bg.wasm's build (the light module, which a clean page runs:
// scripts/build.sh builds it last), re-run through wasm-bindgen without --remove-name-section
// and wasm-opt -Oz -g (names kept; the code is the same optimisation).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSink, setDist } from './sink.mjs';
import { launchChromium } from './cdp.mjs';
import { sri } from '../scripts/sri.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..');
const CALLS = Number(process.env.CALLS || 1000);
const RUNS = Number(process.env.RUNS || 3);
const PAGE = process.env.PAGE || 'rtp'; // or rtp-npm (its wasm is bench/build's, without names)
const bin = (n) => path.join(ROOT, 'node_modules/.bin', n);
const cargoBin = (n) => path.join(process.env.CARGO_HOME || path.join(process.env.HOME, '.cargo'), 'bin', n);

const out = path.join(HERE, 'build', 'profile-dist');
const tmp = path.join(HERE, 'build', 'profile-bindgen');
fs.rmSync(out, { recursive: true, force: true });
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
execFileSync(cargoBin('wasm-bindgen'), ['--target', 'no-modules', '--out-dir', tmp, '--out-name', 'rtp', '--no-typescript',
  path.join(ROOT, 'target/wasm32-unknown-unknown/release/rtp_tag.wasm')]);
execFileSync(bin('wasm-opt'), ['-ocimfs=30', '--flatten', '--rereloop', '-Oz', '--converge', '--inlining-optimizing', '-Oz', '--converge', '-g', '--low-memory-unused', '--zero-filled-memory', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  path.join(tmp, 'rtp_bg.wasm'), '-o', path.join(out, 'rtp_bg.wasm')]);
for (const f of ['snippet.min.js', 'rtp_full.js', 'rtp_full_bg.wasm']) fs.copyFileSync(path.join(ROOT, 'dist', f), path.join(out, f));
// The loader fetches the wasm with its Subresource Integrity hash when the snippet has not
// requested it (or the request failed): point it at this wasm's.
const loader = fs.readFileSync(path.join(ROOT, 'dist', 'rtp.js'), 'utf8');
const pinned = sri(path.join(ROOT, 'dist', 'rtp_bg.wasm'));
if (!loader.includes(pinned)) throw new Error('profile: dist/rtp.js does not carry the hash of dist/rtp_bg.wasm');
fs.writeFileSync(path.join(out, 'rtp.js'), loader.replace(pinned, sri(path.join(out, 'rtp_bg.wasm'))));
setDist(out);

const sink = await startSink();
const { cdp, close } = await launchChromium();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const totals = { calls: new Map(), deferred: new Map() };
try {
  for (let run = 0; run < RUNS; run++) {
    const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    await cdp.send('Page.navigate', { url: `http://127.0.0.1:${sink.port}/pages/${PAGE}.html?m=p${run}` }, sid);
    for (let i = 0; i < 400 && !(await cdp.eval(sid, `typeof __loaded === 'function' && __loaded()`).catch(() => false)); i++) await sleep(25);
    await sleep(500);
    await cdp.send('Profiler.enable', {}, sid);
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 }, sid);
    for (const phase of ['calls', 'deferred']) {
      await cdp.send('Profiler.start', {}, sid);
      if (phase === 'calls') await cdp.eval(sid, `(() => { for (let i = 0; i < ${CALLS}; i++) __call('bmprof${run}x' + i); })()`);
      else await sleep(3000);
      const { profile } = await cdp.send('Profiler.stop', {}, sid);
      add(totals[phase], profile);
    }
    await cdp.send('Target.closeTarget', { targetId });
    await cdp.send('Target.disposeBrowserContext', { browserContextId });
  }
} finally {
  await close();
  sink.server.close();
}
for (const phase of ['calls', 'deferred']) {
  const rows = [...totals[phase]].sort((a, b) => b[1] - a[1]);
  const all = rows.reduce((s, [, t]) => s + t, 0);
  console.log(`\n${phase === 'calls' ? `the ${CALLS} calls` : 'the deferred work (3 s after the calls)'}: self time per run, ms (total ${(all / RUNS / 1000).toFixed(1)} ms, idle and program excluded)`);
  for (const [name, t] of rows.slice(0, 25)) console.log(`${(t / RUNS / 1000).toFixed(2).padStart(9)}  ${(100 * t / all).toFixed(1).padStart(5)}%  ${name}`);
}

// Adds each node's self time (µs) to `into`, by function name and URL file.
function add(into, profile) {
  const self = new Map();
  const { samples, timeDeltas, nodes } = profile;
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) || 0) + (timeDeltas[i + 1] ?? 0));
  for (const n of nodes) {
    const f = n.callFrame;
    if (['(idle)', '(program)', '(root)'].includes(f.functionName)) continue;
    const t = self.get(n.id) || 0;
    if (!t) continue;
    const name = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url.split('?')[0]) : ''}`.trim();
    into.set(name, (into.get(name) || 0) + t);
  }
}
