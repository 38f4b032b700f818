// Snowplow's browser-tracker bundled as its tag: what sp.js does, reading the documented
// `snowplow(...)` queue the snippet fills, then answering calls directly.
import * as sp from '@snowplow/browser-tracker';
(function (w) {
  var ns = (w.GlobalSnowplowNamespace || ['snowplow'])[0];
  var q = (w[ns] && w[ns].q) || [];
  function snowplow(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (typeof method === 'function') return method();
    var f = sp[method];
    if (typeof f === 'function') return f.apply(null, args);
  }
  snowplow.loaded = true;
  w[ns] = snowplow;
  for (var i = 0; i < q.length; i++) snowplow.apply(null, q[i]);
})(window);
