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
  // Runs one effect of the light module (src/web/light.rs `kind`; js/PROTOCOL.md): `kind`
  // says which, `n` is its number, `a` and `b` its texts, `v` its value. Catches
  // whatever it throws: a request that could not be started answers its error.
  function run(kind, n, a, b, v) {
    try {
      if (kind == 0) {
        // Keepalive fetch, no credentials, a 30 s timeout (src/web/transport.rs): batch `n`,
        // body `b`, to `a`. A fetch that throws, or returns no promise, was not sent.
        var init = { method: 'POST', body: b, keepalive: true, mode: 'cors', credentials: 'omit' };
        try { init.signal = AbortSignal.timeout(30000); } catch (e) {}
        fetch(a, init).then(function (r) {
          var status = 0, retry;
          try {
            status = r.status;
            retry = r.headers.get('retry-after');
          } catch (e) {}
          // Chromium keeps a keepalive request's share of the quota until its body is read.
          try { body = r.text(); } catch (e) { body = 0; }
          input(1, n, +status || 0, retry == null ? undefined : '' + retry);
        }, function (e) { input(2, n, 0, undefined, e); });
      } else if (kind == 1) {
        // The pump: at the end of the task, or (n) once the last body is read.
        var p = n && body;
        (p && p.then ? p : Promise.resolve()).then(pump, pump);
      } else if (kind == 2) setTimeout(pump, n);
      else if (kind == 3) setTimeout(function () { input(3, n, online()); });
      else if (kind == 4) lock(!!n);
      else if (kind == 5) retire();
      else if (kind == 6) settle(!!n);
      // As the full tag's console (src/web/console.rs): the text, and the detail unless bare.
      else console[n & 1 ? 'warn' : 'debug'].apply(console, n & 2 ? [a] : [a, v]);
    } catch (e) {
      if (!kind) return e === undefined ? null : e; // undefined would say it was sent
      if (kind == 1) pump();
    }
  }
  return { run: run };
}
