// Organisation tree: expand/collapse all; on a phone, open only the first level at first.
(function () {
  "use strict";
  function nodes(button) {
    var tree = document.querySelector(button.getAttribute("data-nx-tree"));
    return tree ? tree.querySelectorAll("details.nx-tree-node") : [];
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".nx-tree-expand, .nx-tree-collapse");
    if (!button) { return; }
    var open = button.classList.contains("nx-tree-expand");
    nodes(button).forEach(function (d) { d.open = open; });
  });
  if (window.matchMedia && window.matchMedia("(max-width: 576px)").matches) {
    document.querySelectorAll("#nx-tree > li > details.nx-tree-node details.nx-tree-node").forEach(function (d) {
      d.open = false;
    });
  }
})();
