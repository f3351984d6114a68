// Selects marked data-autosubmit submit their form when changed (the language switch). A static file,
// not an inline onchange: the Content-Security-Policy refuses inline handlers.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
