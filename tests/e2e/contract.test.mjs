// What the tag really sends validates against the published contract, collector/batch.schema.json,
// checked by an independent JSON Schema validator (ajv), so the schema file, the collector's own
// validator and the tag cannot drift apart unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { ROOT, useCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush } from './harness.mjs';

const schema = JSON.parse(readFileSync(join(ROOT, 'collector/batch.schema.json'), 'utf8'));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

const collector = useCollector();

test('the schema refuses what the contract forbids', () => {
  const event = {
    id: '3ed696cf-4b2e-4e5a-8b11-82c9f06ad7d6', type: 'event', values: ['a'], account: null,
    session: '0d4c6f2e-1a2b-4c3d-8e4f-5a6b7c8d9e0f', time: 1, url: 'http://x/', referrer: '',
  };
  assert.ok(validate({ v: 1, sent: 1, events: [event] }), JSON.stringify(validate.errors));
  const bad = [
    { ...event, values: ['a', 'b', 'c', 'd', 'e'] },
    { ...event, values: [''] },
    { ...event, values: ['x'.repeat(256)] },
    { ...event, type: 'view' },
    { ...event, id: 'not-a-uuid' },
    { ...event, extra: 1 },
  ];
  for (const e of bad) assert.equal(validate({ v: 1, sent: 1, events: [e] }), false, JSON.stringify(e));
});

eachBrowser((ctx) => {
  test('every event the tag sent validates against collector/batch.schema.json', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/examples/rtp-style.html', collector.url).href);
    await tagLoaded(v.page);
    await v.page.evaluate(() => {
      rtp('send', 'event', { value: ['quote " and \\ backslash', 'tab\tnew\nline', 'é😀\u2028', 'x'.repeat(255)] });
      rtp('send', 'view', 'https://example.com/override');
    });
    await v.page.goto(collector.url); // the documented uses, on a second page of the session
    await tagLoaded(v.page);
    await v.page.click('#download-whitepaper');
    assert.equal(await flush(v.page), true);
    // The first page's batch left by keepalive as the page was left: it may arrive after this
    // page's flush. Wait for all six.
    const sid = await sessionId(v.page);
    const events = (await collector.until(async () => {
      const got = await collector.events(sid);
      return got.length >= 6 && got;
    }, 10000, 'the six events of the two pages')).map(({ received, ...e }) => e);
    assert.equal(events.length, 6);
    // Found by its first value: two pages' batches may arrive in either order.
    const special = events.find((e) => e.values && e.values[0] === 'quote " and \\ backslash');
    assert.deepEqual(special && special.values, ['quote " and \\ backslash', 'tab\tnew\nline', 'é😀\u2028', 'x'.repeat(255)]);
    const ok = validate({ v: 1, sent: Date.now(), events });
    assert.ok(ok, JSON.stringify(validate.errors));
    await v.close();
  });
});
