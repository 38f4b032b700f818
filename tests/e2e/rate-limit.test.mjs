// The rate limit (issue 6): a runaway loop cannot flood the collector. 2,000 sends at once, then
// 10 per second; the rest are refused ('rate_limited'), warned about once, counted, and the
// count reaches the collector in the next batch (`limited`, summed in /stats).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages } from './harness.mjs';
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
      window.loopEnd = Date.now(); // the tag's clock
      return out;
    }, ctx.name);
    // The loop itself takes a while: a token comes back every 100 ms of it.
    assert.deepEqual(Object.keys(verdicts).sort(), ['accepted', 'rate_limited']);
    assert.equal(verdicts.accepted + verdicts.rate_limited, 5000);
    assert.ok(verdicts.accepted >= 2000 && verdicts.accepted <= 2050, `${verdicts.accepted} accepted`);
    assert.equal(tagMessages(v, 'warn').filter((m) => m.text.includes('rate limit (2000 at once, then 10/s)')).length, 1, 'warned once');
    // Refill at 10/s: a token every 100 ms since the loop emptied the bucket. What this waits
    // for is time itself, on the tag's clock (the page's): 1.2 s of it, about 12 tokens. A slow
    // machine changes the count, not the verdict.
    await v.page.waitForFunction(() => Date.now() - window.loopEnd >= 1200, { timeout: 15000 });
    const { later, elapsed } = await v.page.evaluate((name) => {
      const later = Array.from({ length: 50 }, (_, i) => rtp('send', 'event', { value: `${name} later ${i}` }));
      return { later, elapsed: Date.now() - window.loopEnd };
    }, ctx.name);
    // Tokens that came back while the 50 calls ran count too (a slow machine takes a while).
    const accepted = later.filter((x) => x === 'accepted').length;
    const refilled = Math.min(50, Math.floor(elapsed / 100));
    assert.ok(elapsed >= 1200 && Math.abs(accepted - refilled) <= 1, `${accepted} of 50 accepted ${elapsed} ms after the loop (expected ${refilled} ± 1)`);
    assert.ok(later.every((x) => x === 'accepted' || x === 'rate_limited'), later.join());
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
