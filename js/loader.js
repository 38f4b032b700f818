// The loader. scripts/build.mjs appends it to the wasm-bindgen glue (which defines
// `wasm_bindgen`) and js/host.js (report, stamp, call, start) inside one function scope, so
// nothing but window.rtp (and window[Symbol.for('rtp-tag')], see below) is touched.
// It instantiates the wasm, replays the snippet's queue in order (each call with its own
// time and page URL), then points window.rtp straight at the wasm. Every call is wrapped in
// try/catch: whatever happens inside, rtp() never throws into the page.
// The stub may be js/snippet.js's, or the RTP tag's own snippet's (README, "Migrating from the
// RTP tag"): a function that pushes its `arguments` onto rtp.q, making rtp.q at its first call,
// with the account on rtp.a; it stamps nothing and keeps nothing when the page is left.
var win = window, stub = win.rtp, tag = wasm_bindgen, me = document.currentScript, q, i;
// Used without a snippet: a stub of our own, so calls made before the wasm is ready queue.
if (typeof stub != 'function') {
  stub = win.rtp = function () {
    try { stub.q.push(arguments); } catch (e) {}
  };
}
// Whatever the stub, its queue is this array from now on: its push stamps each call with its
// time and page URL (the RTP tag's stub does not; js/snippet.js's has already), bounded should
// the wasm never load. Calls queued before this script ran that carry no time are stamped
// now: they get the time this script ran. rtp.a and rtp.e stay as the snippet set them.
// The RTP tag's stub calls that push without a try: it must not throw.
if (!stub.k) try {
  q = Array.isArray(stub.q) ? stub.q : [];
  for (i = 0; i < q.length; i++) try { q[i].t || stamp(q[i]); } catch (e) {}
  // An own property, not Array.prototype.push, which a page may have broken.
  q.push = function (a) {
    try { q.length < 1e3 && (q[q.length] = a.t ? a : stamp(a)); } catch (e) {}
  };
  stub.q = q;
} catch (e) {}
// The tag running on this page, if one started: under a registered symbol, so that it is found
// even when another script has replaced window.rtp (the only other property the tag sets).
var key = Symbol.for('rtp-tag'), first = win[key];
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
  // Left before the wasm was ready: the queued calls are kept for the next page of the site, as
  // js/snippet.js does (once it has, the queue is empty here). The RTP tag's snippet has no such
  // listener: this one keeps what was queued on it once this script ran.
  var keep = function () {
    try {
      if (stub.q == q && q.length) {
        var s = localStorage, k = 'rtp:q';
        s.setItem(k, JSON.stringify(JSON.parse(s.getItem(k) || '[]').concat(q).slice(-99)));
        q.length = 0;
      }
    } catch (e) {}
  };
  // pageswap too: WebKit's only event for a page left before its load (js/snippet.js).
  win.addEventListener('pagehide', keep);
  win.addEventListener('pageswap', keep);
  // The site's default endpoint, set once where rtp.js is hosted (README, "Setting the endpoint
  // once"): `endpoint=` in this script's URL (the value ends at &, ? or #, so that the RTP tag's
  // snippet can append its `?aid=…`), else what `ENDPOINT=… make build` wrote here (the account:
  // `ACCOUNT=…`, below). A snippet's rtp.e and rtp.a win over them.
  var endpoint;
  try { endpoint = decodeURIComponent(me.src.match(/[?&]endpoint=([^&?#]*)/)[1]); } catch (e) { endpoint = 'DEFAULT_ENDPOINT'; }
  // Literals, not push: a page may have broken Array.prototype.push (start skips the empty).
  var e = stub.e || endpoint, a = stub.a || 'DEFAULT_ACCOUNT';
  var given = [e && ['set', 'endpoint', e], a && ['setAccount', a]], settings = given;
  // Files beside this one: rtp.js?v=2 → rtp_bg.wasm?v=2, rtp_full.js?v=2, rtp_full_bg.wasm?v=2.
  var beside = function (name) { return me && me.src ? me.src.replace(/\.js(?=[?#]|$)/, name) : undefined; };
  // Declarative clicks go to whatever runs the page now: the stub, the light module, the tag.
  clicks(function (c) { try { win[key].apply(undefined, c); } catch (x) {} });
  // The full tag (rtp_full.js, rtp_full_bg.wasm): at once for a page with something to recover,
  // or when the light module asks (retire). Until it runs, calls go to the stub's queue, or to
  // the light module, which goes on taking them (and writing them) until the full tag boots
  // with its handoff(), adopting what it stored. The flush callers the light module has not
  // answered are asked again of the full tag. Fetched with its Subresource Integrity hash
  // (FULL_INTEGRITY); rtp_full.js is pinned too when this file is. If either cannot be fetched
  // (offline, blocked, 404), nothing is lost: the calls stay queued (and kept for the next
  // page), or stored by the light module; it is tried again when the browser is back online.
  var loading, handed, light, lightLock, flushes = [];
  // Answers the flush callers waiting: by the light module, or false when the full tag that
  // should answer them could not be fetched.
  var settle = function (ok) {
    var w = flushes, n;
    flushes = [];
    for (n = 0; n < w.length; n++) Promise.resolve(ok).then(w[n]); // a throwing callback stays the page's
  };
  var full = function () {
    var again = function (x) {
      report(x);
      settle(false);
      if (loading) try { win.addEventListener('online', full, { once: true }); } catch (y) {}
      loading = 0;
    };
    if (loading || handed) return;
    loading = 1;
    win[Symbol.for('rtp-full')] = function (f, start) {
      // A page's fetch that throws: the glue fetches the path itself.
      var url = beside('_full_bg.wasm'), w = url;
      try { w = fetch(url, { integrity: 'FULL_INTEGRITY' }); } catch (x) {}
      f({ module_or_path: w }).then(function () {
        for (var n = 0; n < flushes.length; n++) q.push(['flush', flushes[n]]);
        flushes = [];
        start(f, q, settings, light && light.handoff(), 1);
        // The full tag has adopted what the light module stored: its lock can go.
        lightLock && lightLock(false);
        handed = f;
        var live = function () { return call(f, arguments); };
        live.k = 1;
        // A reference to the stub kept by page code still works: its pushes are forwarded.
        live.q = stub.q = { push: function (a) { call(f, a, 1); } };
        win.rtp = win[key] = live;
      }).catch(again);
    };
    try {
      var s = document.createElement('script');
      s.src = beside('_full.js');
      if (me.integrity) {
        s.integrity = 'FULL_JS_INTEGRITY';
        s.crossOrigin = me.crossOrigin || 'anonymous';
      }
      s.onerror = again;
      document.documentElement.appendChild(s);
    } catch (x) { again(x); }
  };
  // A clean page (nothing stored by the tag: no events of other pages, no pause, no kept
  // calls; storage writable; Web Locks) starts with the light module; any other page, with the
  // full tag.
  var clean = function () {
    try {
      var s = localStorage, i = 0;
      if (!navigator.locks) return;
      s.setItem('rtp:t', 1);
      s.removeItem('rtp:t');
      for (; i < s.length; i++) if (/^rtp:(o:|q$)/.test(s.key(i))) return;
      return 1;
    } catch (x) {}
  };
  if (!clean()) full();
  else {
    // The light module (rtp_bg.wasm): the response the snippet requested with the loader
    // (stub.w), so the browser compiles it as it streams; without one, or when it failed, or
    // when the page pinned this file with integrity="…" (which then pins the wasm too), the
    // loader fetches it with its Subresource Integrity hash (WASM_INTEGRITY, put in by
    // scripts/build.mjs). A page's fetch that throws: the glue fetches the path itself.
    var url = beside('_bg.wasm'), wasm = url;
    var withHash = function () { return fetch(url, { integrity: 'WASM_INTEGRITY' }); };
    try {
      wasm = url && (stub.w && !me.integrity ? stub.w.then(function (r) { return r && r.ok ? r : withHash(); }, withHash) : withHash());
    } catch (x) {}
    tag({ module_or_path: wasm }).then(function () {
      var id, i;
      lightLock = locker(function () { return id; });
      id = tag.boot(lightHost(tag, lightLock, full, settle));
      light = tag;
      // One call: to the light module until the full tag runs. The settings it accepts are
      // replayed to the full tag; a flush answers a Promise (and calls its callback) once
      // settled.
      // Everything is read inside the try: a page may pass anything (a Proxy whose traps throw).
      var one = function (c, queued) {
        if (handed) return call(handed, c, queued);
        try {
          var cb = c[1], done, r;
          if (c[0] === 'flush') done = new Promise(function (res) { flushes[flushes.length] = function (ok) { res(ok); typeof cb == 'function' && cb(ok); }; });
          r = call(tag, c, queued);
          if (r === 'ok' && !done) settings = settings.concat([[c[0], c[1], c[2]]]);
          return done || r;
        } catch (e) { report(e); return 'error'; }
      };
      settings = [];
      for (i = 0; i < given.length; i++) given[i] && one(given[i]);
      // The queue may grow while it is replayed (a callback calling rtp): read its length each time.
      for (i = 0; i < q.length; i++) one(q[i], 1);
      q.length = 0;
      var live = function () { return one(arguments); };
      live.k = 1;
      // A reference to the stub kept by page code still works: its pushes are forwarded.
      live.q = stub.q = { push: function (c) { one(c, 1); } };
      win.rtp = win[key] = live;
    }).catch(report); // a failed load, or a failure while replaying: logged, never thrown
  }
}
