// The fee-waiver pages. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Steps that cannot be taken back ask first: <form data-nx-confirm="End …?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-nx-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
