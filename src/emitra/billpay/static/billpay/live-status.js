// Live status of pending bill payments, without reloading the page: every few seconds ask the
// states endpoint about the rows still pending and update their status text. A receipt page
// reloads itself once its payment is final (to show the biller's reference and print it).
(function () {
  "use strict";
  var INTERVAL_MS = 3000;

  function watch(container) {
    var url = container.getAttribute("data-url");
    function pending() {
      return Array.prototype.slice.call(
        container.querySelectorAll('[data-number][data-state="pending"]')
      );
    }
    function tick() {
      var rows = pending();
      if (!rows.length) {
        return;
      }
      var query = rows
        .map(function (row) {
          return "n=" + encodeURIComponent(row.getAttribute("data-number"));
        })
        .join("&");
      fetch(url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { payments: [] };
        })
        .then(function (data) {
          (data.payments || []).forEach(function (p) {
            rows.forEach(function (row) {
              if (row.getAttribute("data-number") !== p.number || p.state === "pending") {
                return;
              }
              if (row.hasAttribute("data-reload-when-final")) {
                window.location.reload();
                return;
              }
              row.setAttribute("data-state", p.state);
              var label = row.querySelector("[data-state-label]");
              if (label) {
                label.textContent = p.label;
                label.className = "state state-" + p.state;
              }
            });
          });
        })
        .catch(function () {})
        .then(function () {
          if (pending().length) {
            window.setTimeout(tick, INTERVAL_MS);
          }
        });
    }
    window.setTimeout(tick, INTERVAL_MS);
  }

  document.querySelectorAll("[data-live-status]").forEach(watch);
})();
