// Progressive enhancement only: the form works without it.
(function () {
  "use strict";
  // After a refused submission, move focus to the list of problems so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  // One queue per pass: ticking a queue box unticks the others of the same pass (the server
  // checks this too, for browsers without scripts).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || box.name.indexOf("queue_") !== 0 || !box.checked) {
      return;
    }
    var same = document.querySelectorAll('input[type="checkbox"][name="' + box.name + '"]');
    for (var i = 0; i < same.length; i++) {
      if (same[i] !== box) {
        same[i].checked = false;
      }
    }
  });
})();
