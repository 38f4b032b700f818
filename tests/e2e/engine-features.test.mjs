// The platform features the tag relies on, as each engine gives them (README, "Browser
// support"): checked in every engine the suite runs, so that a difference shows here by name
// rather than as a delivery test failing somewhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, tagMessages } from './harness.mjs';
import { pageUrl } from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('String.prototype.isWellFormed, AbortSignal.timeout, crypto.getRandomValues and Web Locks behave as the tag expects', async () => {
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      const got = await v.page.evaluate(async () => {
        const out = {};
        // The lone-surrogate check (js/host.js read()).
        out.wellFormed = ['ok', 'a\uD800b', '\uDC00'].map((s) => s.isWellFormed());
        // The 30 s bound on a request (src/web/bindings.rs): aborts with a TimeoutError.
        out.timeout = await new Promise((resolve) => {
          const s = AbortSignal.timeout(10);
          s.addEventListener('abort', () => resolve(s.reason && s.reason.name));
        });
        // Ids take 16 bytes; the specified limit of one call is 65,536 bytes.
        crypto.getRandomValues(new Uint8Array(65536));
        try { crypto.getRandomValues(new Uint8Array(65537)); out.over = 'no error'; } catch (e) { out.over = e.name; }
        // Web Locks: present on this origin (loopback is a secure context), and a lock is
        // released as its callback settles.
        out.locks = typeof navigator.locks === 'object' && navigator.locks !== null;
        if (out.locks) {
          await navigator.locks.request('engine-features', async () => {
            out.held = (await navigator.locks.query()).held.some((l) => l.name === 'engine-features');
          });
          out.released = !(await navigator.locks.query()).held.some((l) => l.name === 'engine-features');
        }
        return out;
      });
      assert.deepEqual(got, {
        wellFormed: [true, false, false], timeout: 'TimeoutError', over: 'QuotaExceededError', locks: true, held: true, released: true,
      });
      assert.deepEqual(tagMessages(v, 'error'), []);
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });

  test('the built wasm files validate in this engine with the features the build enables', async () => {
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery-plain'));
      // The light module and the full tag as served, compiled (not run): reference types
      // (externref tables), bulk memory, sign extension, non-trapping float-to-int, multivalue
      // and mutable globals are what scripts/build.sh lets wasm-opt use.
      const r = await v.page.evaluate(async () => Promise.all(['/dist/rtp_bg.wasm', '/dist/rtp_full_bg.wasm'].map(async (url) => {
        const bytes = await (await fetch(url)).arrayBuffer();
        const valid = WebAssembly.validate(bytes);
        const m = await WebAssembly.compile(bytes);
        return { valid, imports: WebAssembly.Module.imports(m).length > 0, exports: WebAssembly.Module.exports(m).some((e) => e.kind === 'memory') };
      })));
      assert.deepEqual(r, [{ valid: true, imports: true, exports: true }, { valid: true, imports: true, exports: true }]);
    } finally {
      await v.close();
    }
  });
});
