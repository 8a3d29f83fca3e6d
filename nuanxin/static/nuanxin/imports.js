// Import pages: confirm before applying or undoing; width of the progress bar (no inline style: CSP).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-nx-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  function widths(root) {
    var bars = (root || document).querySelectorAll("[data-nx-progress]");
    for (var i = 0; i < bars.length; i++) {
      bars[i].style.width = bars[i].getAttribute("data-nx-progress") + "%";
    }
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.body.addEventListener("htmx:afterSwap", function () { widths(document); });
})();
