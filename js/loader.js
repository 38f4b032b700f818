// The loader. scripts/build.mjs appends it to the wasm-bindgen glue (which defines
// `wasm_bindgen`) inside one function scope, so nothing but window.rtp is touched.
// It instantiates the wasm, replays the snippet's queue in order (each call with its own
// time and page URL), then points window.rtp straight at the wasm. Every call is wrapped in
// try/catch: whatever happens inside, rtp() never throws into the page.
var win = window, stub = win.rtp, tag = wasm_bindgen, me = document.currentScript;
function report(e) {
  try { win.console.error('rtp: the tag failed; calls stay queued', e); } catch (_) {}
}
// `queued`: a call recorded by the stub, which carries its time (.t) and page URL (.u).
// Everything is read inside the try: a page may push anything onto rtp.q.
function call(a, queued) {
  try { return tag.rtp(a[0], a[1], a[2], a[3], queued ? a.u : undefined, queued ? a.t : undefined); } catch (e) { report(e); return 'error'; }
}
// Used without the snippet: make the same stub, so calls made before the wasm is ready queue.
if (typeof stub != 'function' || !stub.q) {
  stub = win.rtp = function () { var a = arguments; a.t = Date.now(); a.u = location.href; stub.q.push(a); };
  stub.q = [];
}
// Web Locks (see src/outbox.rs, "Pages that are gone"). lock(true) requests the page's lock
// `rtp-tab-<id>`, held until lock(false); the tag asks for it before it stores an event and
// gives it back when nothing is outstanding or the page is left (Firefox keeps a page that
// holds a lock out of the back-forward cache). A release that comes before the grant makes the
// grant a no-op.
var locks = navigator.locks, id, held, release;
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
// events belong to pages that are gone. Without Web Locks (an insecure context, an old browser,
// an opaque origin), adopt(null): the tag then takes only stale events.
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
// A second copy of the loader (or of a page's script tag) does nothing.
if (!stub.k) {
  stub.k = 1;
  tag({ module_or_path: me && me.src ? me.src.replace(/\.js(?=[?#]|$)/, '_bg.wasm') : undefined }).then(function () {
    id = tag.boot(claim, lock);
    claim();
    if (stub.e) call(['set', 'endpoint', stub.e]);
    if (stub.a) call(['setAccount', stub.a]);
    // The queue may grow while it is replayed (a callback calling rtp): read its length each time.
    for (var q = stub.q, i = 0; i < q.length; i++) call(q[i], 1);
    var live = function () { return call(arguments); };
    live.k = 1;
    // A reference to the stub kept by page code still works: its pushes are forwarded.
    live.q = stub.q = { push: function (a) { call(a, 1); } };
    win.rtp = live;
  }).catch(report); // a failed load, or a failure while replaying: logged, never thrown
}
