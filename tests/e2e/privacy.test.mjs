// Privacy controls (issue 6): the consent gate and honorDnt (Do Not Track, Global Privacy
// Control). While refused, nothing is stored (no outbox record, nothing kept for the next page)
// and nothing reaches the collector; refused calls are dropped, not held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, flush, tagMessages } from './harness.mjs';
import { allEvents, outboxKeys, pageUrl, send, storedCalls, untilArrived, untilStoredAndFailed, values } from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('consent: denied stores and sends nothing, withdrawing forgets what was held, granting resumes', async () => {
    const [held, denied, granted] = values(ctx.name, 'consent', 3);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      // Accepted while the collector fails: stored, waiting for a retry.
      await collector.fault({ mode: 'status', status: 503 });
      assert.deepEqual(await send(v.page, [held]), ['accepted']);
      await untilStoredAndFailed(collector, v.page, 1, (r) => r.status === 503);
      // Withdrawn: the stored event is forgotten, and later sends are refused.
      assert.equal(await v.page.evaluate(() => rtp('set', 'consent', false)), 'ok');
      assert.deepEqual(await outboxKeys(v.page), []);
      assert.deepEqual(await send(v.page, [denied]), ['no_consent']);
      assert.deepEqual(await v.page.evaluate(() => rtp('send', 'view')), 'no_consent');
      assert.deepEqual(await outboxKeys(v.page), []);
      assert.ok(tagMessages(v, 'debug').some((m) => m.text.includes('consent denied')));
      assert.deepEqual(tagMessages(v, 'warn'), [], 'a refusal the visitor asked for is not a warning');
      await collector.clearFault();
      // Granted: sends resume; the refused call was dropped, not held, so it can be sent now.
      assert.equal(await v.page.evaluate(() => rtp('set', 'consent', true)), 'ok');
      assert.deepEqual(await send(v.page, [granted, denied]), ['accepted', 'accepted']);
      // They leave once the pause of the earlier failure is over (it stays: it is the collector's).
      await untilArrived(collector, [granted, denied], 15000);
      // Nothing is left to send: a retry of the forgotten event, older, would have come first.
      assert.equal(await flush(v.page), true);
      const got = (await allEvents(collector)).map((e) => e.values && e.values[0]);
      assert.equal(got.filter((x) => x === granted).length, 1);
      assert.equal(got.filter((x) => x === denied).length, 1);
      assert.equal(got.filter((x) => x === held).length, 0, 'the event held when consent was withdrawn never arrives');
      assert.deepEqual(v.errors, []);
    } finally {
      await collector.clearFault();
      await v.close();
    }
  });

  test('consent denied by the page before the tag loaded: the queued send is dropped and nothing is kept', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pageUrl(collector, 'privacy'));
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    assert.deepEqual(await outboxKeys(v.page), []);
    // Left and reloaded: no calls were kept for the next page either.
    await v.page.reload();
    await tagLoaded(v.page);
    assert.deepEqual(await storedCalls(v.page), []);
    const got = (await allEvents(collector)).filter((e) => e.values && e.values[0] === 'sent before load while consent was denied');
    assert.deepEqual(got, []);
    await v.close();
  });

  for (const [signal, define] of [
    ['Do Not Track', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1', configurable: true })],
    ['Global Privacy Control', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true })],
  ]) {
    test(`honorDnt with ${signal}: nothing is stored or sent, and consent cannot lift it`, async () => {
      const [before, during] = values(ctx.name, `honorDnt ${signal}`, 2);
      const v = await newVisitor(ctx.browser);
      try {
        await v.page.evaluateOnNewDocument(define);
        await v.page.goto(pageUrl(collector, 'delivery'));
        await tagLoaded(v.page);
        // Off by default: the signal alone changes nothing.
        assert.deepEqual(await send(v.page, [before]), ['accepted']);
        assert.equal(await flush(v.page), true);
        const verdicts = await v.page.evaluate((d) => [rtp('set', 'honorDnt', true), rtp('send', 'event', { value: d }), rtp('set', 'consent', true), rtp('send', 'event', { value: d })], during);
        assert.deepEqual(verdicts, ['ok', 'do_not_track', 'ok', 'do_not_track']);
        assert.deepEqual(await outboxKeys(v.page), []);
        const got = (await allEvents(collector)).map((e) => e.values && e.values[0]);
        assert.equal(got.filter((x) => x === before).length, 1);
        assert.equal(got.filter((x) => x === during).length, 0);
        assert.deepEqual(v.errors, []);
      } finally {
        await v.close();
      }
    });
  }

  test('honorDnt without a signal sends as usual', async () => {
    const [plain] = values(ctx.name, 'honorDnt no signal', 1);
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pageUrl(collector, 'delivery'));
    await tagLoaded(v.page);
    const signal = await v.page.evaluate(() => navigator.doNotTrack === '1' || navigator.globalPrivacyControl === true);
    assert.equal(signal, false, 'the test browser sends no signal of its own');
    assert.deepEqual(await v.page.evaluate((p) => [rtp('set', 'honorDnt', true), rtp('send', 'event', { value: p })], plain), ['ok', 'accepted']);
    assert.equal(await flush(v.page), true);
    assert.equal((await allEvents(collector)).filter((e) => e.values && e.values[0] === plain).length, 1);
    await v.close();
  });
});
