// Drop-in for sites that carry the RTP tag's snippet (issue 15; README, "Migrating from the RTP
// tag"): each form of its snippet, pasted verbatim but for the script URL, with the calls its
// JavaScript API documents and the README's three documented uses. Checked: what the collector
// received (each event once, the account on every event), the time of calls made before rtp.js
// ran, before the wasm was ready and after, a visitor leaving before the wasm arrived (the next
// page delivers, whichever snippet it carries), no page error, no console warning, and no
// navigation (the redirect API is answered quietly).
// Form A's pages load a second build of rtp.js, made here with `ENDPOINT=/collect
// ACCOUNT=hosted-account` (the defaults set once where rtp.js is hosted; the snippet's account
// wins); form B's pass the endpoint in rtp.js's URL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush } from './harness.mjs';
import { assertDeliveredOnce, mark, pageUrl, storedCalls } from './delivery-support.mjs';

const collector = useCollector();

// dist/hosted/: the loader built with a default endpoint and account, beside the same wasm files.
before(() => {
  const hosted = join(ROOT, 'dist/hosted');
  mkdirSync(hosted, { recursive: true });
  for (const f of ['rtp_bg.wasm', 'rtp_full_bg.wasm']) copyFileSync(join(ROOT, 'dist', f), join(hosted, f));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, env: { ...process.env, ENDPOINT: '/collect', ACCOUNT: 'hosted-account', RTP_DIST: 'dist/hosted' } });
  assert.ok(readFileSync(join(hosted, 'rtp.js'), 'utf8').includes('"/collect"'), 'the endpoint is written into the loader');
});

const FORMS = [
  { form: 'A (rtp.a, rtp.e, ?aid=; endpoint built in)', page: 'dropin-vendor-a', account: '123-ABC-456', next: 'dropin-next', nextUrl: '/dist/rtp.js' },
  { form: 'B (?rh=…&aid=; endpoint in the URL)', page: 'dropin-vendor-b', account: 'xyz', next: 'dropin-vendor-b-next', nextUrl: '/dist/rtp.js?endpoint=/collect' },
];

// The RTP tag's documented calls this tag does not implement, each answered with one debug
// message: get campaign, set settings, set customVar1, set rcmd (twice), get rcmd, send
// redirect (twice), userContextReady, get visitor.
const IGNORED = 10;

/** A visitor whose main-frame navigations are recorded. */
async function visitor(browser) {
  const v = await newVisitor(browser);
  v.navigations = [];
  v.page.on('framenavigated', (f) => { if (f === v.page.mainFrame()) v.navigations.push(f.url()); });
  return v;
}

/** rtp.js has run (the tag's symbol is set); the wasm may not be ready yet. */
const loaderRan = (page) => page.waitForFunction(() => window[Symbol.for('rtp-tag')] !== undefined, { timeout: 15000 });
const loaderHasRun = (page) => page.evaluate(() => window[Symbol.for('rtp-tag')] !== undefined);

function warnings(v) {
  return v.console.filter((m) => m.type === 'warn' || m.type === 'warning');
}

