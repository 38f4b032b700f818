// Memory over 100,000 calls (issue 6): the wasm's linear memory and (in Chromium, which exposes
// it) the JS heap stay flat between 10,000 and 100,000 calls, and the wasm memory stays under
// 1 MiB. The calls are distinct events, in tasks of 1,000: the first 2,000 are accepted and
// delivered, the rest meet the rate limit, as a runaway loop would. This test found a Web Lock
// request made for every call, even a refused one (about 50 B of JS heap per call, held until
// granted): the lock is now requested only for an accepted event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, flush } from './harness.mjs';
import { pageUrl } from './delivery-support.mjs';

const collector = useCollector();

// Installed before the page's scripts: keeps every wasm memory the page instantiates.
const PROBE = () => {
  const mems = (window.__wasmMemories = []);
  const keep = (instance) => {
    for (const v of Object.values(instance.exports)) if (v instanceof WebAssembly.Memory) mems.push(v);
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = function () {
    return instantiate.apply(this, arguments).then((r) => (keep(r.instance || r), r));
  };
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = function () {
      return instantiateStreaming.apply(this, arguments).then((r) => (keep(r.instance), r));
    };
  }
};

eachBrowser((ctx) => {
  test('100,000 calls: wasm memory flat and under 1 MiB; JS heap flat (Chromium)', { timeout: 120000 }, async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.evaluateOnNewDocument(PROBE);
    await v.page.goto(pageUrl(collector, 'delivery'));
    await tagLoaded(v.page);
    const cdp = ctx.name === 'chromium' ? await v.page.createCDPSession() : null;
    let done = 0;
    const measure = async (calls) => {
      for (; done < calls; done += 1000) {
        await v.page.evaluate((from, tag) => {
          for (let i = from; i < from + 1000; i++) rtp('send', 'event', { value: `${tag} memory ${i}` });
        }, done, ctx.name);
      }
      await flush(v.page);
      let heap = null;
      if (cdp) {
        await cdp.send('HeapProfiler.collectGarbage');
        heap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      }
      const wasm = await v.page.evaluate(() => window.__wasmMemories.reduce((s, m) => s + m.buffer.byteLength, 0));
      return { wasm, heap };
    };
    const at10k = await measure(10000);
    const at100k = await measure(100000);
    assert.ok(at10k.wasm > 0, 'the probe saw the wasm memory');
    assert.equal(at100k.wasm, at10k.wasm, `wasm memory ${at10k.wasm} → ${at100k.wasm}`);
    assert.ok(at100k.wasm < 1024 * 1024, `wasm memory ${at100k.wasm} < 1 MiB`);
    if (cdp) assert.ok(at100k.heap - at10k.heap < 512 * 1024, `JS heap ${at10k.heap} → ${at100k.heap}`);
    console.log(`${ctx.name}: wasm ${at10k.wasm} → ${at100k.wasm} B; JS heap ${at10k.heap} → ${at100k.heap} B`);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
