// A generated corpus of more than 10,000 hostile rtp() calls (issue 6; tests/e2e/corpus.mjs
// builds it and its oracle), run in both browsers. For every call: no exception escapes, the
// verdict is the documented one, nothing invalid reaches the collector, and the valid calls
// mixed in all arrive, once. The same corpus, cut short, is also called before the tag loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useCollector, eachBrowser, newVisitor, tagLoaded, isStub, sessionId, flush, tagMessages } from './harness.mjs';
import { generate, census, tokens, MESSAGES, POLLUTIONS } from './corpus.mjs';

const collector = useCollector();

const CORPUS = generate();
// Calls made before the tag loads: no pollution or consent sections (they are set and undone
// around live calls), no disputed verdicts (the warnings of the replay are counted), one 1 MB
// string.
const EARLY = generate({ seed: 0xea71, count: 300, tag: 'early ', sections: false, slow: 1, disputed: false });
// A run with the page's real console, of the calls whose third argument (the warning's detail)
// Firefox's WebDriver BiDi can report: it drops a console message whose argument is a revoked
// Proxy, a Proxy whose trap throws, or has a getter that throws (it runs getters), as measured
// with console.warn alone, without the tag; and it stalls on arrays of a billion holes (see
// runSource). No 1 MB strings either.
const REAL_CONSOLE = generate({
  seed: 0xc0de, count: 600, tag: 'console ', sections: false, slow: 0, disputed: false,
  keep: (c) => c.cat !== 'too-many-unread' && !/Proxy|get value|get\(|defineProperty/.test(c.src),
});
const CHUNK = 500; // calls per page.evaluate, in one task
// A page may send 2,000 events at once, then 10/s (README "Rate limit"): the corpus accepts
// more, so it is spread over pages of the one visitor session (the ledger goes on), at most
// this many accepted sends each.
const PER_PAGE = 1500;

/**
 * Page source that makes each call of `cases` in one task, each in its own try/catch, and
 * resolves to the verdicts ('THREW ...' for an exception that escaped rtp(), 'SETUP ...' for
 * a case whose arguments could not be built), then (`live`) waits for rtp('flush'), so that the
 * outbox never holds more than one chunk's events (it evicts past 1,000).
 * `pollution` names what Object.prototype.value holds during the calls (POLLUTIONS): installed
 * before them, removed before anything else runs (the tag's pump is a microtask after them).
 * `record`: console.warn and console.debug are replaced, during the calls only, by functions
 * that record what each call logged (in `logs`, one string per call: a line per message, and
 * whether a warning's detail is the call's third argument). Not for speed in Chromium (the
 * corpus with the real console takes about as long), but because Firefox's WebDriver BiDi
 * serialises every console argument eagerly: console.warn('x', new Array(1e7)) alone stalls it
 * (measured: 1e5 elements 0.6 s, 1e7 over 15 s), with or without the tag, and the corpus passes
 * arrays of length 2^32 - 1. The real console is checked by the third test below.
 */
function runSource(cases, { pollution = 'none', live = true, record = true } = {}) {
  const p = POLLUTIONS[pollution];
  return `(async () => {
  window.__rtpInner = window.__rtpInner || [];
  const show = (r) => typeof r === 'string' ? r : r === undefined ? 'undefined' : r instanceof Promise ? 'promise' : 'other ' + typeof r;
  const text = (e) => { try { return String(e); } catch (_) { try { return typeof e; } catch (_) { return '?'; } } };
  const builders = [
${cases.map((c) => `() => (${c.src})`).join(',\n')}
  ];
  const out = [], logs = [], real = [console.warn, console.debug];
  let log = [], args;
  if (${record}) {
    console.warn = function (m, d) { log.push('warn ' + m + (arguments.length === 2 && Object.is(d, args[2]) ? '' : ' [detail is not the third argument]')); };
    console.debug = function (m) { log.push('debug ' + m); };
  }
  ${p.install}
  try {
    for (let i = 0; i < builders.length; i++) {
      log = [];
      try { args = builders[i](); } catch (e) { out.push('SETUP ' + text(e)); logs.push(''); continue; }
      try { out.push(show(window.rtp.apply(null, args))); } catch (e) { out.push('THREW ' + text(e)); }
      logs.push(log.join('\\n'));
    }
  } finally {
    ${p.remove}
    [console.warn, console.debug] = real;
  }
  return { out, logs, flushed: ${live ? "await window.rtp('flush')" : 'null'} };
})()`;
}

/**
 * What each call logged is what its verdict says: a rejection warns once, with its message and
 * the offending value (the third argument); a repeat, an ignored command and a refusal by
 * consent say so at debug level; nothing else warns. Returns the calls that logged otherwise.
 */
function misLogged(cases, got, logs) {
  const bad = [];
  cases.forEach((c, i) => {
    const lines = logs[i] ? logs[i].split('\n') : [];
    const warns = lines.filter((l) => l.startsWith('warn '));
    const debug = lines.filter((l) => l.startsWith('debug '));
    const g = got[i];
    let ok;
    if (MESSAGES[g]) {
      ok = warns.length === 1 && warns[0].includes(MESSAGES[g]) && !warns[0].endsWith(']');
    } else {
      ok = warns.length === 0;
    }
    if (g === 'duplicate') ok &&= debug.some((l) => l.includes('already sent in this session'));
    if (g === 'ignored') ok &&= debug.some((l) => l.includes('command ignored'));
    if (g === 'no_consent') ok &&= debug.some((l) => l.includes('consent denied'));
    if (!ok) bad.push(`${g}: ${JSON.stringify(lines)} <- ${show(c)}`);
  });
  return bad;
}

/** Consecutive runs of at most CHUNK cases that share a section. */
function chunks(cases) {
  const out = [];
  for (const c of cases) {
    const last = out[out.length - 1];
    if (last && last[0].section === c.section && last.length < CHUNK) last.push(c);
    else out.push([c]);
  }
  return out;
}

const allowed = (c, got) => [].concat(c.expect).includes(got);
const key = (values) => JSON.stringify(values);
const show = (c) => `#${c.i} [${c.cat}] ${c.src.length > 300 ? c.src.slice(0, 300) + '…' : c.src}`;

/** Sorted multisets compared: what is missing, what is unexpected (at most `n` of each). */
function difference(want, got, n = 10) {
  const count = (xs) => xs.reduce((m, x) => m.set(x, (m.get(x) || 0) + 1), new Map());
  const [w, g] = [count(want), count(got)];
  const missing = [...w].filter(([x, k]) => (g.get(x) || 0) < k).map(([x]) => x);
  const extra = [...g].filter(([x, k]) => (w.get(x) || 0) < k).map(([x]) => x);
  return missing.length || extra.length
    ? `${missing.length} missing, e.g. ${missing.slice(0, n).join(' ; ')}\n${extra.length} unexpected, e.g. ${extra.slice(0, n).join(' ; ')}`
    : '';
}

/** The collector's events of a session: event values and view URLs, each sorted. */
async function received(sid) {
  const events = await collector.events(sid);
  return {
    values: events.filter((e) => e.type === 'event').map((e) => key(e.values)).sort(),
    views: events.filter((e) => e.type === 'view').map((e) => e.url).sort(),
  };
}

eachBrowser((ctx) => {
  test(`${CORPUS.length} hostile calls: none throws, each gets its documented verdict, only the valid ones arrive`, { timeout: 120000 }, async (t) => {
    const started = Date.now();
    const v = await newVisitor(ctx.browser);
    const page = new URL('/test-pages/delivery.html', collector.url).href;
    await v.page.goto(page);
    await tagLoaded(v.page);
    const sid = await sessionId(v.page);

    const got = [];
    const logs = [];
    const flushed = [];
    const innerGot = [];
    let pages = 1;
    let sent = 0;
    for (const run of chunks(CORPUS)) {
      const need = run.reduce((k, c) => k + tokens(c), 0);
      if (sent + need > PER_PAGE) {
        await v.page.goto(page); // the next page of the site: a new rate limit, the same session
        await tagLoaded(v.page);
        pages++;
        sent = 0;
      }
      sent += need;
      const r = await v.page.evaluate(runSource(run, { pollution: run[0].pollution }));
      got.push(...r.out);
      logs.push(...r.logs);
      flushed.push(r.flushed);
      innerGot.push(...(await v.page.evaluate(() => window.__rtpInner.splice(0))));
    }
    assert.equal(await sessionId(v.page), sid, 'one visitor session throughout');
    const calls = Date.now() - started;
    assert.equal(got.length, CORPUS.length);

    const escaped = CORPUS.map((c, i) => [c, got[i]]).filter(([, g]) => /^(THREW|SETUP) /.test(g));
    assert.deepEqual(escaped.map(([c, g]) => `${g} <- ${show(c)}`), [], 'no exception escapes rtp()');
    const wrong = CORPUS.map((c, i) => [c, got[i]]).filter(([c, g]) => !allowed(c, g));
    assert.equal(wrong.length, 0, `${wrong.length} verdicts differ from the oracle; the first 20:\n` +
      wrong.slice(0, 20).map(([c, g]) => `  got ${g}, want ${c.expect}: ${show(c)}`).join('\n'));

    // Events sent from inside a getter of another call (re-entrant) got their verdicts too.
    const inner = CORPUS.filter((c) => c.inner);
    assert.deepEqual(innerGot, inner.map((c) => c.inner.expect));
    assert.ok(flushed.every((f) => f === true), `rtp('flush') after each chunk: ${flushed}`);

    // The collector has exactly the accepted events: every valid one once, nothing else.
    const accepted = CORPUS.filter((c, i) => got[i] === 'accepted');
    const wantValues = [
      ...accepted.filter((c) => c.values).map((c) => key(c.values)),
      ...inner.filter((c) => c.inner.expect === 'accepted').map((c) => key(c.inner.values)),
    ].sort();
    const wantViews = accepted.filter((c) => c.view).map((c) => (c.view === 'PAGE' ? page : c.view)).sort();
    const arrived = await received(sid);
    assert.equal(difference(wantValues, arrived.values), '', 'event values at the collector');
    assert.equal(difference(wantViews, arrived.views), '', 'view URLs at the collector');
    assert.equal(arrived.values.length, wantValues.length);

    // Each call logged what its verdict says (the console recorded in the page: see runSource).
    const logged = misLogged(CORPUS, got, logs);
    assert.equal(logged.length, 0, `${logged.length} calls logged otherwise; the first 10:\n${logged.slice(0, 10).join('\n')}`);
    assert.deepEqual(tagMessages(v, 'error'), [], 'the tag reported no failure');
    assert.deepEqual(v.errors, []);

    // Where the README and the source disagree, the corpus allows both: report what was seen.
    const disputed = {};
    CORPUS.forEach((c, i) => { if (c.disputed) (disputed[c.disputed] ??= {})[got[i]] = (disputed[c.disputed][got[i]] || 0) + 1; });
    t.diagnostic(`${ctx.name}: ${CORPUS.length} calls and flushes on ${pages} pages ${calls} ms, all checks ${Date.now() - started} ms; ` +
      `${accepted.length} accepted, ${got.filter((g) => MESSAGES[g]).length} rejected; disputed verdicts seen: ${JSON.stringify(disputed)}`);
    await v.close();
  });

  test(`${EARLY.length} hostile calls before the tag loads: none throws, all queue, the valid ones arrive after load`, { timeout: 60000 }, async () => {
    const v = await newVisitor(ctx.browser);
    // Held back 1.5 s, so these calls go to the snippet's stub (see invalid-calls.test.mjs).
    await v.page.goto(new URL('/test-pages/early.html', collector.url).href, { waitUntil: 'domcontentloaded' });
    assert.equal(await isStub(v.page), true);
    // The replay logs at load: recorded in the page (see runSource for why).
    await v.page.evaluate(() => {
      window.__rtpLog = [];
      console.warn = (m) => { window.__rtpLog.push('warn ' + m); };
      console.debug = (m) => { window.__rtpLog.push('debug ' + m); };
    });
    const { out } = await v.page.evaluate(runSource(EARLY, { live: false, record: false }));
    assert.equal(await isStub(v.page), true, 'the calls were made before the tag loaded');
    const bad = EARLY.map((c, i) => [c, out[i]]).filter(([, g]) => g !== 'undefined');
    assert.deepEqual(bad.map(([c, g]) => `${g} <- ${show(c)}`), [], 'queued calls return undefined');

    await tagLoaded(v.page);
    assert.equal(await flush(v.page), true);
    // Replayed in order; an event sent from inside a getter is queued behind the rest, so
    // which of two equal events is the repeat may differ from a live run, not what arrives.
    const wantValues = [...new Set([
      key(['early inline']),
      ...EARLY.filter((c) => c.expect === 'accepted' && c.values).map((c) => key(c.values)),
      ...EARLY.filter((c) => c.inner).map((c) => key(c.inner.values)),
    ])].sort();
    const wantViews = EARLY.filter((c) => c.view).map((c) => (c.view === 'PAGE' ? v.page.url() : c.view)).sort();
    const arrived = await received(await sessionId(v.page));
    assert.equal(difference(wantValues, arrived.values), '', 'event values at the collector');
    assert.equal(difference(wantViews, arrived.views), '', 'view URLs at the collector');
    // Replayed in order: the rejections warned in order, with their messages.
    const warnings = (await v.page.evaluate(() => window.__rtpLog)).filter((l) => l.startsWith('warn '));
    const want = EARLY.filter((c) => MESSAGES[c.expect]).map((c) => MESSAGES[c.expect]);
    assert.equal(warnings.length, want.length, 'one warning per rejected call');
    assert.deepEqual(want.filter((m, i) => !warnings[i].includes(m)), []);
    assert.deepEqual(tagMessages(v, 'error'), [], 'the tag reported no failure');
    assert.deepEqual(v.errors, []);
    await v.close();
  });

  test(`${REAL_CONSOLE.length} hostile calls with the page's real console: each rejection warns, in order`, { timeout: 60000 }, async () => {
    const v = await newVisitor(ctx.browser);
    await v.page.goto(new URL('/test-pages/delivery.html', collector.url).href);
    await tagLoaded(v.page);
    const { out, flushed } = await v.page.evaluate(runSource(REAL_CONSOLE, { record: false }));
    const wrong = REAL_CONSOLE.map((c, i) => [c, out[i]]).filter(([c, g]) => !allowed(c, g));
    assert.deepEqual(wrong.map(([c, g]) => `got ${g}, want ${c.expect}: ${show(c)}`), []);
    assert.equal(flushed, true);
    const want = out.filter((g) => MESSAGES[g]).map((g) => MESSAGES[g]);
    // Console events may come after evaluate's answer (WebDriver BiDi).
    await collector.until(() => tagMessages(v, 'warn').length >= want.length, 5000, 'the warnings').catch(() => {});
    const warnings = tagMessages(v, 'warn').map((m) => m.text);
    assert.equal(warnings.length, want.length, 'one warning per rejected call');
    assert.deepEqual(want.map((m, i) => [m, warnings[i]]).filter(([m, w]) => !w.includes(m)).slice(0, 5), []);
    const debug = tagMessages(v, 'debug').map((m) => m.text);
    const count = (xs, s) => xs.filter((x) => x.includes(s)).length;
    assert.equal(count(debug, 'already sent in this session'), out.filter((g) => g === 'duplicate').length + REAL_CONSOLE.filter((c) => c.inner?.expect === 'duplicate').length);
    assert.equal(count(debug, 'command ignored'), out.filter((g) => g === 'ignored').length);
    const accepted = REAL_CONSOLE.filter((c, i) => out[i] === 'accepted');
    const arrived = await received(await sessionId(v.page));
    assert.equal(difference([
      ...accepted.filter((c) => c.values).map((c) => key(c.values)),
      ...REAL_CONSOLE.filter((c) => c.inner?.expect === 'accepted').map((c) => key(c.inner.values)),
    ].sort(), arrived.values), '');
    assert.deepEqual(tagMessages(v, 'error'), [], 'the tag reported no failure');
    assert.deepEqual(v.errors, []);
    await v.close();
  });
});

test('the corpus is large and deterministic', () => {
  const { categories } = census(CORPUS);
  assert.ok(CORPUS.length >= 10000, `${CORPUS.length} cases`);
  assert.ok(Object.keys(categories).length >= 30, JSON.stringify(categories));
  assert.deepEqual(generate().map((c) => c.src), CORPUS.map((c) => c.src));
});
