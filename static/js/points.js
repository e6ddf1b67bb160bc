// Keeps "X av N poäng använda" up to date while the participant types. The page works without
// this script: the server counts the points on every save and refuses more than N.
(function () {
  "use strict";
  var form = document.querySelector(".points-form");
  if (!form) return;
  var limit = parseInt(form.dataset.limit, 10);
  var count = form.querySelector(".points-used-count");
  var line = form.querySelector(".points-used");
  var inputs = form.querySelectorAll("input[type=number]");

  function update() {
    var used = 0;
    inputs.forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (value > 0) used += value;
    });
    count.textContent = used;
    line.classList.toggle("over-limit", used > limit);
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", update);
  });
  update();
})();
