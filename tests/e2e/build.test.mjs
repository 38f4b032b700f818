// The script-tag build: size budgets (bytes are deterministic, so they are asserted here) and
// the snippet in the example pages being exactly the built one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import { BUDGETS } from '../../scripts/size-report.mjs';

const read = (f) => readFileSync(join(ROOT, f));

const gz = (f) => gzipSync(read(f), { level: 9 }).length;

test('a clean page load (the loader and the light module) fits its gzip budget', () => {
  const total = gz('dist/rtp_bg.wasm') + gz('dist/rtp.js');
  assert.ok(total <= BUDGETS.cleanGzip, `clean page load = ${total} B gzip > ${BUDGETS.cleanGzip}`);
});

test('the full tag (its glue and wasm) fits its gzip budget', () => {
  const total = gz('dist/rtp_full_bg.wasm') + gz('dist/rtp_full.js');
  assert.ok(total <= BUDGETS.fullGzip, `full tag = ${total} B gzip > ${BUDGETS.fullGzip}`);
});

test(`the inline snippet is at most ${BUDGETS.snippetRaw} bytes minified`, () => {
  const snippet = read('dist/snippet.min.js');
  assert.ok(snippet.length <= BUDGETS.snippetRaw, `${snippet.length} B`);
  assert.ok(snippet.length > 100, 'a real snippet');
});

test('every page that includes the snippet inlines the built one verbatim (only its three arguments differ)', () => {
  const built = read('dist/snippet.min.js').toString();
  const shape = built.replace(/"LOADER_URL","ENDPOINT_URL","ACCOUNT_ID"\);$/, '');
  assert.notEqual(shape, built, 'the built snippet ends with its three arguments');
  // The example pages (and the example apps' pages with the script tag too), and the test pages
  // but delivery-plain.html (a page of the site without the tag, on purpose), npm-views.html
  // (the npm package alone), sri.html (the pinned form, without the snippet) and the
  // dropin-vendor-* pages (the RTP tag's own snippet). scripts/inline-snippet.mjs updates them all.
  const pages = (dir, skip = []) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.html') && !skip.includes(f) && !f.startsWith('dropin-vendor-')).map((f) => join(dir, f));
  // examples/rtp-style.html carries the RTP tag's own snippet (README, "Migrating from the RTP tag").
  const examples = [...pages('examples', ['rtp-style.html']), 'examples/react-vite/both.html', 'examples/webpack-app/both.html'];
  assert.ok(examples.length >= 4);
  for (const page of [...examples, ...pages('tests/e2e/pages', ['delivery-plain.html', 'npm-views.html', 'sri.html'])]) {
    assert.ok(read(page).toString().includes(shape), `${page} inlines the built snippet`);
  }
});
