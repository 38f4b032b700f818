// The npm package's entry (dist/npm/index.js): `import { rtp, configure, flush } from 'rtp-tag'`.
// Importing it runs nothing but definitions: no `window`, `document` or `navigator` is read
// until the first call, so a server (SSR) imports it safely; there, calls do nothing.
// At the first call in a browser, calls go to one tag for the page:
// - the script tag's, when the page has it (window.rtp is its snippet's stub or the loaded
//   tag): calls are forwarded, so nothing is sent twice and there is one outbox;
// - otherwise this module's own instance of the wasm, which it also publishes as window.rtp (when
//   that is free), so that a script tag added later forwards to it instead of starting another.
// Calls made before the wasm is ready are queued with their time and page URL, and replayed in
// order (js/host.js, shared with the script tag's loader).
import init, * as wasm from './rtp.js';
import { call, report, start, stamp } from './host.js';
import { here, watch } from './views.js';

let viewed; // the address of the last view trackViews() sent (or took as seen)
let stopViews; // stops the running trackViews(), when one runs
let target; // where calls go, chosen at the first call: a function, or null on a server
let ready = false; // this module's own wasm instance is running
let broken = false; // it failed to load: calls stay queued, flush() answers false
const queue = []; // calls made before it was ready, stamped

function pick() {
  if (typeof window == 'undefined' || typeof document == 'undefined') return null;
  const page = window.rtp, key = Symbol.for('rtp-tag');
  // The script tag: read window.rtp at each call, as it changes from the stub to the tag.
  if (typeof page == 'function' && page.q) return forward('rtp');
  // A tag started here (by a script tag) although window.rtp was since replaced by other code.
  if (typeof window[key] == 'function') return forward(key);
  return own();
}

// Calls go to whatever function window[name] holds at the time of each call.
function forward(name) {
  return function () { return window[name].apply(undefined, arguments); };
}

// Starts this module's instance: the wasm is fetched beside this file (bundlers copy and
// fingerprint it, as they see `new URL(…, import.meta.url)`).
function own() {
  const mine = function () {
    return ready ? call(wasm, arguments) : hold(stamp(arguments));
  };
  mine.k = 1; // the script tag's loader does nothing when rtp.k is set
  // A script tag's stub, or page code, pushing onto rtp.q: forwarded like a queued call.
  mine.q = { push: (a) => (ready ? call(wasm, a, 1) : hold(a)) };
  if (window.rtp == null) window.rtp = mine;
  window[Symbol.for('rtp-tag')] = mine; // found by a script tag's loader even if window.rtp is replaced
  init({ module_or_path: new URL('rtp_bg.wasm', import.meta.url) }).then(() => {
    start(wasm, queue);
    ready = true;
  }).catch((e) => {
    broken = true;
    report(e);
    for (const a of queue) if (a[0] === 'flush' && typeof a[1] == 'function') a[1](false);
  });
  return mine;
}

// Queues a call until the wasm is ready: at most 1,000 (as the snippet's stub), should it never
// load; a flush is always kept, so that its promise settles.
function hold(a) {
  if (queue.length < 1e3 || a[0] === 'flush') queue.push(a);
}

function send(args) {
  try {
    if (target === undefined) target = pick();
    return target ? target.apply(undefined, args) : undefined;
  } catch (e) {
    report(e);
    return 'error';
  }
}

/** The tag's command function: the same semantics as the script tag's `rtp()`. */
export function rtp(action, method, data, extra) {
  return send(arguments);
}

/**
 * Sets the privacy controls, the collector endpoint, the account and debug logging: each key
 * given becomes a `set`, the privacy controls first.
 */
export function configure(options) {
  try {
    const { honorDnt, consent, endpoint, account, debug } = options || {};
    if (honorDnt !== undefined) send(['set', 'honorDnt', honorDnt]);
    if (consent !== undefined) send(['set', 'consent', consent]);
    if (endpoint !== undefined) send(['set', 'endpoint', endpoint]);
    if (account !== undefined) send(['set', 'account', account]);
    if (debug !== undefined) send(['set', 'debug', debug]);
  } catch (e) {
    report(e); // a getter that throws
  }
}

/** Resolves `true` once every event accepted so far is acknowledged by the collector. */
export function flush() {
  return new Promise((resolve) => {
    if (broken) return resolve(false);
    send(['flush', resolve]);
    if (!target) resolve(true); // a server: nothing was accepted, nothing is outstanding
  });
}

/**
 * Sends a page view now and after every route change of a single-page app (History API), once
 * per address: see npm/README.md. Calling it again while it runs returns the same stop
 * function and sends nothing, so a React StrictMode double effect, or a remount, sends no second
 * view of the first page. On a server it does nothing.
 */
export function trackViews(options) {
  try {
    if (typeof window == 'undefined' || typeof history == 'undefined') return () => {};
    if (stopViews) return stopViews;
    const hash = !!(options && options.hash);
    const view = (address) => {
      viewed = address;
      send(['send', 'view']);
    };
    if (options && options.initial === false) viewed = here(hash);
    else if (here(hash) !== viewed) view(here(hash));
    const stop = watch(hash, () => viewed, view);
    return (stopViews = () => {
      stop();
      stopViews = undefined;
    });
  } catch (e) {
    report(e); // options with a getter that throws
    return () => {};
  }
}
