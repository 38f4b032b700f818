// What a JavaScript host does around the wasm, shared by the two builds:
// - the script tag: scripts/build.mjs inlines this file, without its `export`s, into the IIFE
//   of dist/rtp.js, before js/loader.js;
// - the npm package: scripts/build-npm.sh ships it as dist/npm/host.js, imported by npm/index.js.
// `tag` is wasm-bindgen's exports (rtp, boot, adopt). Nothing here runs at load: importing this
// file touches no browser global (the npm package must import on a server).

// Logged, never thrown: rtp() never throws into the page. A page whose Content-Security-Policy
// refuses WebAssembly is told the fix (Chromium: "…Content Security Policy…"; Firefox:
// "…blocked by CSP").
export function report(e) {
  try {
    console.error(/Content Security Policy|CSP/.test(e && e.message)
      ? "rtp: this page's Content-Security-Policy refuses WebAssembly: add 'wasm-unsafe-eval' to script-src. Calls stay queued"
      : 'rtp: the tag failed; calls stay queued', e);
  } catch (_) {}
}

// Marks a call made before the tag was ready with its time (.t) and page URL (.u), as the
// snippet's stub does; they are replayed with it.
export function stamp(a) {
  a.t = Date.now();
  a.u = location.href;
  return a;
}

// One call into the wasm. `queued`: a call recorded before the tag was ready, which carries its
// time (.t) and page URL (.u). Everything is read inside the try: a page may push anything
// onto rtp.q. rtp('send', 'event', customData), the call pages make most, takes one crossing:
// read() reads customData here, and tag.event() gets the strings and a number saying what was
// found; it answers with the verdict's index in tag.codes() (a number: no string built per call).
var codes;
export function call(tag, a, queued) {
  try {
    var url = queued ? a.u : undefined, time = queued ? a.t : undefined, r;
    // rtp('userContextReady', fn): the RTP tag calls fn once its user context is ready, which
    // it never is here. fn is not called (it would read rtpUserContext, and throw).
    if (a[0] === 'userContextReady') a = [a[0]];
    if (a[0] === 'send' && a[1] === 'event') {
      r = read(a[2]);
      codes = codes || tag.codes().split(' ');
      return codes[tag.event(a[2], r[0], r[1], r[2], r[3], r[4], url, time)];
    }
    r = tag.rtp(a[0], a[1], a[2], url, time);
    // The light module answers every command with an index, as event() does.
    r = typeof r == 'number' ? (codes = codes || tag.codes().split(' '))[r] : r;
    // A command this tag does not implement: its callback (the first function argument) is
    // called after this task with {error, message}, so that a page waiting on it does not
    // hang; what it throws stays its own (an unhandled rejection).
    if (r === 'ignored') {
      for (var i = 1; i < 4; i++) {
        if (typeof a[i] == 'function') {
          Promise.resolve({ error: 'unsupported', message: 'rtp-tag does not implement this command' }).then(a[i]);
          break;
        }
      }
    }
    return r;
  } catch (e) { report(e); return 'error'; }
}

// customData as the wasm's event() takes it: [shape, v0, v1, v2, v3]. The v are the values
// that are strings, of at most 255 UTF-16 units and well formed (copied into the wasm); shape
// is their count (0 to 4), plus 2 bits per value at bit 3 + 2i when it is not one of those
// (1: not a string, 2: too long, 3: a lone surrogate), or 8: no value, 16: reading threw,
// 24: more than 4 values (none read). src/web/args.rs decodes it; src/values.rs decides.
// Reads as a page's script would, once each: a getter or Proxy trap runs once, and what it
// throws is caught here.
export function read(d) {
  var r = [8], v = d, n, i, x, w;
  try {
    if (typeof d != 'string' && !Array.isArray(d)) {
      if ((typeof d != 'object' || d === null) && typeof d != 'function') {
        if (d === undefined || d === null) return r;
        r[0] = 1 + (1 << 3);
        return r;
      }
      v = d.value;
    }
    if (v === undefined || v === null) return r;
    if (Array.isArray(v)) {
      n = v.length;
      if (typeof n != 'number') throw 0;
      if (n > 4) return [24];
      n = n >= 1 ? n - n % 1 : 0; // a Proxy's length may be 2.5, or NaN
    } else {
      v = [v];
      n = 1;
    }
    r[0] = n;
    for (i = 0; i < n; i++) {
      x = v[i];
      if (typeof x != 'string') w = 1;
      else if (x.length > 255) w = 2;
      else {
        try { w = x.isWellFormed() ? 0 : 3; } catch (e) { w = 0; } // where unsupported: not checked
      }
      if (w) r[0] += w << (3 + 2 * i);
      else r[i + 1] = x;
    }
  } catch (e) {
    return [16];
  }
  return r;
}

