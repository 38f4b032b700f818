// A page written for the RTP tag, with the RTP tag's own snippet (only its URL changed), and
// its calls (setAccount, send view, get campaign, set customVar1, set/get rcmd, send redirect,
// get visitor with a callback) works, throws nothing, warns nothing and stays on the page; a
// collector on another origin gets events by CORS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, tagMessages } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('send view, setAccount and unsupported get commands work and throw nothing', async () => {
    const v = await newVisitor(ctx.browser);
    const page = new URL('/examples/rtp-style.html', collector.url).href;
    await v.page.goto(page);
    await tagLoaded(v.page);
    // get visitor's callback is answered with an error result, so the page does not hang.
    await v.page.waitForFunction(() => document.getElementById('visitor').textContent !== '(waiting)');
    const result = JSON.parse(await v.page.$eval('#visitor', (e) => e.textContent));
    assert.equal(result.error, 'unsupported');
    await v.page.click('#view-pricing');
    assert.equal(await flush(v.page), true);

    // In the order of the calls: the two batches may arrive in either order.
    const events = (await collector.events(await sessionId(v.page))).sort((a, b) => a.time - b.time);
    assert.deepEqual(events.map((e) => [e.type, e.url, e.account]), [
      ['view', page, 'demo-account'],
      ['view', new URL('/pricing', collector.url).href, 'demo-account'],
    ]);
    assert.ok(events.every((e) => !('values' in e)));
    assert.equal(tagMessages(v, 'debug').filter((m) => m.text.includes('command ignored')).length, 6);
    assert.deepEqual(v.console.filter((m) => m.type === 'warn'), []);
    assert.equal(v.page.url(), page);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a collector on another origin receives the events (CORS, no credentials)', async () => {
    const v = await newVisitor(ctx.browser);
    // The page on localhost, its collector on 127.0.0.1: two origins.
    await v.page.goto(`http://localhost:${collector.port}/examples/cross-origin.html`);
    await tagLoaded(v.page);
    await v.page.click('#cross');
    assert.equal(await flush(v.page), true);
    const events = await collector.events(await sessionId(v.page));
    // Sorted: the page's request and the click's may be in flight together, and arrive in either
    // order (seen on a loaded machine).
    assert.deepEqual(events.map((e) => e.values[0]).sort(), ['cross-origin click', 'cross-origin page']);
    const requests = (await collector.requests()).filter((r) => r.ids.some((id) => events.some((e) => e.id === id)));
    assert.ok(requests.length >= 1 && requests.every((r) => r.status === 200 && r.fetch_mode === 'cors'), JSON.stringify(requests));
    // A text/plain body with no custom header is a CORS-simple request: no preflight, ever.
    assert.equal((await collector.stats()).preflights, 0);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
