// A page that replaces globals with broken ones (issue 6): Array.prototype.push, JSON.stringify,
// JSON.parse, Storage.prototype.setItem, navigator.sendBeacon, each throwing, installed before
// the snippet. rtp() never throws, and the events still arrive: the tag does not need them to
// send (fetch is intact here; a broken fetch is hostile-page.test.mjs's case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, flush } from './harness.mjs';
import { allEvents } from './delivery-support.mjs';

const collector = useCollector();
const BROKEN = ['push', 'stringify', 'parse', 'setItem', 'sendBeacon'];

eachBrowser((ctx) => {
  for (const broken of [...BROKEN.map((b) => [b]), BROKEN]) {
    test(`broken ${broken.join(', ')}: nothing throws and the events arrive`, async () => {
      const v = await newVisitor(ctx.browser);
      await v.page.goto(new URL(`/test-pages/hostile-globals.html?break=${broken.join(',')}`, collector.url).href);
      await tagLoaded(v.page);
      const tag = `${ctx.name} ${broken.join('+')}`; // this test's events, whatever the session (setItem may be broken)
      const r = await v.page.evaluate((tag) => {
        const out = { inline: window.inlineVerdict };
        try {
          out.after = rtp('send', 'event', { value: ['after load', tag] });
          out.view = rtp('send', 'view', location.href + '#' + encodeURIComponent(tag));
          out.repeat = rtp('send', 'event', { value: ['after load', tag] });
        } catch (e) {
          out.threw = String(e);
        }
        return out;
      }, tag);
      assert.deepEqual(r, { inline: 'undefined', after: 'accepted', view: 'accepted', repeat: 'duplicate' });
      assert.equal(await flush(v.page), true);
      const all = await allEvents(collector);
      const mine = all.filter((e) => (e.values ? e.values[1] === tag : e.url.endsWith('#' + encodeURIComponent(tag))));
      assert.deepEqual(mine.map((e) => e.type).sort(), ['event', 'view']);
      // The inline call made before load is queued with push: where the page broke push, the
      // stub drops it (it must not throw); otherwise it arrives.
      const inline = all.filter((e) => e.values && e.values[0] === 'inline, before load' && e.session === mine[0].session);
      assert.equal(inline.length, broken.includes('push') ? 0 : 1);
      assert.deepEqual(v.errors, []);
      // Leaving the page runs the pagehide handlers (the snippet's, the tag's): nothing throws.
      await v.page.goto('about:blank');
      assert.deepEqual(v.errors, []);
      await v.close();
    });
  }
});

eachBrowser((ctx) => {
  test('window.rtp replaced by another script after load, then the snippet again: one tag, no double delivery, no throw', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('./harness.mjs');
    const snippet = readFileSync(join(ROOT, 'dist/snippet.min.js'), 'utf8')
      .replace('"LOADER_URL"', '"/dist/rtp.js?again"').replace('"ENDPOINT_URL"', '"/collect"').replace('"ACCOUNT_ID"', '"demo-account"');
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/hostile-globals.html', collector.url).href);
    await tagLoaded(v.page);
    const tag = `${ctx.name} replaced`;
    const first = await v.page.evaluate((tag) => rtp('send', 'event', { value: [tag, 'first'] }), tag);
    assert.equal(first, 'accepted');
    // Another script takes window.rtp; later the page (an SPA re-render, a tag manager) runs
    // the snippet again, and calls rtp at once, before the new loader has run.
    const queued = await v.page.evaluate((snippet, tag) => {
      window.rtp = undefined;
      const s = document.createElement('script');
      s.textContent = snippet;
      document.head.append(s);
      return [typeof rtp('send', 'event', { value: [tag, 'first'] }), typeof rtp('send', 'event', { value: [tag, 'second'] })];
    }, snippet, tag);
    assert.deepEqual(queued, ['undefined', 'undefined'], 'queued by the new stub');
    await tagLoaded(v.page);
    assert.equal(await v.page.evaluate((tag) => rtp('send', 'event', { value: [tag, 'second'] }), tag), 'duplicate');
    assert.equal(await flush(v.page), true);
    const mine = (await allEvents(collector)).filter((e) => e.values && e.values[0] === tag).map((e) => e.values[1]).sort();
    assert.deepEqual(mine, ['first', 'second'], 'each event once');
    const wasm = await v.page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('rtp_bg.wasm')).length);
    assert.equal(wasm, 1, 'one wasm: no second tag');
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
