// The sample shop's widget buttons: each carries the signed configObj a
// shop's server would hand to its page, and calls EPayWidget with it.
(function () {
  "use strict";
  document.querySelectorAll("[data-epay-config]").forEach(function (button) {
    if (!window.EPayWidget) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var config = JSON.parse(button.getAttribute("data-epay-config"));
      if (button.getAttribute("data-epay-mode") === "embedded") {
        window.EPayWidget.runEmbedded(config);
        button.disabled = true;
      } else {
        window.EPayWidget.run(config, "POST");
      }
    });
  });
})();
