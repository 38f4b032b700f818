// No load waterfall (issue 13): the snippet requests the wasm beside the loader, and the loader
// takes that response instead of fetching the wasm after it has arrived and run. The wasm is
// requested once (counted in the collector's request log), before the loader has arrived; a
// loader served from the cache takes the request still in flight; an early request that fails
// (rejected, an error status, a fetch that throws) leaves the loader to fetch the wasm itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages } from './harness.mjs';

const collector = useCollector();
const CACHED = join(ROOT, 'dist/early-cached'); // the build, with a loader the browser may cache

before(() => {
  mkdirSync(CACHED, { recursive: true });
  for (const f of ['rtp.js', 'rtp_bg.wasm', 'rtp_full.js', 'rtp_full_bg.wasm']) copyFileSync(join(ROOT, 'dist', f), join(CACHED, f));
  writeFileSync(join(CACHED, 'rtp.js.headers'), 'Cache-Control: max-age=600\n');
});
after(() => rmSync(CACHED, { recursive: true, force: true }));

const page = (params) => new URL(`/test-pages/early-wasm.html?${new URLSearchParams(params)}`, collector.url).href;
/** Resource timing of the loader and the wasm, by file name. */
const timing = (p) => p.evaluate(() => Object.fromEntries(performance.getEntriesByType('resource')
  .map((e) => [new URL(e.name).pathname.split('/').pop(), { start: e.startTime, end: e.responseEnd }])
  .filter(([f]) => f === 'rtp.js' || f === 'rtp_bg.wasm')));

eachBrowser((ctx) => {
  test('the wasm is requested once, beside the loader, before the loader has arrived', async () => {
    const v = await newVisitor(ctx.browser);
    const since = collector.accessLog().length;
    // Both held back 800 ms by the collector (the wasm URL keeps the loader's query).
    await v.page.goto(page({ src: '/dist/rtp.js?delay=800' }));
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    assert.deepEqual((await collector.events(await sessionId(v.page))).map((e) => e.values), [['sent before the tag loaded']]);
    assert.equal(collector.gets('/dist/rtp_bg.wasm?delay=800', since), 1, 'one wasm request');
    const t = await timing(v.page);
    assert.ok(t['rtp_bg.wasm'].start < t['rtp.js'].end, `wasm requested at ${t['rtp_bg.wasm'].start} ms, loader arrived at ${t['rtp.js'].end} ms`);
    assert.deepEqual(tagMessages(v, 'error'), []);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a loader from the cache takes the wasm request still in flight', async () => {
    const v = await newVisitor(ctx.browser);
    const src = '/dist/early-cached/rtp.js?delay=800';
    await v.page.goto(page({ src, value: 'first visit' }));
    await tagLoaded(v.page);
    const since = collector.accessLog().length;
    await v.page.goto(page({ src, value: 'second visit' }));
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    assert.equal(collector.gets(src, since), 0, 'the loader came from the cache');
    assert.equal(collector.gets('/dist/early-cached/rtp_bg.wasm?delay=800', since), 1, 'one wasm request');
    const t = await timing(v.page);
    assert.ok(t['rtp.js'].end < t['rtp_bg.wasm'].end, 'the loader ran before the wasm arrived');
    const events = (await collector.events(await sessionId(v.page))).map((e) => e.values);
    assert.deepEqual(events, [['first visit'], ['second visit']]);
    assert.deepEqual(tagMessages(v, 'error'), []);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  for (const first of ['reject', '503', 'throw']) {
    test(`the early request fails (the page's fetch: ${first}): the loader fetches the wasm itself`, async () => {
      const v = await newVisitor(ctx.browser);
      const since = collector.accessLog().length;
      await v.page.goto(page({ src: '/dist/rtp.js', first }));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      assert.deepEqual((await collector.events(await sessionId(v.page))).map((e) => e.values), [['sent before the tag loaded']]);
      assert.equal(collector.gets('/dist/rtp_bg.wasm', since), 1, "the loader's request, the early one never left");
      assert.deepEqual(tagMessages(v, 'error'), []);
      assert.deepEqual(v.errors, [], 'no unhandled rejection');
      await v.close();
    });
  }
});
