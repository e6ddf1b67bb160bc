// Progressive enhancement only: the form works without it.
// After a refused submission, move focus to the list of problems so screen readers announce it.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