// The page's Web Lock (see src/outbox/adopt.rs, "Pages that are gone"), for a tag whose page
// id `id()` gives: lock(true) requests `rtp-tab-<id>`, held until lock(false); the tag asks for
// it before it stores an event and gives it back when nothing is outstanding or the page is
// left (Firefox keeps a page that holds a lock out of the back-forward cache). A release that
// comes before the grant makes the grant a no-op.
export function locker(id) {
  var held, release;
  return function (on) {
    held = on;
    if (on) {
      try { navigator.locks.request('rtp-tab-' + id(), function () { return held && new Promise(function (r) { release = r; }); }); } catch (e) {}
    } else if (release) {
      release();
      release = 0;
    }
  };
}

// Declarative clicks, for pages whose policy forbids inline handlers: an element (or an
// ancestor of the target) with data-rtp-event="value", or a JSON array of up to 4 values,
// sends that event through `send(call)`. One listener, capturing, so a handler that stops
// propagation does not hide the click.
export function clicks(send) {
  try {
    document.addEventListener('click', function (e) {
      var el = e.target, v;
      el = el && el.closest && el.closest('[data-rtp-event]');
      if (!el) return;
      v = el.getAttribute('data-rtp-event');
      try { if (v.charAt(0) == '[') v = JSON.parse(v); } catch (x) {}
      send(['send', 'event', { value: v }]);
    }, true);
  } catch (e) {}
}

// Starts the tag once its wasm is ready: boots it with the Web Locks helpers (and `handoff`,
// what the light module left it: js/PROTOCOL.md), claims what pages that are gone left, makes
// the `settings` calls, then replays `calls` (each stamped) in order. The script tag's loader
// adds the click listener itself (`noClicks`), once for the light module and the full tag.
export function start(tag, calls, settings, handoff, noClicks) {
  var locks = navigator.locks, id, i;
  var lock = locker(function () { return id; });
  // Runs the tag's adopt() under the lock rtp-claim, with the names of the locks held or
  // requested and the time the snapshot was asked for: one page at a time decides which stored
  // events belong to pages that are gone. Without Web Locks (an insecure context, an old
  // browser, an opaque origin), adopt(null): the tag then takes only stale events.
  // adopt() returns the calls the snippet of a page left before its tag loaded kept for the
  // next page: replayed here as this page's own queued calls are.
  function adopt(live, t) {
    var kept = tag.adopt(live, t), i;
    for (i = 0; i < kept.length; i++) call(tag, kept[i], 1);
  }
  function claim() {
    function none(e) { if (!e || e.name == 'SecurityError') adopt(null); }
    try {
      locks.request('rtp-claim', function () {
        var t = Date.now();
        return locks.query().then(function (s) {
          adopt(s.held.concat(s.pending).map(function (l) { return l.name; }).join(' '), t);
        });
      }).then(null, none);
    } catch (e) { none(); }
  }
  id = tag.boot(claim, lock, handoff);
  claim();
  noClicks || clicks(function (a) { call(tag, a); });
  for (i = 0; settings && i < settings.length; i++) if (settings[i]) call(tag, settings[i]);
  // The queue may grow while it is replayed (a callback calling rtp): read its length each time.
  for (i = 0; i < calls.length; i++) call(tag, calls[i], 1);
}
