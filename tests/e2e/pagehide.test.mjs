// On pagehide, what is still queued leaves by navigator.sendBeacon (durable retry is issue 3;
// this is the foundation's promise: nothing queued is abandoned when the visitor leaves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('an event the collector refused with 503 stays queued and leaves by beacon on pagehide', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(collector.url);
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    const sid = await sessionId(v.page);

    // Two refusals: the send, and the resend that flush makes if the first answer came back
    // before it was called. Either way flush answers false: the batch is queued again.
    await collector.fault({ mode: 'status', status: 503, count: 2 });
    assert.equal(await v.page.evaluate(() => rtp('send', 'event', { value: 'left by beacon' })), 'accepted');
    assert.equal(await flush(v.page), false);
    await collector.clearFault();

    await v.page.goto('about:blank'); // pagehide
    const delivered = await collector.until(
      async () => (await collector.events(sid)).find((e) => e.values[0] === 'left by beacon'),
      10000, 'the beacon',
    );
    const attempts = (await collector.requests()).filter((r) => r.ids.includes(delivered.id));
    const last = attempts.pop();
    assert.deepEqual([last.status, last.fetch_mode], [200, 'no-cors'], 'delivered by the beacon');
    assert.ok(attempts.length >= 1 && attempts.every((r) => r.status === 503 && r.fetch_mode === 'cors'), JSON.stringify(attempts));
    assert.equal((await collector.stats()).duplicates, 0);
    await v.close();
  });
});
