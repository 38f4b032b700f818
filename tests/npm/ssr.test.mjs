// The packed npm package (dist/rtp-tag-<version>.tgz), installed the way an app gets it, in
// Node: a server-side render imports it without throwing, and its calls do nothing.
// The tarball is extracted into a temporary app's node_modules (no network), and imported by
// name from a script of that app, so its package.json `exports` map is what resolves it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tarballs = readdirSync(join(ROOT, 'dist')).filter((f) => /^rtp-tag-.*\.tgz$/.test(f));
let app, pkg;

before(() => {
  assert.equal(tarballs.length, 1, 'one packed tarball in dist/ (make build)');
  app = mkdtempSync(join(tmpdir(), 'rtp-ssr-'));
  pkg = join(app, 'node_modules', 'rtp-tag');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(ROOT, 'dist', tarballs[0]), '-C', pkg, '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), '{"name":"ssr-app","private":true,"type":"module"}\n');
});

after(() => rmSync(app, { recursive: true, force: true }));

// Runs `body` as an ES module of the app, in a fresh Node, and returns what it printed as JSON.
function inApp(body) {
  writeFileSync(join(app, 'server.mjs'), body);
  return JSON.parse(execFileSync(process.execPath, ['server.mjs'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

test('the tarball holds the package and nothing else', () => {
  const files = readdirSync(pkg).sort();
  assert.deepEqual(files, ['LICENSE', 'README.md', 'host.js', 'index.d.ts', 'index.js', 'package.json', 'rtp.js', 'rtp_bg.wasm', 'views.js']);
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'rtp-tag');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.license, 'MIT');
  assert.equal(manifest.types, './index.d.ts');
  assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './index.js' });
  assert.equal(manifest.scripts, undefined, 'no install scripts');
});

test('importing the package on a server does not throw and touches no global', () => {
  const r = inApp(`
    const before = Object.keys(globalThis).sort();
    const m = await import('rtp-tag');
    const after = Object.keys(globalThis).sort();
    console.log(JSON.stringify({ exports: Object.keys(m).sort(), window: typeof window, same: before.join() === after.join() }));
  `);
  assert.deepEqual(r.exports, ['configure', 'flush', 'rtp', 'trackViews']);
  assert.equal(r.window, 'undefined');
  assert.ok(r.same, 'no global added at import');
});

test('on a server, calls are no-ops: rtp() returns undefined, flush() resolves true, trackViews() does nothing', () => {
  const r = inApp(`
    import { rtp, configure, flush, trackViews } from 'rtp-tag';
    const verdicts = [
      rtp('send', 'event', { value: 'MyEvent' }),
      rtp('send', 'event', { value: ['a', 'b', 'c', 'd', 'e'] }),
      rtp('send', 'view'),
      rtp('set', 'endpoint', 'https://collect.example.com/rtp'),
      rtp(),
    ];
    const configured = configure({ endpoint: 'https://collect.example.com/rtp', account: 'a', debug: true });
    configure(null);
    configure({ get endpoint() { throw new Error('a getter that throws'); } });
    const flushed = await flush();
    const stop = trackViews();
    stop();
    trackViews({ get hash() { throw new Error('a getter that throws'); } })();
    console.log(JSON.stringify({ verdicts: verdicts.map(String), configured: String(configured), flushed, stop: typeof stop, rtp: typeof globalThis.rtp, history: typeof globalThis.history }));
  `);
  assert.deepEqual(r.verdicts, ['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  assert.equal(r.configured, 'undefined');
  assert.equal(r.flushed, true);
  assert.equal(r.stop, 'function', 'trackViews() returns a stop function on a server too');
  assert.equal(r.history, 'undefined');
  assert.equal(r.rtp, 'undefined', 'no window.rtp on a server');
});
