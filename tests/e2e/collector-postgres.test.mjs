// The tag posting to a collector on the PostgreSQL sink while the database is down for 10 s
// (issue 14): the collector answers 503 + Retry-After (nothing acknowledged that was not
// committed), the tag keeps the events and retries, and once the database is back every event
// is a row of rtp_events, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCollector, eachBrowser, newVisitor, tagLoaded, sessionId, flush, sleep } from './harness.mjs';
import { pageUrl, values, attemptsFor, allEvents } from './delivery-support.mjs';
import { startPostgres } from './postgres.mjs';

let pg;
const collector = {};
before(async () => {
  pg = await startPostgres();
  Object.assign(collector, await startCollector({ sink: pg.url }));
});
after(async () => {
  collector.stop();
  await pg.close();
});

eachBrowser((ctx) => {
  test('the database down for 10 s while 30 events are sent: each is one row after recovery', { timeout: 120000 }, async () => {
    const vals = values(ctx.name, 'postgres outage', 30);
    const v = await newVisitor(ctx.browser);
    try {
      await v.page.goto(pageUrl(collector, 'delivery'));
      await tagLoaded(v.page);
      assert.equal(await flush(v.page), true);
      const session = await sessionId(v.page);

      await pg.stop();
      const down = Date.now();
      // One event every 100 ms: the 30 calls span the first 3 s of the outage.
      const verdicts = await v.page.evaluate(async (vals) => {
        const out = [];
        for (const value of vals) {
          out.push(window.rtp('send', 'event', { value }));
          await new Promise((r) => setTimeout(r, 100));
        }
        return out;
      }, vals);
      assert.deepEqual(verdicts, vals.map(() => 'accepted'));
      await collector.until(async () => (await collector.requests()).some((r) => r.t >= down && r.status === 503), 15000, 'a 503 during the outage');
      await sleep(Math.max(0, down + 10000 - Date.now())); // the scenario: 10 s without the database
      await pg.start();

      const rowsOf = async () => pg.query(`SELECT "values"->>0 FROM rtp_events WHERE session = '${session}'`);
      await collector.until(async () => (await rowsOf()).length >= vals.length, 90000, 'the 30 events in rtp_events');
      assert.equal(await flush(v.page), true);
      const rows = (await rowsOf()).map((r) => r[0]);
      assert.deepEqual([...rows].sort(), [...vals].sort(), 'each event is one row');

      const events = (await allEvents(collector)).filter((e) => e.session === session);
      const ids = events.map((e) => e.id);
      const tried = await attemptsFor(collector, ids);
      assert.ok(tried.some((r) => r.status === 503), 'the outage refused attempts');
      const acked = tried.filter((r) => r.status === 200);
      for (const id of ids) assert.equal(acked.filter((r) => r.ids.includes(id)).length, 1, `event ${id} acknowledged once`);
      assert.deepEqual(v.errors, []);
    } finally {
      await v.close();
    }
  });
});
