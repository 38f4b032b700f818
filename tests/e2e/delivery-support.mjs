// Shared by the delivery tests (issue 3): the test pages, and the assertions that say exactly
// which events arrived and how many times. The collector is shared by the tests of a file,
// so every test uses values of its own (its browser and scenario in each value) and checks
// them across every session, not only its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** URL of a delivery test page (tests/e2e/pages/NAME.html) on the collector's origin. */
export function pageUrl(collector, name) {
  return new URL(`/test-pages/${name}.html`, collector.url).href;
}

/** `n` distinct event values, e.g. `values('firefox', 'offline', 5)`. */
export function values(browser, scenario, n) {
  return Array.from({ length: n }, (_, i) => `${browser} ${scenario} #${i + 1}`);
}

/** Every event the collector accepted, from every session, in arrival order. */
export async function allEvents(collector) {
  return (await fetch(new URL('/events', collector.url))).json();
}

/** What a test starts from: the collector's duplicate counter, and the time (ms). */
export async function mark(collector) {
  return { duplicates: (await collector.stats()).duplicates, t: Date.now() };
}

/** Sends each value with rtp() in the page, in one task; resolves to the verdicts. */
export function send(page, vals) {
  return page.evaluate((vals) => vals.map((v) => window.rtp('send', 'event', { value: v })), vals);
}

/**
 * The events the tag holds in its outbox in localStorage, as `rtp:o:<event id>` each. Records
 * are stored in groups (src/record.rs): a key `rtp:o:<id of the first>` holds one record per
 * line, `1|created|attempts|owner|{"id":"<event id>",…`.
 */
export function outboxKeys(page) {
  return page.evaluate(() => Object.keys(localStorage)
    .filter((k) => /^rtp:o:[0-9a-f]{8}-[0-9a-f-]{27}$/.test(k))
    .flatMap((k) => (localStorage.getItem(k) || '').split('\n').map((line) => {
      const id = /^1\|\d+\|\d+\|[0-9a-f]+\|\{"id":"([0-9a-f-]{36})"/.exec(line);
      return id ? 'rtp:o:' + id[1] : 'rtp:o:<not a record: ' + line.slice(0, 40) + '>';
    })));
}

/** The event ids in the outbox (see `outboxKeys`). */
export async function outboxIds(page) {
  return (await outboxKeys(page)).map((k) => k.slice('rtp:o:'.length));
}

/** Calls the snippet stored for the next page (keys `rtp:q`, `rtp:q:<random>`) and not yet replayed. */
export function storedCalls(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => /^rtp:q(:|$)/.test(k)).flatMap((k) => {
    const text = localStorage.getItem(k);
    try {
      const calls = JSON.parse(text);
      return Array.isArray(calls) ? calls.map((c) => `${k}: ${JSON.stringify(c)}`) : [`${k}: ${text}`];
    } catch (e) {
      return [`${k}: ${text}`];
    }
  }));
}

/** Records the page's requests to collect (fetch and beacon alike) as the browser makes them. */
export function watchCollectRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/collect')) seen.push({ t: Date.now(), method: r.method() });
  });
  return seen;
}

/** Attempts (/requests) that carried any of `ids`. */
export async function attemptsFor(collector, ids) {
  const wanted = new Set(ids);
  return (await collector.requests()).filter((r) => r.ids.some((id) => wanted.has(id)));
}

/** Waits until every value has arrived at the collector, in any session. */
export async function untilArrived(collector, vals, ms, what = 'the events') {
  let missing = vals;
  try {
    return await collector.until(async () => {
      const got = new Set((await allEvents(collector)).map((e) => e.values && e.values[0])); // views have none
      missing = vals.filter((v) => !got.has(v));
      return missing.length === 0;
    }, ms, `${what} (${vals.length}) at the collector`);
  } catch (e) {
    // Say what is missing, and what the collector saw lately, to tell a lost event from a slow one.
    const recent = (await collector.requests()).slice(-8)
      .map((r) => `${new Date(r.t).toISOString().slice(11, 23)} ${r.status} ${r.fault || ''} ${r.fetch_mode} ${r.ids.length} ids`);
    throw new Error(`${e.message}: ${missing.length} missing (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); `
      + `last attempts: ${recent.join('; ')}; now ${new Date().toISOString().slice(11, 23)}`);
  }
}

/**
 * Waits until every value has arrived, then checks it arrived exactly once: one event per
 * value across all sessions (the tag did not make a second event of it), one acknowledged
 * request per event id (the tag did not resend after an acknowledgement), no repeat dropped
 * by the collector since `start`, and, if `session` is given, exactly these values in that
 * session. Returns the events, in the order of `vals`.
 */
export async function assertDeliveredOnce(collector, vals, { start, session, ms = 15000, what } = {}) {
  await untilArrived(collector, vals, ms, what);
  const all = await allEvents(collector);
  const events = vals.map((v) => {
    const found = all.filter((e) => e.values && e.values.length === 1 && e.values[0] === v);
    assert.equal(found.length, 1, `"${v}" arrived ${found.length} times (as ids ${found.map((e) => e.id).join(', ')})`);
    return found[0];
  });
  const ids = events.map((e) => e.id);
  const acked = (await attemptsFor(collector, ids)).filter((r) => r.status >= 200 && r.status < 300);
  for (const id of ids) {
    const n = acked.filter((r) => r.ids.includes(id)).length;
    assert.equal(n, 1, `event ${id} was in ${n} acknowledged requests: ${JSON.stringify(acked)}`);
  }
  // The collector's NDJSON log (one accepted event per line) holds each id once too.
  const logged = readFileSync(collector.log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
  for (const id of ids) {
    assert.equal(logged.filter((x) => x === id).length, 1, `event ${id} in the NDJSON log`);
  }
  if (start) {
    const { duplicates } = await collector.stats();
    assert.equal(duplicates - start.duplicates, 0, 'repeats dropped by the collector during this test');
  }
  if (session) {
    const mine = (await collector.events(session)).map((e) => e.values.join('|'));
    assert.deepEqual([...mine].sort(), [...vals].sort(), `the events of session ${session}`);
  }
  return events;
}

/** Waits until a console message of `type` from the tag (starting "rtp"), matching `pattern`. */
export function untilMessage(collector, visitor, type, pattern = /./, what = `a console.${type} from the tag`) {
  return collector.until(
    () => visitor.console.find((m) => m.type === type && m.text.startsWith('rtp') && pattern.test(m.text)),
    10000, `${what} (console so far: ${JSON.stringify(visitor.console.filter((m) => m.text.startsWith('rtp')))})`,
  );
}

/**
 * Waits until `n` events are stored in the outbox (read through `page`) and the collector has
 * seen a failed attempt for each, one that `failed(attempt)` recognises; resolves to their ids.
 */
export async function untilStoredAndFailed(collector, page, n, failed) {
  const ids = await collector.until(async () => {
    const ids = await outboxIds(page);
    return ids.length === n && ids;
  }, 10000, `${n} events in the outbox`);
  await collector.until(async () => {
    const tried = await attemptsFor(collector, ids);
    return ids.every((id) => tried.some((r) => r.ids.includes(id) && failed(r)));
  }, 10000, 'a failed attempt for each event');
  return ids;
}

/** Waits until the tag's outbox in localStorage is empty (every event acknowledged). */
export function untilOutboxEmpty(collector, page, ms = 10000) {
  return collector.until(async () => (await outboxKeys(page)).length === 0, ms, 'an empty outbox in localStorage');
}
