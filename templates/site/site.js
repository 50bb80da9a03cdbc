/* Collapse the table of contents on narrow screens (it stays a keyboard-operable <details>; without JavaScript it
   is simply open). */
(function () {
  "use strict";
  var toc = document.getElementById("toc-details");
  if (!toc || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 56rem)");
  function apply() {
    if (narrow.matches) toc.removeAttribute("open");
    else toc.setAttribute("open", "");
  }
  apply();
  if (narrow.addEventListener) narrow.addEventListener("change", apply);
})();
