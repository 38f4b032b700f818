// The outbox's stored form is versioned and read defensively: whatever the page (or an
// extension, or another version of the tag) left under the tag's keys is discarded with a
// console warning, never sent and never thrown, and the good records next to it are delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, flush } from './harness.mjs';
import { pageUrl, values, mark, assertDeliveredOnce, outboxKeys } from './delivery-support.mjs';

const collector = useCollector();

eachBrowser((ctx) => {
  test('corrupt and tampered stored content is discarded with a warning; a good stored event is delivered', { timeout: 30000 }, async () => {
    const start = await mark(collector);
    const [good] = values(ctx.name, 'stored next to garbage', 1);
    const v = await newVisitor(ctx.browser);
    try {
      // A page of the site without the tag plants what a gone page would leave, and garbage.
      await v.page.goto(pageUrl(collector, 'delivery-plain'));
      await v.page.evaluate((good) => {
        const id = crypto.randomUUID(); // a v4 UUID, as the tag's ids
        const event = JSON.stringify({ id, type: 'event', values: [good], account: null,
          session: '0d4c6f2e-1a2b-4c3d-8e4f-5a6b7c8d9e0f', time: Date.now(), url: location.href, referrer: '' });
        localStorage.setItem(`rtp:o:${id}`, `1|${Date.now()}|0|00000000deadbeef|${event}`);
        const other = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
        localStorage.setItem(`rtp:o:${other}`, `1|${Date.now()}|0|00000000deadbeef|{"id":"${other}","type":"event","values":["x"]`); // cut short
        localStorage.setItem('rtp:o:ffffffff-ffff-4fff-bfff-ffffffffffff', '9|future format');
        localStorage.setItem('rtp:o:not-an-id', '{}');
        localStorage.setItem('rtp:o:pause', '1|soon|x');
        localStorage.setItem('rtp:o:evicted', 'many');
        localStorage.setItem('rtp:q', '[{"0":"send","1":"event","2":{"value":["queued by an earlier page"]},"t":"yesterday"}, 5, null, "x"');
        localStorage.setItem('site key', 'kept');
      }, good);
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      await assertDeliveredOnce(collector, [good], { start });
      assert.equal(await flush(v.page), true);
      const warnings = v.console.filter((m) => m.type === 'warn' && m.text.startsWith('rtp: discarded'));
      assert.ok(warnings.length >= 4, JSON.stringify(v.console));
      const left = await v.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rtp:')).sort());
      assert.deepEqual(left, [], 'every tag key was read and removed');
      assert.equal(await v.page.evaluate(() => localStorage.getItem('site key')), 'kept');
      assert.deepEqual(await outboxKeys(v.page), []);
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });
});
