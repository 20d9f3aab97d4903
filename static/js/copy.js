// A "Copy" button next to a shown-once secret (an API key, a signing secret, a candidate's
// link): <button data-copy="<input id>">. Copies the input's value and says so in the page's
// .copy-status live region. A static file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      var status = document.querySelector(".copy-status");
      if (!input) { return; }
      function said(text) { if (status) { status.textContent = text; } }
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { said("Copied."); },
          function () { said("Press Ctrl+C (or Cmd+C) to copy the selected text."); }
        );
      } else {
        said(document.execCommand && document.execCommand("copy")
          ? "Copied." : "Press Ctrl+C (or Cmd+C) to copy the selected text.");
      }
    });
  });
})();
