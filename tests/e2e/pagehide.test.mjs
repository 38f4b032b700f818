// On pagehide, what is still queued leaves by keepalive fetch, without credentials (not by
// sendBeacon, which sends cookies), while the collector is healthy; while it is failing,
// nothing is sent and the events stay stored for the next page (the full fault scenarios are
// in delivery-*.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('a backlog over the keepalive budget, left at once: the rest goes on pagehide, without cookies', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    const sid = await sessionId(v.page);
    // A cookie of the collector's site (the same origin here): no request of the tag carries it.
    await v.page.evaluate(() => { document.cookie = 'rtp_test_cookie=1; path=/; SameSite=Lax'; });
    // ~45 KB: 32 KiB fit the keepalive budget, the rest waits for an answer, which the
    // collector holds back 2 s; leaving now sends the rest in the pagehide handler.
    await collector.fault({ mode: 'slow', count: 1, hold_ms: 2000 });
    await v.page.evaluate(() => {
      for (let i = 0; i < 100; i++) rtp('send', 'event', { value: ['left ' + i, 'x'.repeat(200)] });
    });
    await v.page.goto('about:blank'); // pagehide
    const events = await collector.until(async () => {
      const e = (await collector.events(sid)).filter((x) => x.values[0].startsWith('left '));
      return e.length === 100 && e;
    }, 10000, 'all 100 events');
    await collector.clearFault();
    const ids = new Set(events.map((e) => e.id));
    const sent = (await collector.requests()).filter((r) => r.ids.some((id) => ids.has(id)));
    assert.ok(sent.length >= 2, `${sent.length} requests`);
    assert.deepEqual([...new Set(sent.map((r) => r.fetch_mode))], ['cors'], 'fetch only, no beacon');
    assert.deepEqual(sent.filter((r) => r.cookie), [], 'no request carried a cookie');
    assert.equal((await collector.stats()).duplicates, 0);
    await v.close();
  });

  test('after a failure, leaving sends nothing: the events stay stored for the next page', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    // The page's own event ('included twice') delivered first: set while its request is in
    // flight, the fault would keep it stored too.
    assert.equal(await flush(v.page), true);
    const sid = await sessionId(v.page);
    await collector.fault({ mode: 'status', status: 503 });
    assert.equal(await v.page.evaluate(() => rtp('send', 'event', { value: 'kept for the next page' })), 'accepted');
    assert.equal(await flush(v.page), false);
    const stored = await v.page.evaluate(() => Object.keys(localStorage).filter((k) => /^rtp:o:[0-9a-f-]{36}$/.test(k)).length);
    assert.equal(stored, 1, JSON.stringify([await v.page.evaluate(() => Object.keys(localStorage)), v.console]));
    await v.page.goto('about:blank'); // pagehide while failing
    await collector.clearFault();
    const left = Date.now();
    // The next page of the site adopts the stored event and sends it, once.
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    const got = await collector.until(async () => {
      const e = (await collector.events(sid)).filter((x) => x.values[0] === 'kept for the next page');
      return e.length > 0 && e;
    }, 15000, 'the stored event');
    assert.equal(got.length, 1);
    assert.equal((await collector.stats()).duplicates, 0);
    // Since the fault was cleared, only the next page's request carried it: leaving sent
    // nothing (a request of the left page arriving now would be a second one, or the only one).
    const since = (await collector.requests()).filter((r) => r.t >= left && r.ids.includes(got[0].id));
    assert.equal(since.length, 1, `nothing sent on pagehide after a failure: ${JSON.stringify(since)}`);
    await v.close();
  });
});
