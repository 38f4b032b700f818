// The inline snippet: paste it in the page (the minified form is dist/snippet.min.js, and the
// README shows it ready to paste). It defines window.rtp as a queue stub that records each
// call's `arguments` with the time and page URL of the call, records the collector endpoint
// and account, and loads the tag asynchronously, requesting its wasm at the same time.
// Modeled on the RTP tag's snippet.
// Included twice, the second copy does nothing (window.rtp is a function already).
(function (w, d, src, endpoint, account) {
  // typeof, not truthiness: an element with id="rtp" is also window.rtp.
  if (typeof w.rtp == 'function') return;
  var r = (w.rtp = function () {
    var a = arguments;
    a.t = Date.now();
    a.u = location.href;
    // Bounded, should the tag never load (blocked, 404); in a try, as a page may have broken
    // Array.prototype.push, and rtp() never throws.
    try {
      r.q.length < 1e3 && r.q.push(a);
    } catch (e) {}
  });
  r.q = [];
  // Left before the tag loaded: the queued calls are kept (the newest 99) for the next page
  // of the site, whose tag sends them once. On pagehide, and on pageswap: WebKit fires no
  // pagehide for a page left before its load event, only pageswap (measured, WebKitGTK 2.50);
  // Chromium fires both, and the second finds the queue empty.
  var keep = function () {
    try {
      if (w.rtp == r && r.q.length) {
        var s = localStorage, k = 'rtp:q';
        s.setItem(k, JSON.stringify(JSON.parse(s.getItem(k) || '[]').concat(r.q).slice(-99)));
        r.q.length = 0; // only once stored: a call that cannot be stored stays queued here
      }
    } catch (e) {}
  };
  w.addEventListener('pagehide', keep);
  w.addEventListener('pageswap', keep);
  r.e = endpoint;
  r.a = account;
  var s = d.createElement('script');
  // Not `async = true`: a script inserted by script is async already (HTML "force async").
  s.src = src;
  d.documentElement.appendChild(s); // a script runs wherever it is inserted
  // The wasm beside the loader (rtp.js?v=2 → rtp_bg.wasm?v=2, as js/loader.js derives it),
  // requested now rather than after the loader has arrived and run: one round trip less. The
  // loader takes this response (r.w) unless the page pinned the loader with integrity; if it
  // failed, the loader fetches again. The catch keeps a failure (the loader may never come)
  // from being an unhandled rejection; a throwing or broken fetch leaves it to the loader.
  // Not when a tag already runs on this page (window.rtp was replaced, and the snippet runs
  // again): its loader only hands the new calls over (js/loader.js), and needs no wasm.
  try {
    w[Symbol.for('rtp-tag')] || (r.w = fetch(src.replace(/\.js(?=[?#]|$)/, '_bg.wasm'))).catch(function () {});
  } catch (e) {}
})(window, document, 'LOADER_URL', 'ENDPOINT_URL', 'ACCOUNT_ID');
