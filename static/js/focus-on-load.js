// After a form post whose answer is further down the page (the role-brief check), bring it into
// view and move keyboard and screen-reader focus to it: <element tabindex="-1" data-focus-on-load>.
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (!target) { return; }
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
})();
