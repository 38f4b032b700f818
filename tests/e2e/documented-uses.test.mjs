// The three documented uses on the example page, delivered exactly once per visitor session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, UUID_V4, useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages } from './harness.mjs';

const MY_EVENT = ['MyEvent'];
const BOTH = ['MyEvent', 'download - example whitepaper'];
const DOWNLOAD = ['download - example whitepaper'];

const collector = useCollector();

// The events of a session in the order of their calls. Batches of different tasks may be in
// flight together (the keepalive budget allows it), so the collector may store a later task's
// batch first: arrival order is not call order. Stable: events of one batch keep their order.
const inCallOrder = (events) => [...events].sort((a, b) => a.time - b.time);

eachBrowser((ctx) => {
  test('each documented use delivers its event once; a repeat in the session is not delivered', async () => {
    const v = await newVisitor(ctx.browser);
    const started = Date.now();
    await v.page.goto(collector.url);
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    assert.match(sid, UUID_V4);

    await v.page.click('#download-whitepaper');
    await v.page.click('#download-whitepaper'); // the same event again: not delivered
    assert.equal(await flush(v.page), true);

    const events = inCallOrder(await collector.events(sid));
    assert.deepEqual(events.map((e) => e.values), [MY_EVENT, BOTH, DOWNLOAD]);
    for (const e of events) {
      assert.equal(e.type, 'event');
      assert.equal(e.account, ACCOUNT);
      assert.equal(e.session, sid);
      assert.equal(e.url, collector.url);
      assert.equal(e.referrer, '');
      assert.match(e.id, UUID_V4);
      assert.ok(e.time >= started - 1000 && e.time <= Date.now() + 1000, `time ${e.time}`);
    }
    assert.equal(new Set(events.map((e) => e.id)).size, 3, 'every event has its own id');
    // The two inline calls ran in one task: one request carried both.
    const requests = (await collector.requests()).filter((r) => r.ids.some((id) => events.some((e) => e.id === id)));
    assert.deepEqual(requests.map((r) => r.ids.length).sort(), [1, 2]);
    assert.ok(tagMessages(v, 'debug').some((m) => m.text.includes('already sent in this session')));
    assert.deepEqual(v.errors, []);

    // A reload is the same session: the inline calls run again and deliver nothing new.
    await v.page.reload();
    await tagLoaded(v.page);
    assert.equal(await sessionId(v.page), sid);
    assert.equal(await v.page.evaluate(() => rtp('send', 'event', { value: 'MyEvent' })), 'duplicate');
    assert.equal(await flush(v.page), true);
    assert.equal((await collector.events(sid)).length, 3);
    await v.close();
  });

  test('a new visitor session delivers the same events again', async () => {
    const first = await newVisitor(ctx.browser);
    await first.page.goto(collector.url);
    await tagLoaded(first.page);
    assert.equal(await flush(first.page), true);
    const firstSid = await sessionId(first.page);
    await first.close();

    const second = await newVisitor(ctx.browser);
    await second.page.goto(collector.url);
    await tagLoaded(second.page);
    await second.page.click('#download-whitepaper');
    assert.equal(await flush(second.page), true);
    const sid = await sessionId(second.page);
    assert.notEqual(sid, firstSid);
    assert.deepEqual(inCallOrder(await collector.events(sid)).map((e) => e.values), [MY_EVENT, BOTH, DOWNLOAD]);
    assert.deepEqual(inCallOrder(await collector.events(firstSid)).map((e) => e.values), [MY_EVENT, BOTH]);
    await second.close();
  });

  test('the collector stored every event once: no repeats were sent', async () => {
    const stats = await collector.stats();
    assert.equal(stats.duplicates, 0);
    assert.equal(stats.rejected, 0);
  });
});
