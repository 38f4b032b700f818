// The inline snippet: paste it in the page (the minified form is dist/snippet.min.js, and the
// README shows it ready to paste). It defines window.rtp as a queue stub that records each
// call's `arguments` with the time and page URL of the call, records the collector endpoint
// and account, and loads the tag asynchronously. Modeled on the RTP tag's snippet.
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
  // of the site, whose tag sends them once.
  w.addEventListener('pagehide', function () {
    try {
      if (w.rtp == r && r.q.length) {
        var s = localStorage, k = 'rtp:q';
        s.setItem(k, JSON.stringify(JSON.parse(s.getItem(k) || '[]').concat(r.q).slice(-99)));
        r.q.length = 0; // only once stored: a call that cannot be stored stays queued here
      }
    } catch (e) {}
  });
  r.e = endpoint;
  r.a = account;
  var s = d.createElement('script');
  // Not `async = true`: a script inserted by script is async already (HTML "force async").
  s.src = src;
  d.documentElement.appendChild(s); // a script runs wherever it is inserted
})(window, document, 'LOADER_URL', 'ENDPOINT_URL', 'ACCOUNT_ID');
