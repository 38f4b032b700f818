// Puts the built snippet (dist/snippet.min.js) into every page and document that inlines it,
// keeping each copy's own three arguments (loader URL, endpoint, account). Run after a change to
// js/snippet.js (`node scripts/inline-snippet.mjs`, or name the files);
// tests/e2e/build.test.mjs and delivery-leaving.test.mjs check the copies.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = readFileSync(join(root, 'dist/snippet.min.js'), 'utf8').trim();
const head = built.slice(0, built.indexOf('(window,document,') + '(window,document,'.length);
const copy = /\(function\(\w,\w,\w,\w,\w\)\{if\(typeof \w\.rtp=="function"\)return;[^\n]*?\}\)\(window,document,/g;
const html = (dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.html')).map((f) => `${dir}/${f}`);
const apps = ['examples/react-vite/both.html', 'examples/webpack-app/both.html']; // pages with the snippet and the npm package
const files = process.argv.length > 2 ? process.argv.slice(2) : [...html('examples'), ...apps, ...html('tests/e2e/pages'), 'README.md'];
for (const f of files) {
  const path = join(root, f);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(copy, () => head);
  if (next !== text) writeFileSync(path, next);
  console.log(`${next !== text ? 'updated' : 'unchanged'} ${f}`);
}
