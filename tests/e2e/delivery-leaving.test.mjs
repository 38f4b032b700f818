// Delivery when the visitor leaves (issue 3, scenarios 1, 2, 7, 8 and 10): navigating away at
// once, closing the tab, reloading while the collector is down, closing one of two tabs during
// an outage, and leaving before the wasm has loaded. Every accepted event must reach the
// collector exactly once: one event per value, one acknowledged request per id, no repeat
// dropped by the collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush } from './harness.mjs';
import {
  pageUrl, values, mark, send, storedCalls, attemptsFor, untilArrived, untilStoredAndFailed,
  untilOutboxEmpty, assertDeliveredOnce,
} from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('1. click-then-navigate: 20 events sent by a click that navigates at once all arrive, once each', { timeout: 40000 }, async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'click-then-navigate', 20);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      await v.page.$eval('#send-and-go', (b, vals) => { b.dataset.values = JSON.stringify(vals); }, vals);
      // The handler calls rtp() 20 times, then sets location.href in the same task.
      await Promise.all([v.page.waitForNavigation(), v.page.click('#send-and-go')]);
      assert.equal(new URL(v.page.url()).pathname, '/test-pages/delivery-next.html');
      await tagLoaded(v.page);
      const session = await sessionId(v.page); // same tab: the same visitor session

      await untilArrived(collector, vals, 15000);
      await untilOutboxEmpty(collector, v.page);
      assert.equal(await flush(v.page), true);
      await assertDeliveredOnce(collector, vals, { start, session });
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });

  test('2. closing the tab right after a call: the event arrives, once', { timeout: 30000 }, async () => {
    const start = await mark(collector);
    const [val] = values(ctx.name, 'tab closed', 1);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      const session = await sessionId(v.page);
      assert.deepEqual(await send(v.page, [val]), ['accepted']);
      await v.page.close();

      await assertDeliveredOnce(collector, [val], { start, session });
    } finally {
      await v.close();
    }
  });

  test('7. collector down, page reloaded while down: the events arrive from the reloaded page, once', { timeout: 120000 }, async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'reloaded while down', 3);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      const session = await sessionId(v.page);

      await collector.fault({ mode: 'close' }); // every POST to collect: connection closed, no answer
      assert.deepEqual(await send(v.page, vals), ['accepted', 'accepted', 'accepted']);
      // Each event is stored, and the page has tried to send it and failed.
      await untilStoredAndFailed(collector, v.page, vals.length, (r) => r.fault === 'close');

      // The first page's records name it as their owner (`1|created|attempts|owner|event`).
      const owners = () => v.page.evaluate(() => [...new Set(Object.keys(localStorage)
        .filter((k) => /^rtp:o:[0-9a-f]{8}-/.test(k))
        .flatMap((k) => (localStorage.getItem(k) || '').split('\n').map((line) => line.split('|')[3])))]);
      const [first] = await owners();
      assert.ok(first, 'the first page owns the stored events');
      const reloadAt = Date.now();
      await v.page.reload();
      await tagLoaded(v.page);
      assert.equal(await sessionId(v.page), session, 'a reload keeps the visitor session');
      // Still down: the reloaded page adopts the events once the first page's lock is gone (at
      // once, or at its claim 5 s later), storing them as its own.
      await collector.until(async () => {
        const now = await owners();
        return now.length === 1 && now[0] !== first;
      }, 15000, 'the events adopted by the reloaded page');
      await collector.clearFault();
      // The network is back: `online` lifts the stored pause, so the reloaded page sends at
      // once (the backoff itself is the driver's, tested natively with a clock in
      // src/driver/tests). Repeated, in case an attempt was in flight when the fault cleared.
      const online = setInterval(() => v.page.evaluate(() => window.dispatchEvent(new Event('online'))).catch(() => {}), 250);
      try {
        await untilArrived(collector, vals, 10000, 'the events after recovery');
      } finally {
        clearInterval(online);
      }
      await untilOutboxEmpty(collector, v.page);
      assert.equal(await flush(v.page), true);
      const events = await assertDeliveredOnce(collector, vals, { start, session });
      const acked = (await attemptsFor(collector, events.map((e) => e.id))).filter((r) => r.status === 200);
      assert.ok(acked.every((r) => r.t >= reloadAt), `delivered after the reload: ${JSON.stringify(acked)} vs ${reloadAt}`);
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });

  test('8. two tabs sending, one closed mid-outage: every event of both tabs arrives once', { timeout: 90000 }, async () => {
    const start = await mark(collector);
    const valsA = values(ctx.name, 'tab A', 3);
    const valsB = values(ctx.name, 'tab B', 3);
    const v = await newVisitor(ctx.browser);
    const a = v.page;
    const b = await v.context.newPage(); // same browser context: the same localStorage
    b.on('pageerror', (e) => v.errors.push(`tab B: ${e && e.message ? e.message : e}`));
    try {
      for (const page of [a, b]) {
        await page.goto(pageUrl(collector, 'delivery'));
        await tagLoaded(page);
        assert.equal(await flush(page), true);
      }
      const [sessionA, sessionB] = [await sessionId(a), await sessionId(b)];
      assert.notEqual(sessionA, sessionB, 'each tab is its own session (sessionStorage)');

      await collector.fault({ mode: 'status', status: 503 }); // down until cleared
      assert.deepEqual(await send(a, valsA), ['accepted', 'accepted', 'accepted']);
      assert.deepEqual(await send(b, valsB), ['accepted', 'accepted', 'accepted']);
      // One localStorage for both tabs: tab A sees tab B's events too.
      const ids = await untilStoredAndFailed(collector, a, valsA.length + valsB.length, (r) => r.status === 503);

      const closedAt = Date.now();
      await b.close();
      // The outage goes on after the close: tab A meets it again before the collector recovers.
      // Its next attempt would wait for the stored pause, which grows with the tabs' failures
      // (up to a minute): `online` lifts it, so tab A tries at once (as in scenario 7),
      // repeated in case an attempt was in flight.
      const online = () => setInterval(() => a.evaluate(() => window.dispatchEvent(new Event('online'))).catch(() => {}), 250);
      let nudge = online();
      try {
        await collector.until(
          async () => (await collector.requests()).some((r) => r.t > closedAt && r.status === 503 && r.fetch_mode === 'cors'
            && r.ids.some((id) => ids.includes(id))),
          20000, 'an attempt (a fetch, not tab B\'s beacon) by tab A after tab B closed',
        );
      } finally {
        clearInterval(nudge);
      }
      await collector.clearFault();

      nudge = online();
      try {
        await untilArrived(collector, [...valsA, ...valsB], 30000, 'both tabs\' events after recovery');
      } finally {
        clearInterval(nudge);
      }
      await untilOutboxEmpty(collector, a);
      assert.equal(await flush(a), true);
      await assertDeliveredOnce(collector, valsA, { start, session: sessionA });
      await assertDeliveredOnce(collector, valsB, { start, session: sessionB });
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });

  // WebKit 2.50 fires no pagehide (nor unload, nor visibilitychange) on a page left before its
  // load event, which the held loader delays: only beforeunload and pageswap. The snippet stores
  // the queued calls on both.
  test('10. a click before the wasm loaded, then navigation: the next page delivers it, once', { timeout: 40000 }, async () => {
    const start = await mark(collector);
    const [val] = values(ctx.name, 'clicked before the tag', 1);
    const slow = pageUrl(collector, 'delivery-slow');
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(slow, { waitUntil: 'domcontentloaded' });
      await v.page.$eval('#buy', (b, val) => { b.dataset.value = val; }, val);
      assert.equal(await isStub(v.page), true, 'the click must come before the tag loads (its loader is held 4 s)');
      // The handler calls rtp() (the snippet's stub queues it), then sets location.href.
      await Promise.all([v.page.waitForNavigation(), v.page.click('#buy')]);
      assert.equal(new URL(v.page.url()).pathname, '/test-pages/delivery-next.html');
      await tagLoaded(v.page);
      const session = await sessionId(v.page);

      const [event] = await assertDeliveredOnce(collector, [val], { start, session });
      assert.equal(event.url, slow, 'the event keeps the URL of the page it was called on');
      assert.deepEqual(await storedCalls(v.page), [], 'the stored calls are gone once replayed');
      assert.equal(await flush(v.page), true);

      // Replayed once: another load of the site does not send it again.
      await v.page.reload();
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      await assertDeliveredOnce(collector, [val], { start, session });
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });
});
