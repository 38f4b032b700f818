// Delivery under the browser's own conditions (issue 3, scenarios 6 and 9): offline by the
// browser's network emulation (Chromium: CDP Network.emulateNetworkConditions; Firefox: WebDriver
// BiDi emulation.setNetworkConditions, both through puppeteer's page.setOfflineMode, and both
// set navigator.onLine and fire offline/online), and localStorage that throws, is unreachable,
// or is full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';
import {
  pageUrl, values, mark, send, outboxKeys, allEvents, watchCollectRequests, untilArrived,
  untilOutboxEmpty, untilMessage, assertDeliveredOnce,
} from './delivery-support.mjs';

const collector = useCollector();

/** The session the collector saw `value` in (for pages whose sessionStorage cannot be read). */
async function sessionOf(value) {
  return (await allEvents(collector)).find((e) => e.values[0] === value).session;
}

eachBrowser((ctx) => {
  test('6. offline, then online: nothing is attempted while offline, and all arrive once back online', { timeout: 40000 }, async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'offline', 5);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      const session = await sessionId(v.page);
      const seen = watchCollectRequests(v.page);

      await v.page.setOfflineMode(true);
      assert.equal(await v.page.evaluate(() => navigator.onLine), false, 'the emulation sets navigator.onLine');
      assert.deepEqual(await send(v.page, vals), vals.map(() => 'accepted'));
      await collector.until(async () => (await outboxKeys(v.page)).length === vals.length, 5000, 'the events stored');
      // flush answers once the pump has decided: false, with the events still queued and nothing
      // in flight or scheduled (offline sets no retry timer: `online` resumes).
      assert.equal(await flush(v.page), false, 'offline: nothing sent, nothing in flight');
      assert.deepEqual(seen, [], 'no request to collect while offline');

      await v.page.setOfflineMode(false);
      // `online` resumes at once, not after the backoff.
      await untilArrived(collector, vals, 5000, 'the events, at once after going online');
      await untilOutboxEmpty(collector, v.page);
      assert.equal(await flush(v.page), true);
      await assertDeliveredOnce(collector, vals, { start, session });
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });

  // Storage that fails: each variant is set up before any script of the page runs.
  const broken = {
    'setItem throws': () => {
      Storage.prototype.setItem = function () { throw new DOMException('The operation is insecure.', 'SecurityError'); };
    },
    // As with site data blocked: reading window.localStorage (and sessionStorage) throws.
    'storage unreachable': () => {
      for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(window, name, { configurable: true, get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
      }
    },
  };
  for (const [variant, breakStorage] of Object.entries(broken)) {
    test(`9. storage (${variant}): events are still delivered within the page, with a debug message`, { timeout: 30000 }, async () => {
      const start = await mark(collector);
      const vals = values(ctx.name, variant, 3);
      const v = await newVisitor(ctx.browser);
      try {
        await v.page.evaluateOnNewDocument(breakStorage);
        await v.page.goto(pageUrl(collector, 'delivery'));
        await tagLoaded(v.page);
        assert.equal(await v.page.evaluate(() => { try { localStorage.setItem('x', 'y'); return 'stored'; } catch (e) { return 'threw'; } }), 'threw');
        assert.deepEqual(await send(v.page, vals), vals.map(() => 'accepted'));

        await untilArrived(collector, vals, 10000);
        assert.equal(await flush(v.page), true);
        await assertDeliveredOnce(collector, vals, { start, session: await sessionOf(vals[0]) });
        await untilMessage(collector, v, 'debug', /storage/i, 'a debug message about the storage');
        assert.deepEqual(v.errors, []);
      } finally {
        await v.close();
      }
    });
  }

  test('9. localStorage filled to quota before the tag loads: events are delivered, the site\'s data untouched', { timeout: 30000 }, async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'storage at quota', 3);
    const v = await newVisitor(ctx.browser);
    try {
      // A page of the site without the tag fills localStorage until not one more character fits.
      await v.page.goto(pageUrl(collector, 'delivery-plain'));
      const filled = await v.page.evaluate(() => {
        let chunk = 'x'.repeat(1 << 20);
        let n = 0;
        while (chunk.length > 0) {
          try { localStorage.setItem(`site ${n}`, chunk); n += 1; } catch (e) { chunk = chunk.slice(0, chunk.length >> 1); }
        }
        return localStorage.length;
      });
      const full = () => v.page.evaluate(() => { try { localStorage.setItem('rtp:probe', 'x'); localStorage.removeItem('rtp:probe'); return false; } catch (e) { return true; } });
      assert.equal(await full(), true, 'localStorage is at quota');

      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      assert.deepEqual(await send(v.page, vals), vals.map(() => 'accepted'));
      await untilArrived(collector, vals, 10000);
      assert.equal(await flush(v.page), true);
      await assertDeliveredOnce(collector, vals, { start, session: await sessionId(v.page) });
      await untilMessage(collector, v, 'debug', /storage/i, 'a debug message about the full storage');
      assert.equal(await v.page.evaluate(() => localStorage.length), filled, 'the site\'s own keys are all still there');
      assert.equal(await full(), true);
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });
});
