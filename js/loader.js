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
// A second copy of the loader (or of a page's script tag) does nothing.
if (!stub.k) {
  stub.k = 1;
  tag({ module_or_path: me && me.src ? me.src.replace(/\.js(?=[?#]|$)/, '_bg.wasm') : undefined }).then(function () {
    tag.boot();
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
