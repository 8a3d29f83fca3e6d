// The nomination forms: a live count of the story's characters under its box
// (".nx-story-count", data-for = the textarea's id, data-max = the limit, data-text = the
// translated sentence with {used} and {max}). The server checks the limit again and says so;
// nothing is cut.
(function () {
  "use strict";

  function update(counter, box) {
    var max = parseInt(counter.getAttribute("data-max"), 10);
    var used = Array.from(box.value).length;
    var text = counter.getAttribute("data-text") || "{used} / {max}";
    counter.textContent = text.replace("{used}", String(used)).replace("{max}", String(max));
    counter.classList.toggle("text-danger", used > max);
    counter.classList.toggle("text-secondary", used <= max);
  }

  function init() {
    document.querySelectorAll(".nx-story-count").forEach(function (counter) {
      var box = document.getElementById(counter.getAttribute("data-for"));
      if (!box) { return; }
      update(counter, box);
      box.addEventListener("input", function () { update(counter, box); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
