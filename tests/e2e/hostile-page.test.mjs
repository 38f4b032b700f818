// Pages that break what the tag relies on: a fetch wrapper that throws, returns a non-promise
// or calls rtp() itself; an element named "rtp"; garbage pushed onto rtp.q; a burst larger
// than the keepalive budget. The tag keeps working, throws nothing, and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('a fetch wrapper that throws, returns junk or re-enters rtp() does not wedge the tag', async () => {
    const v = await newVisitor(ctx.browser);
    // Not the demo page: its live view polls with fetch, and would break on its own.
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    const sid = await sessionId(v.page);
    const verdicts = await v.page.evaluate(async () => {
      const real = window.fetch;
      const out = [];
      window.fetch = () => { throw new Error('blocked by the page'); };
      out.push(rtp('send', 'event', { value: 'while fetch throws' }));
      await new Promise((r) => setTimeout(r)); // the pump (a microtask of the call's task) has run
      window.fetch = () => undefined;
      out.push(rtp('send', 'event', { value: 'while fetch returns junk' }));
      await new Promise((r) => setTimeout(r)); // the pump (a microtask of the call's task) has run
      let inner = false;
      window.fetch = function (...args) {
        if (!inner) { inner = true; out.push(rtp('send', 'event', { value: 'from inside fetch' })); }
        return real.apply(this, args);
      };
      out.push(rtp('send', 'event', { value: 'through a re-entrant wrapper' }));
      await new Promise((r) => setTimeout(r)); // the pump (a microtask of the call's task) has run
      window.fetch = real;
      out.push(rtp('send', 'event', { value: 'after fetch is back' }));
      out.push(await rtp('flush'));
      return out;
    });
    assert.deepEqual(verdicts, ['accepted', 'accepted', 'accepted', 'accepted', 'accepted', true]);
    await v.page.goto('about:blank'); // pagehide: no dead listener may throw
    const values = (await collector.events(sid)).map((e) => e.values[0]);
    for (const want of ['while fetch throws', 'while fetch returns junk', 'through a re-entrant wrapper', 'from inside fetch', 'after fetch is back']) {
      assert.equal(values.filter((x) => x === want).length, 1, `${want}: ${values}`);
    }
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('an element with id="rtp" does not stop the snippet', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/named-element.html', collector.url).href);
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    const events = await collector.events(await sessionId(v.page));
    assert.deepEqual(events.map((e) => e.values), [['named element page']]);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('garbage pushed onto rtp.q before and after load throws nothing and the tag goes live', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/early.html', collector.url).href, { waitUntil: 'domcontentloaded' });
    await v.page.evaluate(() => { rtp.q.push(null); rtp.q.push(42); rtp.q.push(undefined); });
    await tagLoaded(v.page);
    const after = await v.page.evaluate(() => {
      try { rtp.q.push(null); rtp.q.push('x'); return 'no throw'; } catch (e) { return 'THREW ' + e; }
    });
    assert.equal(after, 'no throw');
    assert.equal(await flush(v.page), true);
    assert.deepEqual((await collector.events(await sessionId(v.page))).map((e) => e.values), [['early inline']]);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a burst far over the 64 KiB keepalive budget all arrives, in batches of at most 32 KiB', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    // The page's own event first: still in flight, it would count against the outbox's bound
    // of 1,000 events, and the burst's oldest would be evicted (a loaded machine saw 999).
    assert.equal(await flush(v.page), true);
    const ok = await v.page.evaluate(() => {
      for (let i = 0; i < 1000; i++) rtp('send', 'event', { value: ['burst ' + i, 'x'.repeat(200)] });
      return rtp('flush');
    });
    assert.equal(ok, true);
    const events = (await collector.events(await sessionId(v.page))).filter((e) => e.values[0].startsWith('burst '));
    assert.equal(events.length, 1000);
    const ids = new Set(events.map((e) => e.id));
    const requests = (await collector.requests()).filter((r) => r.ids.some((id) => ids.has(id)));
    assert.ok(requests.length >= 14, `${requests.length} requests for ~450 KB`);
    assert.ok(requests.every((r) => r.bytes <= 32 * 1024 && r.status === 200), JSON.stringify(requests.map((r) => r.bytes)));
    assert.equal((await collector.stats()).duplicates, 0);
    await v.close();
  });
});
