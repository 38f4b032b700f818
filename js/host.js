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
// onto rtp.q.
export function call(tag, a, queued) {
  try { return tag.rtp(a[0], a[1], a[2], a[3], queued ? a.u : undefined, queued ? a.t : undefined); } catch (e) { report(e); return 'error'; }
}

// Starts the tag once its wasm is ready: boots it with the Web Locks helpers, claims what pages
// that are gone left, makes the `settings` calls, then replays `calls` (each stamped) in order.
export function start(tag, calls, settings) {
  // Web Locks (see src/outbox.rs, "Pages that are gone"). lock(true) requests the page's lock
  // `rtp-tab-<id>`, held until lock(false); the tag asks for it before it stores an event and
  // gives it back when nothing is outstanding or the page is left (Firefox keeps a page that
  // holds a lock out of the back-forward cache). A release that comes before the grant makes
  // the grant a no-op.
  var locks = navigator.locks, id, held, release, i;
  function lock(on) {
    held = on;
    if (on) {
      try { locks.request('rtp-tab-' + id, function () { return held && new Promise(function (r) { release = r; }); }); } catch (e) {}
    } else if (release) {
      release();
      release = 0;
    }
  }
  // Runs the tag's adopt() under the lock rtp-claim, with the names of the locks held or
  // requested and the time the snapshot was asked for: one page at a time decides which stored
  // events belong to pages that are gone. Without Web Locks (an insecure context, an old
  // browser, an opaque origin), adopt(null): the tag then takes only stale events.
  function claim() {
    function none(e) { if (!e || e.name == 'SecurityError') tag.adopt(null); }
    try {
      locks.request('rtp-claim', function () {
        var t = Date.now();
        return locks.query().then(function (s) {
          tag.adopt(s.held.concat(s.pending).map(function (l) { return l.name; }).join(' '), t);
        });
      }).then(null, none);
    } catch (e) { none(); }
  }
  id = tag.boot(claim, lock);
  claim();
  // Declarative clicks, for pages whose policy forbids inline handlers: an element (or an
  // ancestor of the target) with data-rtp-event="value", or a JSON array of up to 4 values,
  // sends that event. One listener, capturing, so a handler that stops propagation does not
  // hide the click.
  try {
    document.addEventListener('click', function (e) {
      var el = e.target, v;
      el = el && el.closest && el.closest('[data-rtp-event]');
      if (!el) return;
      v = el.getAttribute('data-rtp-event');
      try { if (v.charAt(0) == '[') v = JSON.parse(v); } catch (x) {}
      call(tag, ['send', 'event', { value: v }]);
    }, true);
  } catch (e) {}
  for (i = 0; settings && i < settings.length; i++) if (settings[i]) call(tag, settings[i]);
  // The queue may grow while it is replayed (a callback calling rtp): read its length each time.
  for (i = 0; i < calls.length; i++) call(tag, calls[i], 1);
}
