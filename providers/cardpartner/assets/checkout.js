// Card partner checkout: small progressive enhancements. The checkout works
// without this script; it runs the countdown and fills in test numbers.
(function () {
  "use strict";

  // The countdown runs with the sandbox clock: it stands still while the
  // clock is frozen (data-frozen), and the server decides when time is up.
  var timer = document.querySelector("[data-countdown]");
  if (timer && timer.getAttribute("data-frozen") !== "true") {
    var clock = timer.querySelector("[data-countdown-clock]");
    var end = Date.now() + 1000 * parseInt(timer.getAttribute("data-seconds"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      timer.classList.toggle("cp-timer--low", left <= 60);
      if (left === 0) {
        timer.classList.add("cp-timer--over");
        var over = timer.querySelector("[data-countdown-over]");
        if (over) over.hidden = false;
        return;
      }
      setTimeout(tick, 250);
    };
    tick();
  }

  // "Use" buttons of the test data panel fill in the form.
  document.querySelectorAll("[data-fill]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var kind = button.getAttribute("data-kind");
      var field = document.getElementById(kind === "card" ? "card_number" : "phone");
      if (!field) return;
      var radio = null;
      if (kind === "card") {
        radio = document.querySelector("input[name='method'][value='card']");
      } else {
        var checked = document.querySelector("input[name='method']:checked");
        radio = checked && checked.value !== "card" ? checked : document.querySelector("input[name='method']:not([value='card'])");
      }
      if (radio) radio.checked = true;
      field.value = button.getAttribute("data-fill");
      if (kind === "card") {
        var expiry = document.getElementById("card_expiry");
        var cvc = document.getElementById("card_cvc");
        var holder = document.getElementById("card_holder");
        if (expiry && !expiry.value) expiry.value = button.getAttribute("data-expiry") || "";
        if (cvc && !cvc.value) cvc.value = "123";
        if (holder && !holder.value) holder.value = "Test Customer";
      }
      field.focus();
    });
  });
})();
