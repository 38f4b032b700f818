// Calls made before the wasm loaded (an inline script, and an onclick clicked early) are kept
// by the snippet's queue and arrive, in order, each with the page URL and time of its call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('an inline call and an early click arrive in order with their own URL and time', async () => {
    const v = await newVisitor(ctx.browser);
    const page = new URL('/test-pages/early.html', collector.url).href;
    await v.page.goto(page, { waitUntil: 'domcontentloaded' });
    assert.equal(await isStub(v.page), true, 'the tag must not have loaded yet');
    // The page moves on (a single-page app would) before the visitor clicks.
    await v.page.evaluate(() => history.pushState(null, '', '?step=2'));
    const clickedAt = Date.now();
    await v.page.click('#early-click');
    const clickedBy = Date.now(); // a click takes up to about 0.5 s on a loaded machine
    assert.equal(await isStub(v.page), true, 'the click must happen before the tag loads');
    await tagLoaded(v.page);
    const loadedAt = Date.now();
    assert.equal(await flush(v.page), true);

    const events = await collector.events(await sessionId(v.page));
    assert.deepEqual(events.map((e) => e.values), [['early inline'], ['early click']]);
    assert.equal(events[0].url, page);
    assert.equal(events[1].url, page + '?step=2');
    assert.ok(events[0].time <= events[1].time);
    // Each keeps the time of its call, not the time the tag replayed it (≥ 1.5 s later).
    assert.ok(events[1].time >= clickedAt && events[1].time <= clickedBy, `click time ${events[1].time} vs [${clickedAt}, ${clickedBy}]`);
    // The tag was still the stub after the click (checked above), so it replayed the call after
    // clickedBy: a time within the click is the call's own, not the replay's.
    assert.ok(loadedAt >= clickedBy);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('the snippet included twice (and the loader once more) loads the tag once', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/twice.html', collector.url).href);
    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    const loads = await v.page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
    assert.equal(loads.filter((p) => p === '/dist/rtp_bg.wasm').length, 1, loads.join());
    const events = await collector.events(await sessionId(v.page));
    assert.deepEqual(events.map((e) => e.values), [['included twice']]);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
