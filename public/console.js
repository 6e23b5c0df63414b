// Batch page: refresh the progress numbers every 5 seconds without reloading the page.
(function () {
  var box = document.getElementById('progress');
  if (!box || !window.fetch) return;
  var url = box.getAttribute('data-url');
  var stamp = document.getElementById('progress-updated');
  var status = document.getElementById('batch-status');
  function get(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }
  function refresh() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var fields = box.querySelectorAll('[data-field]');
        for (var i = 0; i < fields.length; i++) {
          var name = fields[i].getAttribute('data-field');
          var value = name === 'histogram'
            ? data.progress.ratingsHistogram.map(function (h) { return h[1] + ' with ' + h[0]; }).join(', ')
            : get(data.progress, name);
          fields[i].textContent = value == null ? '' : String(value);
        }
        if (status) status.textContent = data.status;
        (data.evaluations || []).forEach(function (job) {
          var row = document.querySelector('tr[data-job="' + job.id + '"]');
          if (!row) return;
          var cells = { status: job.status, progress: job.done + ' / ' + job.total, error: job.error || '' };
          Object.keys(cells).forEach(function (name) {
            var cell = row.querySelector('[data-job-field="' + name + '"]');
            if (cell) cell.textContent = cells[name];
          });
        });
        if (stamp) stamp.textContent = 'updated ' + new Date().toLocaleTimeString();
      })
      .catch(function () { if (stamp) stamp.textContent = 'could not refresh'; });
  }
  setInterval(refresh, 5000);
})();
