// Delivery when the collector refuses (issue 3, scenarios 3, 4 and 5), with the collector's
// fault controls: a 10 s outage answered 503, a 429 with Retry-After, and a 400. Transient
// refusals are retried (backoff: 1 s base, x2, full jitter, 60 s cap; Retry-After a floor)
// until each event arrives exactly once; a 400 drops the batch with a warning, for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';
import {
  pageUrl, values, mark, send, outboxKeys, attemptsFor, allEvents, untilArrived, untilOutboxEmpty,
  untilMessage, assertDeliveredOnce,
} from './delivery-support.mjs';

const collector = useCollector();

/** A visitor on a delivery page with the tag loaded and nothing pending. */
async function visitor(browser) {
  const v = await newVisitor(browser);
  await v.page.goto(pageUrl(collector, 'delivery'));
  await tagLoaded(v.page);
  assert.equal(await flush(v.page), true);
  return { ...v, session: await sessionId(v.page) };
}

eachBrowser((ctx) => {
  test('3. 503 for 10 s while 50 events are sent: all 50 arrive after recovery, each once', { timeout: 100000 }, async () => {
    const start = await mark(collector);
    const vals = values(ctx.name, 'outage 503', 50);
    const v = await visitor(ctx.browser);
    try {
      const faultFrom = Date.now(); // before the fault is set: its 10 s end no earlier than this + 10 s
      await collector.fault({ mode: 'status', status: 503, ms: 10000 });
      // One event every 100 ms: the 50 calls span the first 5 s of the outage.
      const verdicts = await v.page.evaluate(async (vals) => {
        const out = [];
        for (const value of vals) {
          out.push(window.rtp('send', 'event', { value }));
          await new Promise((r) => setTimeout(r, 100));
        }
        return out;
      }, vals);
      assert.deepEqual(verdicts, vals.map(() => 'accepted'));

      // The last refusal can come just before 10 s with a backoff of up to the 60 s cap.
      await untilArrived(collector, vals, 80000, 'the 50 events after the outage');
      await untilOutboxEmpty(collector, v.page);
      assert.equal(await flush(v.page), true);
      const events = await assertDeliveredOnce(collector, vals, { start, session: v.session });
      const tried = await attemptsFor(collector, events.map((e) => e.id));
      assert.ok(tried.some((r) => r.status === 503), 'the outage refused some attempts');
      const early = tried.filter((r) => r.status === 200 && r.t < faultFrom + 10000);
      assert.deepEqual(early, [], 'nothing was accepted during the outage');
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });

  test('4. 429 with Retry-After: 2: no retry before 2 s, then the event arrives once', { timeout: 40000 }, async () => {
    const start = await mark(collector);
    const [val] = values(ctx.name, 'retry-after', 1);
    const v = await visitor(ctx.browser);
    try {
      await collector.fault({ mode: 'status', status: 429, retry_after: 2, count: 1 });
      assert.deepEqual(await send(v.page, [val]), ['accepted']);

      const [event] = await assertDeliveredOnce(collector, [val], { start, session: v.session, ms: 30000 });
      const [refused, ...retries] = (await attemptsFor(collector, [event.id])).sort((x, y) => x.t - y.t);
      assert.equal(refused.status, 429, `the first attempt met the 429: ${JSON.stringify(refused)}`);
      assert.ok(retries.length >= 1);
      for (const r of retries) {
        assert.ok(r.t - refused.t >= 2000, `an attempt ${r.t - refused.t} ms after the 429 (Retry-After: 2)`);
      }
      await untilOutboxEmpty(collector, v.page);
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });

  test('5. 400: the batch is dropped with a warning and never retried; a later event goes through', { timeout: 40000 }, async () => {
    const start = await mark(collector);
    const [dropped, later] = values(ctx.name, 'bad request', 2);
    const v = await visitor(ctx.browser);
    try {
      await collector.fault({ mode: 'status', status: 400, count: 1 });
      assert.deepEqual(await send(v.page, [dropped]), ['accepted']);
      const refused = await collector.until(
        async () => (await collector.requests()).find((r) => r.status === 400 && r.fault === 'status' && r.t >= start.t),
        10000, 'the 400 attempt',
      );
      assert.equal(refused.ids.length, 1, JSON.stringify(refused));
      const [droppedId] = refused.ids;
      const warning = await untilMessage(collector, v, 'warn', /./, 'the console warning for the dropped batch');
      assert.match(warning.text, /^rtp:/);

      // The warning follows the removal. A retry of the dropped event, had it been kept, would
      // go before (or with) the later one, which is newer, and `flush` waits for everything.
      assert.deepEqual(await outboxKeys(v.page), [], 'the dropped event is no longer stored');
      assert.deepEqual(await send(v.page, [later]), ['accepted']);
      await untilArrived(collector, [later], 10000);
      assert.equal(await flush(v.page), true);

      const tries = await attemptsFor(collector, [droppedId]);
      assert.deepEqual(tries.map((r) => r.status), [400], `attempts carrying the dropped event: ${JSON.stringify(tries)}`);
      assert.equal((await allEvents(collector)).filter((e) => e.values[0] === dropped).length, 0);
      // The session holds only the later event.
      await assertDeliveredOnce(collector, [later], { start, session: v.session });
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });
});
