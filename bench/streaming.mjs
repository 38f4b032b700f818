// Does `integrity` on the wasm's fetch stop the browser from compiling it while it streams?
// In headless Chromium under each network profile (cold cache), a page fetches dist/rtp_bg.wasm
// (served gzip -9 by the sink) with and without `integrity`, interleaved, and compiles it with
// WebAssembly.compileStreaming. Reported (medians, ms from the request): when fetch() resolved,
// when the last byte arrived (resource timing responseEnd), when the module was compiled, and
// "after last byte" (compiled − responseEnd): what compiling cost once the file was all there.
// Usage: node streaming.mjs   (env: REPS=7 PROFILES=loopback,100ms,slow4g)
import { startSink } from './sink.mjs';
import { launchChromium } from './cdp.mjs';
import { sri } from '../scripts/sri.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.REPS || 7);
const ALL = {
  loopback: null,
  '100ms': { latency: 100, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 },
  slow4g: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 },
};
const PROFILES = (process.env.PROFILES || 'loopback,100ms,slow4g').split(',');
const INTEGRITY = sri(path.join(HERE, '..', 'dist', 'rtp_bg.wasm'));
const median = (a) => { const s = a.filter((x) => x != null).sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const sink = await startSink();
const { cdp, close } = await launchChromium();
const rows = [];
try {
  for (let rep = 0; rep < REPS; rep++) for (const profile of PROFILES) for (const hashed of [false, true]) {
    const { browserContextId } = await cdp.send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId: sid } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    try {
      await cdp.send('Network.enable', {}, sid);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }, sid);
      const p = ALL[profile];
      if (p) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...p }, sid);
      await cdp.send('Page.enable', {}, sid);
      await cdp.send('Page.navigate', { url: `http://127.0.0.1:${sink.port}/dist/snippet.min.js` }, sid);
      await cdp.eval(sid, `new Promise((r) => document.readyState === 'complete' ? r() : addEventListener('load', r))`);
      const url = `/dist/rtp_bg.wasm?r=${rep}${profile}${hashed}`;
      rows.push({ profile, hashed, ...(await cdp.eval(sid, `(async () => {
        const t0 = performance.now();
        const res = await fetch(${JSON.stringify(url)}${hashed ? `, { integrity: ${JSON.stringify(INTEGRITY)} }` : ''});
        const resolved = performance.now() - t0;
        await WebAssembly.compileStreaming(res);
        const compiled = performance.now() - t0;
        const e = performance.getEntriesByType('resource').find((x) => x.name.includes(${JSON.stringify(url)}));
        return { resolved, compiled, lastByte: e.responseEnd - t0 };
      })()`)) });
    } finally {
      try { await cdp.send('Target.closeTarget', { targetId }); } catch {}
      try { await cdp.send('Target.disposeBrowserContext', { browserContextId }); } catch {}
    }
  }
} finally { await close(); sink.server.close(); }
console.log(`${REPS} repetitions, medians, ms from the request\n\n| network | integrity | fetch() resolved | last byte | compiled | compiled after last byte |\n|---|---|---:|---:|---:|---:|`);
for (const profile of PROFILES) for (const hashed of [false, true]) {
  const rs = rows.filter((r) => r.profile === profile && r.hashed === hashed);
  const m = (k) => median(rs.map((r) => r[k])).toFixed(1);
  console.log(`| ${profile} | ${hashed ? 'yes' : 'no'} | ${m('resolved')} | ${m('lastByte')} | ${m('compiled')} | ${median(rs.map((r) => r.compiled - r.lastByte)).toFixed(1)} |`);
}
