/* Keeps a job's progress bar moving without reloading the page.
 *
 * The page works without this script (it reloads itself every few seconds from a <noscript>
 * refresh). With it, the bar and the counts follow /admin/jobs/<id>.json; when the job changes
 * state (starts, ends, is being cancelled, stalls) the page reloads once to show its buttons and
 * the final lists.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-job-progress");
  var state = box.getAttribute("data-job-state");
  var bar = box.querySelector("progress");
  var delay = 1500;

  function show(data) {
    ["processed", "total", "percent", "done", "skipped", "failed"].forEach(function (name) {
      var field = box.querySelector('[data-field="' + name + '"]');
      if (field) { field.textContent = String(data[name]); }
    });
    if (bar && data.total > 0) {
      bar.max = data.total;
      bar.value = data.processed;
      bar.textContent = data.percent + "%";
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        show(data);
        var now = data.status + (data.cancel_requested ? "-stopping" : "") + (data.stale ? "-stale" : "");
        if (now !== state) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A network hiccup: try again, more slowly.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
