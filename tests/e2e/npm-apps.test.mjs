// The npm package inside real apps (issue 4), each built from the packed tarball the way a user
// installs it (scripts/build-apps.sh): the React app's Vite production build and its Vite dev
// server, and the webpack 5 app. In each, in each browser, against the real collector:
// - a click delivers its event, each route change delivers a view, and the first page is viewed
//   once (React StrictMode runs the app's effect twice);
// - a repeat in the session is not delivered, also after a reload;
// - on a page that also has the script tag, each event is delivered once, by one tag: one wasm
//   is fetched (the script tag's), and a call through either reaches the same session ledger.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ACCOUNT, ROOT, UUID_V4, useCollector, eachBrowser, newVisitor, sessionId, tagMessages } from './harness.mjs';

const DOWNLOAD = ['download - example whitepaper'];
const collector = useCollector();

// The React app's dev server (`vite`), forwarding /collect, /dist and /events to the collector:
// started by the first suite that needs it, stopped after the file.
const dev = {};
function devServer() {
  dev.started ||= (async () => {
    const port = await freePort();
    dev.proc = spawn(join(ROOT, 'examples/react-vite/node_modules/.bin/vite'), ['--port', String(port), '--strictPort'], {
      cwd: join(ROOT, 'examples/react-vite'),
      env: { ...process.env, RTP_COLLECTOR: collector.url, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    dev.url = await new Promise((resolve, reject) => {
      let out = '';
      dev.proc.stdout.on('data', (d) => {
        out += d;
        if (/Local:\s+http/.test(out)) resolve(`http://127.0.0.1:${port}/`);
      });
      dev.proc.on('exit', (code) => reject(new Error(`vite exited with ${code}: ${out}`)));
    });
  })();
  return dev.started;
}
after(() => dev.proc && dev.proc.kill());

const APPS = [
  { name: 'React app, Vite production build', at: () => new URL('examples/react-vite/build/', collector.url).href },
  { name: 'React app, Vite dev server', at: () => dev.url, start: devServer },
  { name: 'webpack 5 app', at: () => new URL('examples/webpack-app/', collector.url).href },
];

eachBrowser((ctx) => {
  for (const app of APPS) {
    describe(app.name, () => {
      before(() => app.start && app.start());
      test('a click delivers its event; each route change delivers a view; the first page is viewed once', async () => {
        const v = await newVisitor(ctx.browser);
        const base = app.at();
        await open(v.page, `${base}index.html`);
        assert.match(await click(v.page, 1), /^1 (accepted|undefined)$/, 'accepted, or queued while the wasm loads');
        await navigate(v.page, 'pricing', 'Pricing');
        await navigate(v.page, 'docs', 'Docs');
        await v.page.goBack(); // popstate: back to /pricing
        await v.page.waitForFunction(() => document.getElementById('title').textContent === 'Pricing');
        assert.equal(await delivered(v.page, 1), 'true');

        const sid = await sessionId(v.page);
        assert.match(sid, UUID_V4);
        const events = await collector.events(sid);
        assert.deepEqual(summary(events), [
          `event ${base}index.html ${DOWNLOAD}`,
          `view ${base}docs`,
          `view ${base}index.html`,
          `view ${base}pricing`,
          `view ${base}pricing`,
        ]);
        for (const e of events) {
          assert.equal(e.account, ACCOUNT);
          assert.match(e.id, UUID_V4);
        }
        assert.equal(new Set(events.map((e) => e.id)).size, events.length);
        assert.deepEqual(v.errors, []);
        assert.deepEqual(tagMessages(v, 'error'), []);
        await v.close();
      });

      test('a repeat in the session is not delivered, also after a reload', async () => {
        const v = await newVisitor(ctx.browser);
        const base = app.at();
        await open(v.page, `${base}index.html`);
        assert.equal(await delivered(v.page, 1), 'true'); // the tag is running: verdicts are final
        assert.equal(await click(v.page, 1), '1 accepted');
        assert.equal(await click(v.page, 2), '2 duplicate');
        assert.equal(await delivered(v.page, 2), 'true');

        await v.page.reload();
        await v.page.waitForFunction(() => document.getElementById('title').textContent === 'Home');
        assert.equal(await delivered(v.page, 1), 'true');
        assert.equal(await click(v.page, 1), '1 duplicate');
        assert.equal(await delivered(v.page, 2), 'true');

        const events = await collector.events(await sessionId(v.page));
        // The reload is a new page load: its first view is sent again (once).
        assert.deepEqual(summary(events), [`event ${base}index.html ${DOWNLOAD}`, `view ${base}index.html`, `view ${base}index.html`]);
        assert.deepEqual(v.errors, []);
        await v.close();
      });

      test('on a page that also has the script tag, each event is delivered once, by one tag', async () => {
        const v = await newVisitor(ctx.browser);
        const base = app.at();
        await open(v.page, `${base}both.html`);
        // The page's own inline call goes through the script tag…
        await v.page.evaluate(() => rtp('send', 'event', { value: 'download - example whitepaper' }));
        // …and the same event through the import is a repeat: one session ledger.
        assert.equal(await delivered(v.page, 1), 'true');
        assert.equal(await click(v.page, 1), '1 duplicate');
        await navigate(v.page, 'pricing', 'Pricing');
        assert.equal(await v.page.evaluate(() => rtp('send', 'event', { value: ['inline', 'second'] })), 'accepted');
        assert.equal(await delivered(v.page, 2), 'true');

        const events = await collector.events(await sessionId(v.page));
        assert.deepEqual(summary(events), [
          `event ${base}both.html ${DOWNLOAD}`,
          `event ${base}pricing inline,second`,
          `view ${base}both.html`,
          `view ${base}pricing`,
        ]);
        const stats = await collector.stats();
        assert.equal(stats.duplicates, 0, 'no event was sent twice');
        // One tag: the only wasm the page fetched is the script tag's, not the app's copy.
        const wasm = await v.page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.wasm')));
        assert.deepEqual(wasm, ['/dist/rtp_bg.wasm']);
        assert.deepEqual(v.errors, []);
        await v.close();
      });
    });
  }
});

async function open(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('title')?.textContent === 'Home', { timeout: 15000 });
}

// Clicks the app's download button (its `n`th click since the page loaded) and returns the
// numbered verdict it shows, e.g. "2 duplicate".
async function click(page, n) {
  await page.click('#download');
  await page.waitForFunction((n) => document.getElementById('verdict').textContent.startsWith(`${n} `), {}, n);
  return page.$eval('#verdict', (e) => e.textContent);
}

// Clicks the app's "Delivered?" button (the package's flush(); its `n`th since the page loaded)
// and returns what it resolved: "true" once the collector acknowledged everything accepted.
async function delivered(page, n) {
  await page.click('#flush');
  await page.waitForFunction((n) => document.getElementById('delivered').textContent.startsWith(`${n} `), { timeout: 15000 }, n);
  return (await page.$eval('#delivered', (e) => e.textContent)).slice(String(n).length + 1);
}

async function navigate(page, to, title) {
  await page.click(`#nav-${to}`);
  await page.waitForFunction((t) => document.getElementById('title').textContent === t, {}, title);
}

// The events as sorted "type url values" lines: requests may arrive in any order.
function summary(events) {
  return events.map((e) => `${e.type} ${e.url}${e.values ? ` ${e.values}` : ''}`).sort();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
