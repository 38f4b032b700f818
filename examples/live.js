// The demo's live view (not part of the tag): polls the collector's GET /events and shows
// each accepted event as it arrives, without a reload.
(function () {
  var body = document.getElementById('events');
  var count = document.getElementById('count');
  var seen = 0;
  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
  }
  function poll() {
    fetch('/events?since=' + seen, { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (events) {
        events.forEach(function (e) {
          var row = document.createElement('tr');
          cell(row, new Date(e.time).toLocaleTimeString());
          cell(row, e.type);
          cell(row, e.values ? e.values.join(' | ') : '');
          cell(row, e.url.replace(location.origin, ''));
          cell(row, e.id.slice(0, 8));
          body.insertBefore(row, body.firstChild);
        });
        seen += events.length;
        count.textContent = seen;
      })
      .catch(function () {})
      .then(function () { setTimeout(poll, 400); });
  }
  poll();
})();
