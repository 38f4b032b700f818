// End-to-end harness: the real collector binary on 127.0.0.1 (a free port), and real browsers:
// Debian's headless Chromium over CDP and Firefox ESR over WebDriver BiDi, driven by
// puppeteer-core, and WebKitGTK (Safari's engine) over W3C WebDriver under Xvfb, behind the same
// API (webkit.mjs). Each test file starts its own collector; each browser session is a fresh
// browser context (its own sessionStorage, so its own visitor session).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, before, after } from 'node:test';
import puppeteer from 'puppeteer-core';
import { launchWebKit } from './webkit.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BROWSERS = (process.env.RTP_BROWSERS || 'chromium,firefox,webkit').split(',');

// The minified snippet's arguments in the example pages.
export const ACCOUNT = 'demo-account';

/**
 * Starts the collector with its development routes (`--dev`). The sink is an NDJSON file in a
 * temporary folder (`log`), unless `sink` names another (e.g. `postgres://…`).
 */
export async function startCollector({ sink } = {}) {
  const log = join(mkdtempSync(join(tmpdir(), 'rtp-e2e-')), 'events.ndjson');
  // --log-level debug: one line per request on stderr, once its answer is ready.
  const args = ['--dev', '--listen', '127.0.0.1:0', '--root', ROOT, '--sink', sink || `file:${log}`, '--log-level', 'debug'];
  const proc = spawn(join(ROOT, 'target/collector/rtp-collector'), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The collector's request log (stderr): `rtp-collector debug METHOD target status …us`.
  // Kept for tests that count what the browser fetched.
  const access = [];
  let partial = '';
  proc.stderr.on('data', (d) => {
    if (process.env.RTP_COLLECTOR_LOG) process.stderr.write(d);
    const lines = (partial + d).split('\n');
    partial = lines.pop();
    access.push(...lines.filter((l) => l.startsWith('rtp-collector debug ')).map((l) => l.slice('rtp-collector debug '.length)));
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const get = async (path) => (await fetch(new URL(path, url))).json();
  return {
    url,
    port: new URL(url).port,
    log,
    /** Accepted events of one visitor session, in arrival order. */
    events: (session) => get(`/events?session=${encodeURIComponent(session)}`),
    requests: () => get('/requests'),
    /** Lines of the request log so far; `since` a count taken earlier gives only the newer ones. */
    accessLog: (since = 0) => access.slice(since),
    /** GETs (by `method target`, e.g. `GET /dist/rtp_bg.wasm?delay=800`) in the request log from line `since`. */
    gets: (target, since = 0) => access.slice(since).filter((l) => l.split(' ')[0] === 'GET' && l.split(' ')[1] === target).length,
    stats: () => get('/stats'),
    /** Sets a fault on POSTs to /collect, e.g. {mode: 'status', status: 503, count: 1}. */
    fault: async (f) => (await fetch(new URL('/faults', url), { method: 'POST', body: JSON.stringify(f) })).json(),
    clearFault: async () => (await fetch(new URL('/faults', url), { method: 'DELETE' })).json(),
    /** Polls until `check()` returns a truthy value, or fails after `ms`. */
    until: async (check, ms = 10000, what = 'condition') => {
      const end = Date.now() + ms;
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => proc.kill(),
  };
}

/** A collector for this test file: started before its tests, stopped after. */
export function useCollector() {
  const collector = {};
  before(async () => { Object.assign(collector, await startCollector()); });
  after(() => collector.stop());
  return collector;
}

/** Runs `body` once per browser, in a suite named after it, with `ctx.browser` launched. */
export function eachBrowser(body) {
  for (const name of BROWSERS) {
    describe(name, () => {
      const ctx = { name };
      before(async () => { ctx.browser = await launch(name); });
      after(() => ctx.browser.close());
      body(ctx);
    });
  }
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function launch(name) {
  if (name === 'chromium') {
    return puppeteer.launch({ browser: 'chrome', executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  }
  if (name === 'webkit') return launchWebKit();
  if (name !== 'firefox') throw new Error(`unknown browser ${name} (chromium, firefox, webkit)`);
  return puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
}

/** A new visitor: a fresh browser context and page, with its console and errors recorded. */
export async function newVisitor(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const console = [];
  const errors = [];
  page.on('console', (m) => console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => errors.push(String(e && e.message ? e.message : e)));
  return { context, page, console, errors, close: () => context.close() };
}

/** Resolves once the tag has loaded: window.rtp calls the wasm (its queue is no longer an array). */
export function tagLoaded(page) {
  return page.waitForFunction(() => window.rtp && window.rtp.q && !Array.isArray(window.rtp.q), { timeout: 15000 });
}

/** Whether window.rtp is still the snippet's queue stub. */
export function isStub(page) {
  return page.evaluate(() => typeof window.rtp === 'function' && Array.isArray(window.rtp.q));
}

/** The visitor session id the tag stored. */
export function sessionId(page) {
  return page.evaluate(() => sessionStorage.getItem('rtp:sid'));
}

/** rtp('flush'): true once everything accepted so far is acknowledged by the collector. */
export function flush(page) {
  return page.evaluate(() => window.rtp('flush'));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Console messages that are not the browser's own resource-loading noise. */
export function tagMessages(visitor, type) {
  return visitor.console.filter((m) => (!type || m.type === type) && m.text.startsWith('rtp'));
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