eachBrowser((ctx) => {
  for (const f of FORMS) {
    test(`snippet ${f.form}: documented calls, clicks before rtp.js, before the wasm and after; each event once, with the account`, { timeout: 40000 }, async () => {
      const start = await mark(collector);
      const v = await visitor(ctx.browser);
      try {
        const url = pageUrl(collector, f.page);
        await v.page.goto(url, { waitUntil: 'domcontentloaded' });
        // 1. rtp.js has not run yet: the click is queued by the RTP tag's stub, unstamped.
        assert.equal(await loaderHasRun(v.page), false, 'the first click must come before rtp.js runs (it is held 2.5 s)');
        const click1 = Date.now();
        await v.page.click('#track');
        const inlineAt = await v.page.evaluate(() => window.inlineAt);
        // 2. rtp.js ran, the wasm is not ready: the click is stamped when it is made.
        await loaderRan(v.page);
        const loaderSeen = Date.now();
        const click2 = Date.now();
        await v.page.click('#track');
        const clicked2 = Date.now(); // a click takes up to about 0.5 s on a loaded machine
        assert.equal(await isStub(v.page), true, 'the second click must come before the wasm is ready (held 2.5 s more)');
        // 3. The wasm is ready.
        await tagLoaded(v.page);
        const wasmSeen = Date.now();
        await v.page.click('#track');
        await v.page.click('#download-whitepaper');
        assert.equal(await flush(v.page), true);
        await v.page.waitForFunction(() => window.visitor !== undefined);

        const sid = await sessionId(v.page);
        const events = await collector.events(sid);
        const got = events.map((e) => (e.type === 'view' ? 'view' : e.values.join('|')));
        assert.deepEqual(got.sort(), ['MyEvent', 'MyEvent|download - example whitepaper', 'download - example whitepaper',
          'track|click 1', 'track|click 2', 'track|click 3', 'view'].sort());
        for (const e of events) {
          assert.equal(e.account, f.account, `the account on ${JSON.stringify(e)}`);
          assert.equal(e.url, url);
        }
        assert.equal(new Set(events.map((e) => e.id)).size, events.length);
        assert.equal((await collector.stats()).duplicates - start.duplicates, 0, 'nothing was sent twice');

        const time = (v) => events.find((e) => e.values && e.values.join('|') === v).time;
        const view = events.find((e) => e.type === 'view').time;
        // Calls made before rtp.js ran carry the time rtp.js ran: after the call, and long
        // before the wasm was ready (the replay).
        for (const t of [view, time('MyEvent'), time('track|click 1')]) {
          assert.ok(t >= inlineAt && t >= click1 - 50 && t <= loaderSeen + 50, `${t} within [${click1}, ${loaderSeen}]`);
          assert.ok(wasmSeen - t >= 1500, `${t}: not the replay time (${wasmSeen})`);
        }
        // A call made once rtp.js ran carries its own time.
        const t2 = time('track|click 2');
        assert.ok(t2 >= click2 && t2 <= clicked2, `click 2 at ${t2}, clicked in [${click2}, ${clicked2}]`);
        assert.ok(wasmSeen - t2 >= 1000, `click 2: not the replay time (${wasmSeen})`);
        assert.ok(time('track|click 3') >= wasmSeen - 50);

        // The commands this tag does not implement: quiet (debug, not warning); get visitor's
        // callback gets an error result; userContextReady's function is never called.
        assert.deepEqual(await v.page.evaluate(() => window.visitor.error), 'unsupported');
        assert.equal(await v.page.evaluate(() => window.userContextCalled), undefined);
        const ignored = v.console.filter((m) => m.type === 'debug' && m.text.startsWith('rtp: command ignored'));
        assert.equal(ignored.length, IGNORED, JSON.stringify(v.console));
        assert.deepEqual(warnings(v), []);
        assert.deepEqual(v.errors, []);
        // send redirect never navigates: still this page (its inline script's mark), at its address.
        assert.deepEqual(await v.page.evaluate(() => [location.href, typeof window.inlineAt]), [url, 'number']);
        // WebDriver (WebKit) reports no navigation events; the two other engines do.
        if (ctx.name !== 'webkit') assert.deepEqual(v.navigations, [url]);
      } finally {
        await v.close();
      }
    });

    test(`snippet ${f.form}: left before the wasm arrived, the next page (${f.next}) delivers the calls once`, { timeout: 40000 }, async () => {
      const start = await mark(collector);
      const v = await visitor(ctx.browser);
      try {
        const url = pageUrl(collector, f.page);
        const next = pageUrl(collector, f.next);
        await v.page.goto(url, { waitUntil: 'domcontentloaded' });
        await loaderRan(v.page);
        assert.equal(await isStub(v.page), true, 'the visitor must leave before the wasm is ready');
        const value = `${ctx.name} form ${f.form[0]}: left before the wasm`;
        await v.page.$eval('#leave', (b, next, value) => { b.dataset.next = next; b.dataset.value = value; }, next, value);
        const leftAt = Date.now();
        await Promise.all([v.page.waitForNavigation(), v.page.click('#leave')]);
        const clicked = Date.now();
        assert.equal(v.page.url(), next);
        assert.ok(readFileSync(join(ROOT, 'tests/e2e/pages', `${f.next}.html`), 'utf8').includes(`"${f.nextUrl}"`));
        await tagLoaded(v.page);
        assert.equal(await flush(v.page), true);
        const sid = await sessionId(v.page);

        // The sends queued on the page left (its view and custom events, and the click that
        // left), delivered once by the next page, with the URL and account of the page left.
        const [leaving] = await assertDeliveredOnce(collector, [value], { start });
        assert.equal(leaving.url, url);
        assert.ok(leaving.time >= leftAt && leaving.time <= clicked, `left in [${leftAt}, ${clicked}], event at ${leaving.time}`);
        const events = await collector.events(sid);
        const mine = events.filter((e) => e.url === url).map((e) => (e.type === 'view' ? 'view' : e.values.join('|')));
        assert.deepEqual(mine.sort(), ['MyEvent', 'MyEvent|download - example whitepaper', value, 'view'].sort());
        for (const e of events) assert.equal(e.account, f.account, `the account on ${JSON.stringify(e)}`);
        assert.deepEqual(await storedCalls(v.page), [], 'the kept calls are gone once replayed');

        // Once: another load of the site does not send them again.
        const before = events.length;
        await v.page.reload();
        await tagLoaded(v.page);
        assert.equal(await flush(v.page), true);
        const again = await collector.events(sid);
        assert.deepEqual(again.slice(before).map((e) => e.url), f.next === 'dropin-next' ? [] : [next], 'only the next page\'s own view');
        assert.equal((await collector.stats()).duplicates - start.duplicates, 0);
        assert.deepEqual(warnings(v), []);
        assert.deepEqual(v.errors, []);
      } finally {
        await v.close();
      }
    });
  }

  test('this tag\'s snippet with "" for the endpoint and the account: the defaults built into rtp.js', async () => {
    const v = await visitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'dropin-defaults'));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      const events = await collector.events(await sessionId(v.page));
      assert.deepEqual(events.map((e) => [e.type, e.account]), [['view', 'hosted-account']]);
      assert.deepEqual(warnings(v), []);
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });

  for (const [page, account] of [['dropin-vendor-a-onload', '123-ABC-456'], ['dropin-vendor-b-onload', 'xyz']]) {
    test(`${page}: no call before rtp.js runs (the stub has no queue yet), the account is still on every event`, async () => {
      const v = await visitor(ctx.browser);
      try {
        await v.page.goto(pageUrl(collector, page));
        await tagLoaded(v.page);
        await v.page.click('#download-whitepaper');
        assert.equal(await flush(v.page), true);
        const events = await collector.events(await sessionId(v.page));
        // Sorted: the two requests may be in flight together, and arrive in either order.
        assert.deepEqual(events.map((e) => [e.type, e.account]).sort(), [['event', account], ['view', account]]);
        assert.deepEqual(warnings(v), []);
        assert.deepEqual(v.errors, []);
      } finally {
        await v.close();
      }
    });
  }
});
