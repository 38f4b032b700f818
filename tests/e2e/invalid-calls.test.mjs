// Invalid calls: nothing reaches the collector, the call returns a verdict, the console says why,
// and nothing throws; rtp() never throws for any input, before or after the tag loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush, tagMessages } from './harness.mjs';

const collector = useCollector();

const CASES = [
  ['#five', 'too_many_values', 'at most 4 values per call'],
  ['#number', 'not_a_string', 'must be a string or an array of 1 to 4 strings'],
  ['#empty', 'empty_value', 'empty (or blank) string'],
  ['#long', 'value_too_long', 'longer than 255 characters'],
  ['#missing', 'missing_value', 'customData needs a value'],
];

// Arguments no page should pass, evaluated in the page. Each must return, never throw.
const HOSTILE = `[
  [], [null], [undefined], [42], [Symbol('s')], [10n], [{}], [[]], [() => 1],
  ['send'], ['send', 'event'], ['send', 'event', null], ['send', 'event', Symbol('v')],
  ['send', 'event', {value: Symbol('v')}], ['send', 'event', {value: [1, 2]}],
  ['send', 'event', {get value() { throw new Error('getter'); }}],
  ['send', 'event', new Proxy({}, {get() { throw new Error('trap'); }})],
  ['send', 'event', (() => { const p = Proxy.revocable([], {}); p.revoke(); return {value: p.proxy}; })()],
  ['send', 'event', {value: {toString() { throw new Error('toString'); }}}],
  ['send', 'event', {value: 'x'.repeat(1 << 20)}], ['send', 'event', {value: '\\uD800'}],
  ['send', 'event', {value: new Array(3)}], ['send', 'view', 42], ['setAccount'], ['setAccount', {}],
  ['set', 'endpoint', 7], ['set', 'nope', 1], ['get', 'campaign', true], ['flush', 42],
  [{action: 'send'}, {}, {}, {}, {}, {}],
]`;

eachBrowser((ctx) => {
  test('invalid calls deliver nothing, return their verdict and log why', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/examples/invalid.html', collector.url).href);
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    for (const [button, verdict, message] of CASES) {
      await v.page.click(button);
      const shown = await v.page.$eval(button, (b) => b.parentNode.nextElementSibling.textContent);
      assert.equal(shown, verdict, button);
      assert.ok(tagMessages(v, 'warn').some((m) => m.text.includes(message)), `console says: ${message}`);
    }
    assert.equal(await flush(v.page), true);
    assert.deepEqual(await collector.events(sid), []);
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('an endpoint that is not https: or loopback is refused; events still go to the last good one', async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(collector.url);
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);
    const verdicts = await v.page.evaluate(() => [
      rtp('set', 'endpoint', 'http://collect.example.com/rtp'),
      rtp('set', 'endpoint', 'https://user:pw@collect.example.com/rtp'),
      rtp('send', 'event', { value: 'after a refused endpoint' }),
    ]);
    assert.deepEqual(verdicts, ['insecure_endpoint', 'bad_endpoint', 'accepted']);
    assert.equal(await flush(v.page), true);
    assert.ok((await collector.events(sid)).some((e) => e.values && e.values[0] === 'after a refused endpoint'));
    assert.ok(tagMessages(v, 'warn').some((m) => m.text.includes('use https:')));
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test('rtp() never throws, whatever it is given, before and after the tag loaded', async () => {
    const v = await newVisitor(ctx.browser);
    // Held back 1.5 s, so the first round goes to the snippet's stub.
    await v.page.goto(new URL('/test-pages/early.html', collector.url).href, { waitUntil: 'domcontentloaded' });
    assert.equal(await isStub(v.page), true);
    const run = `(${HOSTILE}).map((args) => { try { return typeof rtp.apply(null, args); } catch (e) { return 'THREW ' + e; } })`;
    const before = await v.page.evaluate(run);
    assert.ok(before.every((r) => !r.startsWith('THREW')), before.join());
    await tagLoaded(v.page);
    const after = await v.page.evaluate(run);
    assert.ok(after.every((r) => !r.startsWith('THREW')), after.join());
    // After load every call answers a verdict (a string; a Promise for flush).
    assert.ok(after.every((r) => r === 'string' || r === 'object'), after.join());
    // A valid call made among them still arrives.
    await v.page.evaluate(() => rtp('send', 'event', { value: 'valid among hostile' }));
    assert.equal(await flush(v.page), true);
    const values = (await collector.events(await sessionId(v.page))).map((e) => e.values);
    assert.deepEqual(values, [['early inline'], ['valid among hostile']]);
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});
