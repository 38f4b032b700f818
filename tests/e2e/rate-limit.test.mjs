// The rate limit (issue 6): a runaway loop cannot flood the collector. 2,000 sends at once, then
// 10 per second; the rest are refused ('rate_limited'), warned about once, counted, and the
// count reaches the collector in the next batch (`limited`, summed in /stats).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages, sleep } from './harness.mjs';
import { pageUrl } from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('a runaway loop: 2,000 sends go, the rest are refused and counted, then 10 per second', { timeout: 60000 }, async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pageUrl(collector, 'delivery'));
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    const limitedBefore = (await collector.stats()).limited;
    const verdicts = await v.page.evaluate((name) => {
      const out = {};
      for (let i = 0; i < 5000; i++) {
        const r = rtp('send', 'event', { value: `${name} loop ${i}` });
        out[r] = (out[r] || 0) + 1;
      }
      return out;
    }, ctx.name);
    // The loop itself takes a while: a token comes back every 100 ms of it.
    assert.deepEqual(Object.keys(verdicts).sort(), ['accepted', 'rate_limited']);
    assert.equal(verdicts.accepted + verdicts.rate_limited, 5000);
    assert.ok(verdicts.accepted >= 2000 && verdicts.accepted <= 2050, `${verdicts.accepted} accepted`);
    assert.equal(tagMessages(v, 'warn').filter((m) => m.text.includes('rate limit (2000 at once, then 10/s)')).length, 1, 'warned once');
    // Refill at 10/s: after at least 1.2 s, at least 12 more may go; 50 at once do not all go
    // (that would take 5 s). Loose bounds: the time between the two loops is not exact.
    await sleep(1200);
    const later = await v.page.evaluate((name) => Array.from({ length: 50 }, (_, i) => rtp('send', 'event', { value: `${name} later ${i}` })), ctx.name);
    const accepted = later.filter((x) => x === 'accepted').length;
    assert.ok(accepted >= 12 && accepted < 50, `${accepted} of 50 accepted after 1.2 s`);
    assert.ok(later.slice(accepted).every((x) => x === 'rate_limited'), later.join());
    // The outbox holds at most 1,000: the oldest are evicted, as for any backlog.
    await collector.until(async () => (await flush(v.page)) === true, 40000, 'everything acknowledged');
    const events = await collector.events(sid);
    assert.ok(events.length >= 1000 && events.length <= 2100, `${events.length} events arrived`);
    const refused = verdicts.rate_limited + 50 - accepted;
    await collector.until(async () => (await collector.stats()).limited - limitedBefore === refused, 10000, `the limited count (${refused}) at the collector`);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
