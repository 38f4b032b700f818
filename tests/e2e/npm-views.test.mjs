// trackViews() of the npm package, driven step by step on a page that imports dist/npm/index.js:
// which History API changes are views, and which are not. (The apps in npm-apps.test.mjs show
// it inside React and webpack builds.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, sessionId } from './harness.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('trackViews: a view per new address, none for the same one, the fragment only with {hash: true}', async () => {
    const v = await newVisitor(ctx.browser);
    const page = new URL('test-pages/npm-views.html', collector.url).href;
    const at = (path) => new URL(path, collector.url).href;
    await v.page.goto(page);
    await v.page.waitForFunction(() => window.npm);
    const steps = await v.page.evaluate(async () => {
      const { trackViews } = window.npm;
      const stop = trackViews(); // view 1: the page
      const again = trackViews(); // running: the same stop, no view
      history.replaceState({ step: 1 }, ''); // same address: no view
      history.pushState(null, '', location.href); // same address: no view
      location.hash = '#section'; // a fragment only: no view
      await new Promise((r) => addEventListener('hashchange', r, { once: true }));
      history.pushState(null, '', '/virtual/a?x=1'); // view 2
      history.replaceState(null, '', '/virtual/b'); // view 3 (a redirect is a new address)
      history.pushState(null, '', '/virtual/b#top'); // a fragment only: no view
      stop();
      history.pushState(null, '', '/virtual/c'); // stopped: no view
      const back = trackViews({ initial: false }); // /virtual/c is taken as seen: no view
      history.pushState(null, '', '/virtual/d'); // view 4
      const popped = new Promise((r) => addEventListener('popstate', r, { once: true }));
      history.back(); // to /virtual/c: view 5
      await popped;
      back();
      const hashes = trackViews({ hash: true }); // the address now has no fragment, is /virtual/c: no view
      location.hash = '#one'; // view 6
      await new Promise((r) => addEventListener('hashchange', r, { once: true }));
      hashes();
      return { same: stop === again, delivered: await window.npm.flush() };
    });
    assert.deepEqual(steps, { same: true, delivered: true });
    const events = await collector.events(await sessionId(v.page));
    // In the order sent (requests may arrive in any order, hence the sort).
    const sent = [page, at('/virtual/a?x=1'), at('/virtual/b'), at('/virtual/d'), at('/virtual/c'), at('/virtual/c#one')];
    assert.deepEqual(events.map((e) => `${e.type} ${e.url}`).sort(), sent.map((url) => `view ${url}`).sort());
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
