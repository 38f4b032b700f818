// Strict Content-Security-Policy (issue 6), with real headers from the collector
// (tests/e2e/pages/*.html.headers): the tag works under script-src 'self' 'nonce-…'
// 'wasm-unsafe-eval', where inline handlers are refused and data-rtp-event tracks clicks; a
// policy without 'wasm-unsafe-eval' gets one console error naming the fix, and calls stay
// queued; a loader that never loads leaves a bounded queue. Nothing throws into the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush, tagMessages } from './harness.mjs';

const collector = useCollector();
const page = (name) => new URL(`/test-pages/${name}.html`, collector.url).href;
const cspMessages = (v) => v.console.filter((m) => /Content.Security.Policy|CSP/i.test(m.text) && !m.text.startsWith('rtp'));

eachBrowser((ctx) => {
  test('under a strict policy with a nonce and wasm-unsafe-eval the tag loads, sends, and tracks data-rtp-event clicks', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(page('csp'));
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    await v.page.click('#download');
    // The closest element with the attribute counts; a JSON array gives up to 4 values.
    await v.page.evaluate(() => {
      const outer = document.createElement('span');
      outer.setAttribute('data-rtp-event', '["declarative", "two values"]');
      outer.innerHTML = '<b id="inner">inner</b>';
      document.body.append(outer);
      const five = document.createElement('i');
      five.id = 'five';
      five.textContent = 'five values';
      five.setAttribute('data-rtp-event', '["1", "2", "3", "4", "5"]');
      document.body.append(five);
    });
    await v.page.click('#inner');
    await v.page.click('#five'); // refused: more than 4 values (a console warning, nothing sent)
    assert.equal(await flush(v.page), true);
    // Each click is its own batch; batches may arrive in any order.
    const events = (await collector.events(sid)).map((e) => e.values).sort();
    assert.deepEqual(events, [['declarative', 'two values'], ['download under csp'], ['sent under csp, before load']]);
    assert.ok(tagMessages(v, 'warn').some((m) => m.text.includes('at most 4 values')));
    assert.deepEqual(cspMessages(v), [], 'no policy violation');
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test("a policy without 'wasm-unsafe-eval': one console error naming the fix, nothing throws, calls stay queued", async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(page('csp-no-wasm'));
    const message = "rtp: this page's Content-Security-Policy refuses WebAssembly: add 'wasm-unsafe-eval' to script-src";
    await collector.until(async () => tagMessages(v, 'error').length > 0, 10000, 'the console error');
    // The loader reports the refused module from the one promise that failed, and that has
    // run: a round trip through a task of the page delivers any message reported with it.
    await v.page.evaluate(() => new Promise((r) => setTimeout(r)));
    const errors = tagMessages(v, 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.ok(errors[0].text.startsWith(message), errors[0].text);
    assert.equal(await isStub(v.page), true, 'window.rtp is still the queue');
    const after = await v.page.evaluate(() => {
      try {
        return [typeof rtp('send', 'event', { value: 'after the refusal' }), rtp.q.length, rtp.q.map((a) => a[2] && a[2].value)];
      } catch (e) {
        return ['THREW ' + e];
      }
    });
    assert.deepEqual(after, ['undefined', 2, ['sent under csp-no-wasm, before load', 'after the refusal']]);
    // Firefox reports the violation itself as a page error; anything else would be ours.
    assert.deepEqual(v.errors.filter((e) => !e.startsWith('Content-Security-Policy:')), []);
    await v.close();
  });

  test('a loader that never loads (404): calls never throw and the queue stops at 1,000', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(page('blocked'));
    await v.page.waitForFunction(() => window.loaderFailed === true, { timeout: 15000 });
    const r = await v.page.evaluate(() => {
      let threw = 0;
      for (let i = 0; i < 5000; i++) {
        try {
          rtp('send', 'event', { value: 'queued ' + i });
        } catch (e) {
          threw++;
        }
      }
      return { threw, queued: rtp.q.length, first: rtp.q[0][2].value, last: rtp.q[rtp.q.length - 1][2].value };
    });
    assert.deepEqual(r, { threw: 0, queued: 1000, first: 'queued 0', last: 'queued 999' });
    assert.equal(await isStub(v.page), true);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
