// @plausible-analytics/tracker bundled as its script tag: reads the documented snippet's
// plausible.q / plausible.o (init options), inits, replays the queue.
import { init, track } from '@plausible-analytics/tracker';
(function (w) {
  var stub = w.plausible || {};
  var q = stub.q || [], o = stub.o || {};
  init(o);
  function plausible(name, opts) { return track(name, opts || {}); }
  plausible.loaded = true;
  plausible.init = function () {};
  w.plausible = plausible;
  for (var i = 0; i < q.length; i++) plausible.apply(null, q[i]);
})(window);
