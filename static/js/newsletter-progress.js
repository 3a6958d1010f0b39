/* The newsletter progress page: while the issue is sending, read its progress.json
   every few seconds and swap in the new figures (inside the page's aria-live region,
   so screen readers hear what changed) and the server's new chart. Stops once the
   issue is no longer sending. Without this script the page's Refresh link reloads it. */
(function () {
  "use strict";

  var region = document.querySelector("[data-progress-url]");
  if (!region || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-progress-url");
  var every = (Number(region.getAttribute("data-progress-every")) || 5) * 1000;
  var bar = document.querySelector("progress[data-progress-bar]");
  var chart = document.querySelector("[data-progress-chart]");

  function apply(data) {
    Object.keys(data.figures).forEach(function (name) {
      var text = String(data.figures[name]);
      document.querySelectorAll('[data-figure="' + name + '"]').forEach(function (element) {
        // Only what changed, so that the live region announces only that.
        if (element.textContent !== text) {
          element.textContent = text;
        }
      });
    });
    if (bar) {
      bar.max = Math.max(data.counts.total, 1);
      bar.value = data.counts.done;
    }
    if (chart && data.chart) {
      chart.innerHTML = data.chart;
    }
    region.setAttribute("data-progress-status", data.status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        apply(data);
        if (data.polling) {
          window.setTimeout(poll, every);
        } else {
          region.setAttribute("data-progress-polling", "false");
        }
      })
      .catch(function () {
        // A network hiccup or a new deployment: try again, less often.
        window.setTimeout(poll, every * 3);
      });
  }

  if (region.getAttribute("data-progress-polling") === "true") {
    window.setTimeout(poll, every);
  }
})();
