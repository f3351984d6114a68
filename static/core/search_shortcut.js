// The staff search box on every admin page: "/" focuses it (as in Zendesk, GitHub, Gmail), except
// while typing in a field. A static file: the Content-Security-Policy allows no inline script.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  var target = event.target;
  var tag = target && target.tagName;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
  var box = document.getElementById("staff-search-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
