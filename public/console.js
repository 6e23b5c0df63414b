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

// Convergence table and chart (batch and analysis pages): refreshed every 30 seconds as raters finish.
(function () {
  var table = document.getElementById('convergence');
  if (!table || !window.fetch) return;
  var url = table.getAttribute('data-url');
  var chart = document.getElementById('chart-convergence');
  var stamp = document.getElementById('convergence-updated');
  function refresh() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        data.ratios.forEach(function (r) {
          var row = table.querySelector('tr[data-ratio="' + r.ratio + '"]');
          if (!row) return;
          var cells = {
            width: r.width == null ? '—' : r.width.toFixed(3),
            projectedRaters: r.projectedRaters == null ? '—' : String(r.projectedRaters),
            reached: r.reached ? 'reached' : r.projectedRaters == null ? 'not enough raters yet' : 'not yet'
          };
          Object.keys(cells).forEach(function (name) {
            var cell = row.querySelector('[data-field="' + name + '"]');
            if (cell) cell.textContent = cells[name];
          });
        });
        if (chart) chart.src = chart.getAttribute('data-src') + '&t=' + Date.now();
        if (stamp) stamp.textContent = data.raters + ' raters · updated ' + new Date().toLocaleTimeString();
      })
      .catch(function () { if (stamp) stamp.textContent = 'could not refresh'; });
  }
  setInterval(refresh, 30000);
})();
