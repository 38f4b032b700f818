// Subresource Integrity (issue 6): dist/sri.json holds the integrity attribute of the loader and
// of the wasm files, and the loader fetches the light module and the full tag's wasm with their
// hashes, and the full tag's glue pinned when it is, so pinning the loader pins all four (the
// first test's flush loads the full tag: issue 13).
// A loader or a wasm that does not match is refused by the browser: the stub stays, nothing
// throws, and nothing is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush, tagMessages } from './harness.mjs';

const collector = useCollector();
const SRI = JSON.parse(readFileSync(join(ROOT, 'dist/sri.json'), 'utf8'));
const TAMPERED = join(ROOT, 'dist/sri-tampered'); // the loader as built, beside a wasm with one byte changed

before(() => {
  mkdirSync(TAMPERED, { recursive: true });
  copyFileSync(join(ROOT, 'dist/rtp.js'), join(TAMPERED, 'rtp.js'));
  const wasm = readFileSync(join(ROOT, 'dist/rtp_bg.wasm'));
  wasm[wasm.length - 1] ^= 1;
  writeFileSync(join(TAMPERED, 'rtp_bg.wasm'), wasm);
});
after(() => rmSync(TAMPERED, { recursive: true, force: true }));

const pinned = (src, integrity, early) => new URL(`/test-pages/sri.html?${new URLSearchParams({ src, integrity, ...(early && { early }) })}`, collector.url).href;

eachBrowser((ctx) => {
  test('dist/sri.json matches the files, and a page that pins the loader gets the tag', async () => {
    const { createHash } = await import('node:crypto');
    for (const f of ['rtp.js', 'rtp_bg.wasm', 'rtp_full.js', 'rtp_full_bg.wasm']) {
      assert.equal(SRI[f], `sha384-${createHash('sha384').update(readFileSync(join(ROOT, 'dist', f))).digest('base64')}`, f);
    }
    for (const f of ['rtp_bg.wasm', 'rtp_full.js', 'rtp_full_bg.wasm']) {
      assert.ok(readFileSync(join(ROOT, 'dist/rtp.js'), 'utf8').includes(SRI[f]), `the loader carries the hash of ${f}`);
    }
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pinned('/dist/rtp.js', SRI['rtp.js']));
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    assert.equal(await flush(v.page), true);
    assert.deepEqual((await collector.events(sid)).map((e) => e.values), [['sent before the pinned tag loaded']]);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('a loader whose hash does not match is refused: the stub stays and nothing throws', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pinned('/dist/rtp.js', SRI['rtp_bg.wasm'] /* the wrong file's hash */));
    await v.page.waitForFunction(() => window.loaderRefused === true, { timeout: 15000 });
    assert.equal(await isStub(v.page), true);
    assert.equal(await v.page.evaluate(() => typeof rtp('send', 'event', { value: 'still queued' })), 'undefined');
    assert.deepEqual(ours(v.errors), []);
    await v.close();
  });

  test('a wasm that does not match the hash the loader carries is refused, with a console error', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(pinned('/dist/sri-tampered/rtp.js', SRI['rtp.js']));
    await collector.until(async () => tagMessages(v, 'error').length > 0, 10000, 'the console error');
    assert.ok(tagMessages(v, 'error')[0].text.startsWith('rtp: the tag failed; calls stay queued'));
    assert.equal(await isStub(v.page), true);
    assert.deepEqual(ours(v.errors), []);
    await v.close();
  });

  test('a pinned loader fetches the wasm with its hash even when the page requested it early: a tampered wasm is still refused', async () => {
    const v = await newVisitor(ctx.browser);
    const since = collector.accessLog().length;
    await v.page.goto(pinned('/dist/sri-tampered/rtp.js', SRI['rtp.js'], '1'));
    await collector.until(async () => tagMessages(v, 'error').length > 0, 10000, 'the console error');
    assert.ok(tagMessages(v, 'error')[0].text.startsWith('rtp: the tag failed; calls stay queued'));
    assert.equal(await isStub(v.page), true);
    // the page's early request (unused) and the loader's own, with the hash
    assert.equal(collector.gets('/dist/sri-tampered/rtp_bg.wasm', since), 2);
    assert.deepEqual(ours(v.errors), []);
    await v.close();
  });
});

// Page errors but the browser's own report of the integrity failure (Firefox logs it as one).
function ours(errors) {
  return errors.filter((e) => !e.includes('hashes in the integrity attribute'));
}
