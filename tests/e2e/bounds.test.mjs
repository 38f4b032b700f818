// The outbox's bounds, end to end: during an outage, 1,010 events do not fit the 1,000 the
// outbox keeps; the 10 oldest are evicted (their records removed), the collector is told how
// many, and the other 1,000 arrive once the collector is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded } from './harness.mjs';
import { pageUrl, values, send, mark, assertDeliveredOnce, allEvents, outboxKeys } from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('past 1,000 events the oldest are evicted, counted and reported; the rest arrive', { timeout: 60000 }, async () => {
    const start = await mark(collector);
    const evictedBefore = (await collector.stats()).evicted;
    const vals = values(ctx.name, 'bounded', 1010);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      await collector.fault({ mode: 'status', status: 503 });
      const verdicts = await send(v.page, vals);
      assert.ok(verdicts.every((x) => x === 'accepted'));
      await collector.until(async () => (await collector.requests()).some((r) => r.t >= start.t && r.status === 503), 10000, 'a refused attempt');
      // The count went out with the refused batch; the tag puts it back once it reads the
      // answer, which the collector logs before the browser sees it: wait for the tag.
      const evicted = () => v.page.evaluate(() => localStorage.getItem('rtp:o:evicted'));
      await collector.until(async () => (await evicted()) === '1|10', 10000, 'the eviction count stored again after the refusal');
      assert.equal((await outboxKeys(v.page)).length, 1000, 'at most 1,000 stored');
      await collector.clearFault();
      await assertDeliveredOnce(collector, vals.slice(10), { start, ms: 40000 });
      const got = new Set((await allEvents(collector)).map((e) => e.values[0]));
      assert.ok(vals.slice(0, 10).every((x) => !got.has(x)), 'the 10 oldest were the ones evicted');
      await collector.until(async () => (await collector.stats()).evicted - evictedBefore === 10, 10000, 'the eviction count at the collector');
      await collector.until(async () => (await evicted()) === null, 10000, 'the count cleared once reported');
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });
});
