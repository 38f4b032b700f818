// The loader. scripts/build.mjs appends it to the wasm-bindgen glue (which defines
// `wasm_bindgen`) and js/host.js (report, stamp, call, start) inside one function scope, so
// nothing but window.rtp (and window[Symbol.for('rtp-tag')], see below) is touched.
// It instantiates the wasm, replays the snippet's queue in order (each call with its own
// time and page URL), then points window.rtp straight at the wasm. Every call is wrapped in
// try/catch: whatever happens inside, rtp() never throws into the page.
var win = window, stub = win.rtp, tag = wasm_bindgen, me = document.currentScript;
// Used without the snippet: make the same stub, so calls made before the wasm is ready queue.
if (typeof stub != 'function' || !stub.q) {
  stub = win.rtp = function () {
    try { stub.q.length < 1e3 && stub.q.push(stamp(arguments)); } catch (e) {}
  };
  stub.q = [];
}
// The tag running on this page, if one started: under a registered symbol, so that it is found
// even when another script has replaced window.rtp (the only other property the tag sets).
var key = Symbol.for('rtp-tag'), first = win[key], i;
if (first && first != stub && !stub.k) {
  // window.rtp was replaced after a tag started here, and the snippet ran again: no second
  // tag; the new stub's calls go to the running one, which is window.rtp again.
  for (i = 0; i < stub.q.length; i++) first.q.push(stub.q[i]);
  stub.k = 1;
  stub.q = first.q;
  win.rtp = first;
}
// A second copy of the loader (or of a page's script tag) does nothing; nor does a loader on a
// page whose npm module (npm/index.js) started the tag first.
if (!stub.k) {
  stub.k = 1;
  win[key] = stub;
  // The wasm: the response the snippet requested with the loader (stub.w), so the browser
  // compiles it as it streams; without one, or when it failed, or when the page pinned this
  // file with integrity="…" (which then pins the wasm too), the loader fetches it with its
  // Subresource Integrity hash (WASM_INTEGRITY, put in by scripts/build.mjs).
  // A page's fetch that throws: the glue fetches the path itself.
  var url = me && me.src ? me.src.replace(/\.js(?=[?#]|$)/, '_bg.wasm') : undefined, wasm = url;
  var withHash = function () { return fetch(url, { integrity: 'WASM_INTEGRITY' }); };
  try {
    wasm = url && (stub.w && !me.integrity ? stub.w.then(function (r) { return r && r.ok ? r : withHash(); }, withHash) : withHash());
  } catch (e) {}
  tag({ module_or_path: wasm }).then(function () {
    // Literals, not push: a page may have broken Array.prototype.push (start skips the empty).
    var settings = [stub.e && ['set', 'endpoint', stub.e], stub.a && ['setAccount', stub.a]];
    start(tag, stub.q, settings);
    var live = function () { return call(tag, arguments); };
    live.k = 1;
    // A reference to the stub kept by page code still works: its pushes are forwarded.
    live.q = stub.q = { push: function (a) { call(tag, a, 1); } };
    win.rtp = win[key] = live;
  }).catch(report); // a failed load, or a failure while replaying: logged, never thrown
}
