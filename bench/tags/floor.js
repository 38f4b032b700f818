// The floor: the least a tag can do. One navigator.sendBeacon per call, nothing else.
(function (w) {
  var q = (w.floor && w.floor.q) || [], e = w.floor && w.floor.e;
  function floor(v) {
    return navigator.sendBeacon(e, JSON.stringify({ v: v, t: Date.now(), u: location.href }));
  }
  floor.e = e; floor.loaded = true; w.floor = floor;
  for (var i = 0; i < q.length; i++) floor.apply(null, q[i]);
})(window);
