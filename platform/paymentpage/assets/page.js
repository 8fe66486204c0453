// ecommpay sandbox Payment Page: progressive enhancements. Every step works
// without this script (waiting pages reload themselves, the redirect to a
// provider is a button); the script only makes it quicker.
(function () {
  "use strict";

  // Waiting pages poll the payment's status and reload as soon as it moves
  // on: the server then sends the customer wherever the payment now goes.
  var poll = document.querySelector("[data-poll]");
  if (poll && window.fetch) {
    var url = poll.getAttribute("data-poll");
    var from = poll.getAttribute("data-status");
    var every = parseInt(poll.getAttribute("data-interval"), 10) || 1000;
    var started = Date.now();
    var check = function () {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (data) {
          if (data && data.status && data.status !== from) {
            window.location.reload();
            return;
          }
          schedule();
        })
        .catch(schedule);
    };
    var schedule = function () {
      // Slow down after a minute, so a page left open does not hammer the sandbox.
      var wait = Date.now() - started > 60000 ? Math.max(every, 5000) : every;
      setTimeout(check, wait);
    };
    schedule();
  }

  // The redirect to a provider that takes a POST submits itself.
  var auto = document.querySelector("form[data-autosubmit]");
  if (auto) {
    setTimeout(function () { auto.submit(); }, 300);
  }

  // A submitted form says it is busy and cannot be sent twice. Coming back
  // to the page (the browser's back button) makes it usable again.
  var forms = document.querySelectorAll("form[data-busy]");
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "true");
      var button = form.querySelector("button[type=submit][data-busy-label]");
      if (button) {
        button.setAttribute("aria-busy", "true");
        button.setAttribute("data-idle-html", button.innerHTML);
        var label = button.getAttribute("data-busy-label");
        setTimeout(function () { button.textContent = label; }, 0);
      }
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    forms.forEach(function (form) {
      form.removeAttribute("data-sent");
      var button = form.querySelector("button[aria-busy=true]");
      if (button) {
        button.removeAttribute("aria-busy");
        button.innerHTML = button.getAttribute("data-idle-html") || button.innerHTML;
      }
    });
  });

  // In the shop's iframe (EPayWidget.runEmbedded), tell the shop how tall
  // the page is, so the frame fits it without a scroll bar.
  if (window.parent !== window && window.parent.postMessage) {
    var last = 0;
    var report = function () {
      var height = Math.ceil(document.documentElement.scrollHeight);
      if (height !== last) {
        last = height;
        window.parent.postMessage({ source: "ecommpay-sandbox", type: "resize", height: height }, "*");
      }
    };
    window.addEventListener("load", report);
    window.addEventListener("resize", report);
    setTimeout(report, 0);
  }
})();
