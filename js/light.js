// The light module's host (src/web/light.rs): what runs its effects. The light module decides
// (src/light.rs); this only makes the request, schedules the microtask, takes the lock, writes
// to the console and passes the browser's callbacks back as calls of its exports. It is
// appended, with js/host.js and js/loader.js, to the light module's glue in dist/rtp.js
// (scripts/build.mjs), and nothing runs at load.
//
// lightHost(tag, lock, retire, settle): `tag` is the light module's exports, `lock(on)` the
// page's Web Lock (locker() in js/host.js), `retire()` what starts the full tag once the light
// module has handed over, `settle(ok)` what answers the `flush` callers. Every callback into
// the wasm is caught: rtp() never throws into the page.
export function lightHost(tag, lock, retire, settle) {
  var body; // the Promise of the last answer's body being read
  function online() {
    try { return navigator.onLine !== false; } catch (e) { return true; }
  }
  // One export for what the host reports (src/web/light.rs `input`): kind, two numbers, an
  // answer's Retry-After, what the console shows.
  function input(kind, a, b, retry, detail) {
    try { tag.input(kind, a, b, retry, detail); } catch (e) {}
  }
  var pump = function () { input(0, online()); };
  // The page's lifecycle, as the full tag's edge reads it (src/web/lifecycle.rs).
  try {
    addEventListener('pagehide', function () { input(4, 1, online()); });
    addEventListener('online', pump); // offline, the light module waits for it
    addEventListener('pageshow', function (e) { try { e.persisted && input(5, 1); } catch (x) {} });
    document.addEventListener('visibilitychange', function () {
      try { document.hidden ? input(4, 0, online()) : input(5, 0); } catch (e) {}
    });
  } catch (e) {}
  return {
    // Keepalive fetch, no credentials, a 30 s timeout (src/web/transport.rs). A fetch that
    // throws, or returns no promise, throws here: the batch was not sent.
    send: function (id, url, body_) {
      var init = { method: 'POST', body: body_, keepalive: true, mode: 'cors', credentials: 'omit' };
      try { init.signal = AbortSignal.timeout(30000); } catch (e) {}
      fetch(url, init).then(function (r) {
        var status = 0, retry;
        try {
          status = r.status;
          retry = r.headers.get('retry-after');
        } catch (e) {}
        // Chromium keeps a keepalive request's share of the quota until its body is read.
        try { body = r.text(); } catch (e) { body = 0; }
        input(1, id, +status || 0, retry == null ? undefined : '' + retry);
      }, function (e) { input(2, id, 0, undefined, e); });
    },
    // The pump: at the end of the task, or (after) once the last body is read.
    pump: function (after) {
      var p = after && body;
      try { (p && p.then ? p : Promise.resolve()).then(pump, pump); } catch (e) { pump(); }
    },
    answer: function (f, value) {
      Promise.resolve(value).then(f);
    },
    timer: function (ms) {
      setTimeout(pump, ms);
    },
    later: function (id) {
      setTimeout(function () { input(3, id, online()); });
    },
    lock: lock,
    retire: retire,
    settle: settle,
    // As the full tag's console (src/web/console.rs): the text, and the detail unless bare.
    say: function (warn, text, detail, bare) {
      try { console[warn ? 'warn' : 'debug'].apply(console, bare ? [text] : [text, detail]); } catch (e) {}
    }
  };
}
