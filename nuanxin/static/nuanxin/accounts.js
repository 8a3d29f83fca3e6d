// Own-account pages: a copy button for a freshly issued API token (shown only with JS).
(function () {
  "use strict";
  document.querySelectorAll("[data-nx-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-nx-copy"));
    if (!target || !navigator.clipboard) {
      return;
    }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = button.getAttribute("data-nx-copied");
      });
    });
  });
  var token = document.getElementById("nx-token-value");
  if (token) {
    token.addEventListener("focus", function () { token.select(); });
  }
})();
