// Refreshes the ranking table every 10 seconds while the box is ticked. Without this script
// the "Uppdatera" link reloads the page.
(function () {
  "use strict";
  var container = document.getElementById("ranking");
  var toggle = document.getElementById("live-update");
  if (!container || !toggle) return;
  toggle.closest(".live-toggle").hidden = false;

  function refresh() {
    if (!toggle.checked || document.hidden) return;
    fetch(container.dataset.url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        container.innerHTML = html;
      })
      .catch(function () {
        // Keep the last table; the next tick tries again.
      });
  }

  window.setInterval(refresh, 10000);
})();
