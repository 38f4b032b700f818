// The JS ↔ wasm protocol (js/PROTOCOL.md) against the JavaScript side and the real wasm: the
// glue's exports and their arguments, the verdict codes the wasm gives, what read() in
// js/host.js returns for each documented example, the lock and storage names the JS uses, and
// the stub's properties. tests/protocol.rs checks the same document against the Rust side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { read } from '../../js/host.js';
import { lightHost } from '../../js/light.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'js/PROTOCOL.md'), 'utf8');
const source = (f) => readFileSync(join(ROOT, f), 'utf8');

// The rows of the first table after `heading`: trimmed cells, backquotes removed.
function table(heading) {
  const at = DOC.indexOf(heading);
  assert.ok(at >= 0, `PROTOCOL.md has no ${heading}`);
  const lines = DOC.slice(at).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows = [];
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.replace(/^\||\|$/g, '').split('|').map((c) => c.trim().replace(/^`|`$/g, '')));
  }
  assert.ok(rows.length > 0, `the table after ${heading} is empty`);
  return rows;
}

test('the glue exports exactly the documented functions, with their arguments', async () => {
  const glue = await import(pathToFileURL(join(ROOT, 'dist/npm/rtp.js')));
  const exported = Object.keys(glue).filter((k) => k !== 'default' && k !== 'initSync').sort();
  const rows = table('## Exports of the wasm');
  assert.deepEqual(exported, rows.map((r) => r[0]).sort());
  for (const [name, args] of rows) {
    const params = /\(([^)]*)\)/.exec(glue[name].toString())[1].split(',').map((s) => s.trim()).filter(Boolean);
    assert.deepEqual(params, args.split(',').map((s) => s.trim()).filter(Boolean), name);
  }
});

test('the real wasm gives the documented verdict codes, in order', async () => {
  const glue = await import(pathToFileURL(join(ROOT, 'dist/npm/rtp.js')));
  glue.initSync({ module: readFileSync(join(ROOT, 'dist/npm/rtp_bg.wasm')) });
  assert.deepEqual(glue.codes().split(' '), table('## Verdicts').map((r) => r[1]));
});

// The light module's glue (a classic script, as dist/rtp.js embeds it), with its wasm.
function lightGlue() {
  const glue = new Function(`${source('target/bindgen-light/rtp.js')}\nreturn wasm_bindgen;`)();
  glue.initSync({ module: readFileSync(join(ROOT, 'dist/rtp_bg.wasm')) });
  return glue;
}

test('the light module exports exactly the documented functions, with their arguments, and the same codes', () => {
  const glue = lightGlue();
  const exported = Object.keys(glue).filter((k) => k !== 'initSync').sort();
  const rows = table('## Exports of the light module');
  assert.deepEqual(exported, rows.map((r) => r[0]).sort());
  for (const [name, args] of rows) {
    const params = /\(([^)]*)\)/.exec(glue[name].toString())[1].split(',').map((s) => s.trim()).filter(Boolean);
    assert.deepEqual(params, args.split(',').map((s) => s.trim()).filter(Boolean), name);
  }
  assert.deepEqual(glue.codes().split(' '), table('## Verdicts').map((r) => r[1]));
});

test("the light module's host has exactly the documented methods", () => {
  const host = lightHost({}, () => {}, () => {}, () => {});
  assert.deepEqual(Object.keys(host).sort(), table('The `host` that `boot` takes').map((r) => r[0]).sort());
  // The methods the wasm imports are the host's (the glue calls them by name).
  for (const m of Object.keys(host)) assert.ok(source('target/bindgen-light/rtp.js').includes(`.${m}(`), `the glue calls host.${m}`);  // Its effects' kinds are the Rust side's (`mod kind` in src/web/light.rs).
  const rust = [...source('src/web/light.rs').matchAll(/pub const (\w+): u32 = (\d+);/g)].map((m) => [m[2], m[1].toLowerCase()]);
  assert.deepEqual(table('The effects, by `kind`').map((r) => [r[0], r[1]]), rust);
});

test('read() returns what the documented examples say', () => {
  const rows = table('Examples (');
  assert.ok(rows.length >= 10);
  for (const [data, expected] of rows) {
    const value = new Function(`return ${data}`)();
    assert.equal(JSON.stringify(read(value)), expected, `read(${data})`);
  }
});

test('the shape constants in read() are the documented ones', () => {
  const c = Object.fromEntries(table('## customData shape').map((r) => [r[0], Number(r[1])]));
  // Each documented outcome, produced by read() itself.
  assert.deepEqual(read(null), [c.MISSING]);
  assert.deepEqual(read({ get value() { throw 0; } }), [c.UNREADABLE]);
  assert.deepEqual(read({ value: [1, 2, 3, 4, 5] }), [c.TOO_MANY]);
  assert.equal(read({ value: ['a', 'b', 'c', 'd'] })[0] & c.COUNT_MASK, 4);
  const long = 'x'.repeat(256);
  assert.equal(read({ value: ['a', 1, long, '\ud800'] })[0],
    4 + (c.NOT_TEXT << (c.FIELD_SHIFT + 2)) + (c.TOO_LONG << (c.FIELD_SHIFT + 4)) + (c.BROKEN_TEXT << (c.FIELD_SHIFT + 6)));
});

test('the JavaScript uses the documented lock and storage names', () => {
  const names = Object.fromEntries(table('## Names in the browser').map((r) => [r[0], r[1]]));
  const host = source('js/host.js');
  assert.ok(host.includes(`'${names.LOCK_PREFIX}'`), 'host.js requests the page lock');
  assert.ok(host.includes(`'${names.CLAIM_LOCK}'`), 'host.js claims under the claim lock');
  assert.ok(source('js/snippet.js').includes(`'${names.QUEUE_PREFIX}'`), 'the snippet keeps calls under the queue key');
  assert.ok(source('js/loader.js').includes(`'${names.PROBE_KEY}'`), 'the loader probes storage under the probe key');
});

test('the stub and queued calls carry only the documented properties', () => {
  const documented = new Set(table("## The page's `window.rtp`").map((r) => r[0]));
  const files = { 'js/loader.js': /\b(?:stub|live|first)\.([a-z])\b/g, 'js/snippet.js': /\br\.([a-z])\b/g, 'npm/index.js': /\b(?:mine|page)\.([a-z])\b/g, 'js/host.js': /\ba\.([a-z])\b/g };
  for (const [file, re] of Object.entries(files)) {
    const used = new Set([...source(file).matchAll(re)].map((m) => m[1]));
    assert.ok(used.size > 0, `${file}: no stub property found (the pattern is stale)`);
    for (const p of used) assert.ok(documented.has(p), `${file} uses rtp.${p}, which js/PROTOCOL.md does not document`);
  }
});
