// Select a shown-once secret (an API key, a signing secret, a candidate's link) when its field
// gets focus, so it can be copied in one go. A file rather than an inline onfocus handler:
// the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
