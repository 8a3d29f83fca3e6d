// The register pages. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Forms that remove something ask first: <form data-nx-confirm="Remove …?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-nx-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // The export form: the carrier split only applies to table 3.
  function syncCarrier() {
    var form = document.getElementById("nx-export-form");
    if (!form) { return; }
    var checked = form.querySelector("input[name='table']:checked");
    var box = form.querySelector("[data-field='by_carrier']");
    if (box) { box.hidden = !checked || checked.value !== "3"; }
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "table") { syncCarrier(); }
  });
  document.addEventListener("DOMContentLoaded", syncCarrier);
})();
