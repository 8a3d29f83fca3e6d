// Nuanxin page behaviour. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("nx-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  document.documentElement.classList.add("nx-js");
})();
