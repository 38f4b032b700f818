// The light module (issue 13): a clean page load fetches the loader and the light module only;
// the full tag is fetched when there is something to recover, or when the light module hands
// over (a failed batch), and then delivers what the light module accepted, once. A full tag
// that cannot be fetched loses nothing and throws nothing: the events stay stored, and the
// next page sends them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages } from './harness.mjs';
import { assertDeliveredOnce, mark, outboxIds, pageUrl, send, untilOutboxEmpty, values } from './delivery-support.mjs';

const collector = useCollector();
const NOFULL = join(ROOT, 'dist/nofull'); // the loader and the light module, without the full tag

before(() => {
  mkdirSync(NOFULL, { recursive: true });
  for (const f of ['rtp.js', 'rtp_bg.wasm']) copyFileSync(join(ROOT, 'dist', f), join(NOFULL, f));
});
after(() => rmSync(NOFULL, { recursive: true, force: true }));

/** GETs of the full tag's two files since `since`. */
const fullGets = (since, dir = '/dist') => collector.gets(`${dir}/rtp_full.js`, since) + collector.gets(`${dir}/rtp_full_bg.wasm`, since);
const early = (params) => new URL(`/test-pages/early-wasm.html?${new URLSearchParams(params)}`, collector.url).href;

eachBrowser((ctx) => {
  test('a clean page load runs the light module: every call answered, every event delivered once, the full tag never fetched', async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'light clean', 3);
    const v = await newVisitor(ctx.browser);
    const since = collector.accessLog().length;
    await v.page.goto(pageUrl(collector, 'delivery'));
    await tagLoaded(v.page);
    assert.deepEqual(await send(v.page, vals), ['accepted', 'accepted', 'accepted']);
    const answers = await v.page.evaluate(() => [
      rtp('send', 'event', { value: '' }),
      rtp('send', 'view'),
      rtp('set', 'debug', false),
      rtp('set', 'nonsense', 1),
      rtp('get', 'campaign', true),
    ]);
    assert.deepEqual(answers, ['empty_value', 'accepted', 'ok', 'unknown_setting', 'ignored']);
    assert.equal(await flush(v.page), true);
    await assertDeliveredOnce(collector, vals, { start });
    await untilOutboxEmpty(collector, v.page);
    assert.equal(collector.gets('/dist/rtp_bg.wasm', since), 1, 'the light module, once');
    assert.equal(fullGets(since), 0, 'no full tag on a clean page load');
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a failed batch hands over: the full tag adopts what the light module accepted, before and after, and delivers it once', async () => {
    const start = await mark(collector);
    const [failed, meanwhile] = values(ctx.name, 'light handover', 2);
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pageUrl(collector, 'delivery'));
    await tagLoaded(v.page);
    const since = collector.accessLog().length;
    await collector.fault({ mode: 'status', status: 503 });
    assert.deepEqual(await send(v.page, [failed]), ['accepted']);
    // The refused attempt, then the full tag fetched.
    await collector.until(() => fullGets(since) === 2, 10000, 'the full tag fetched');
    // Calls made while it loads are still answered, and stored.
    assert.deepEqual(await send(v.page, [meanwhile]), ['accepted']);
    await collector.until(async () => (await outboxIds(v.page)).length === 2, 10000, 'both events stored');
    await collector.clearFault();
    // Sent once the pause the light module stored is over.
    await assertDeliveredOnce(collector, [failed, meanwhile], { start, session: await sessionId(v.page) });
    await untilOutboxEmpty(collector, v.page);
    assert.equal(await flush(v.page), true, 'the full tag answers flush');
    assert.deepEqual(tagMessages(v, 'error'), []);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a full tag that cannot be fetched: nothing thrown, nothing lost; the next page loads it at once and sends the events', async () => {
    const start = await mark(collector);
    const [first, second] = values(ctx.name, 'light no full tag', 2);
    const v = await newVisitor(ctx.browser);
    await collector.fault({ mode: 'status', status: 503 });
    const since = collector.accessLog().length;
    await v.page.goto(early({ src: '/dist/nofull/rtp.js', value: first }));
    // The batch refused, the full tag asked for and not found (404): reported, not thrown.
    await collector.until(() => tagMessages(v, 'error').length > 0, 10000, 'the failed load reported');
    assert.ok(tagMessages(v, 'error')[0].text.startsWith('rtp: the tag failed'), tagMessages(v, 'error')[0].text);
    assert.equal(collector.gets('/dist/nofull/rtp_full.js', since), 1);
    assert.deepEqual(await send(v.page, [second]), ['accepted'], 'calls are still answered');
    const stored = await collector.until(async () => {
      const ids = await outboxIds(v.page);
      return ids.length === 2 && ids;
    }, 10000, 'both events stored');
    await collector.clearFault();
    // The next page of the site finds them stored: it runs the full tag at once.
    const next = collector.accessLog().length;
    await v.page.goto(pageUrl(collector, 'delivery-next'));
    await tagLoaded(v.page);
    assert.equal(fullGets(next), 2, 'the full tag, fetched at once');
    await assertDeliveredOnce(collector, [first, second], { start, session: await sessionId(v.page) });
    const events = (await collector.events(await sessionId(v.page))).filter((e) => e.values);
    assert.deepEqual(events.map((e) => e.id).sort(), [...stored].sort(), 'the stored events, with their ids');
    await untilOutboxEmpty(collector, v.page);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
