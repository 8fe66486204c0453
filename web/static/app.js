// ecommpay sandbox: small progressive enhancements. Every page works
// without this script; it only reveals the buttons that need it.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied") || "Copied";
        setTimeout(function () { button.textContent = label; }, 1600);
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Put the cursor in the first field that needs attention.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
})();
