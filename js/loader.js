// The loader. scripts/build.mjs appends it to the wasm-bindgen glue (which defines
// `wasm_bindgen`) and js/host.js (report, stamp, call, start) inside one function scope, so
// nothing but window.rtp is touched.
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
// A second copy of the loader (or of a page's script tag) does nothing; nor does a loader on a
// page whose npm module (npm/index.js) started the tag first.
if (!stub.k) {
  stub.k = 1;
  // The wasm is fetched with its Subresource Integrity hash (WASM_INTEGRITY, put in by
  // scripts/build.mjs): a page that pins this file with integrity="…" pins the wasm too.
  // A page's fetch that throws: the glue fetches the path itself.
  var wasm = me && me.src ? me.src.replace(/\.js(?=[?#]|$)/, '_bg.wasm') : undefined;
  try { wasm = wasm && fetch(wasm, { integrity: 'WASM_INTEGRITY' }); } catch (e) {}
  tag({ module_or_path: wasm }).then(function () {
    // Literals, not push: a page may have broken Array.prototype.push (start skips the empty).
    var settings = [stub.e && ['set', 'endpoint', stub.e], stub.a && ['setAccount', stub.a]];
    start(tag, stub.q, settings);
    var live = function () { return call(tag, arguments); };
    live.k = 1;
    // A reference to the stub kept by page code still works: its pushes are forwarded.
    live.q = stub.q = { push: function (a) { call(tag, a, 1); } };
    win.rtp = live;
  }).catch(report); // a failed load, or a failure while replaying: logged, never thrown
}
