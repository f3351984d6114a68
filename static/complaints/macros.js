// The complaint page's canned replies: choosing one puts its text (filled for this complaint on the
// server) into the note box, to be edited before sending. A static file: the CSP refuses inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.matches || !select.matches("select[data-macro-target]")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var box = document.getElementById(select.getAttribute("data-macro-target"));
    if (box && option && option.getAttribute("data-text")) {
      box.value = option.getAttribute("data-text");
      box.focus();
    }
  });
})();
