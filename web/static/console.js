// ecommpay sandbox, developer console: live updates, countdowns on the
// sandbox clock, copy buttons. Every page works without this script; it
// makes them follow the sandbox as it changes.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");

  // Copy buttons: data-clip holds the text, data-clip-from the id of a
  // field that does.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-clip], [data-clip-from]");
    if (!button) return;
    var text = button.getAttribute("data-clip");
    if (text === null) {
      var from = document.getElementById(button.getAttribute("data-clip-from"));
      text = from ? from.value : "";
    }
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copyText(text).then(function () { button.textContent = "Copied"; }, function () { button.textContent = "Copy failed"; })
      .then(function () { setTimeout(function () { button.textContent = label; }, 1600); });
  });

  // The sandbox clock: the page says what it was when rendered and whether
  // it runs; a running clock moves at wall speed.
  var base = null;
  function readClock() {
    var el = document.querySelector("[data-now]");
    base = el ? { now: Date.parse(el.getAttribute("data-now")), frozen: el.getAttribute("data-frozen") === "true", at: Date.now() } : null;
  }
  function sandboxNow() {
    if (!base) return Date.now();
    return base.frozen ? base.now : base.now + (Date.now() - base.at);
  }
  var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function two(n) { return n < 10 ? "0" + n : "" + n; }
  function formatTime(ms) {
    var d = new Date(ms);
    return d.getUTCDate() + " " + months[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds()) + " UTC";
  }
  // span mirrors web.FormatSpan: two largest units, whole seconds rounded up.
  function span(ms) {
    var s = Math.ceil(ms / 1000);
    var units = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
    for (var i = 0; i < units.length; i++) {
      if (s < units[i][0] && units[i][0] > 1) continue;
      var out = Math.floor(s / units[i][0]) + units[i][1];
      if (i + 1 < units.length) {
        var r = Math.floor((s % units[i][0]) / units[i + 1][0]);
        if (r > 0) out += " " + r + units[i + 1][1];
      }
      return out;
    }
    return "0s";
  }
  function tick() {
    if (!base || base.frozen) return;
    var now = sandboxNow();
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = formatTime(now); });
    var due = false;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-due")) - now;
      el.textContent = left > 0 ? "in " + span(left) : "due now";
      if (left <= 0 && left > -1000) due = true;
    });
    if (due) schedule(); // the job runs now: show what it did
  }
  readClock();
  setInterval(tick, 1000);

  // Live updates: the server streams the engine's changes; the page
  // fetches itself again and swaps the parts marked data-live, keeping
  // what the reader opened and what they are typing.
  var regions = document.querySelectorAll("[data-live][id]");
  var head = document.getElementById("payment-head");
  var mine = head ? head.getAttribute("data-payment") : "";
  var timer = null, busy = false, again = false;

  function relevant(ev) {
    if (!mine) return true;
    if (ev.kind === "payment" || ev.kind === "delivery") {
      return ev.payment && (ev.payment.project_id + "/" + ev.payment.payment_id) === mine;
    }
    return ev.kind !== "project" && ev.kind !== "refused";
  }
  function schedule() {
    if (busy) { again = true; return; }
    if (timer) return;
    timer = setTimeout(refresh, 200);
  }
  function refresh() {
    timer = null;
    busy = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Sandbox-Live": "1" } })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error("HTTP " + res.status)); })
      .then(swap)
      .catch(function () { /* the next change or the stream's reconnect tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; schedule(); }
      });
  }
  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var known = {};
    document.querySelectorAll("[data-key]").forEach(function (el) { known[el.getAttribute("data-key")] = true; });
    var typing = document.activeElement && document.activeElement.matches("input, select, textarea") ? document.activeElement : null;
    document.querySelectorAll("[data-live][id]").forEach(function (el) {
      var next = doc.getElementById(el.id);
      if (!next || (typing && el.contains(typing))) return;
      var open = [];
      el.querySelectorAll("details[id]").forEach(function (d) { open.push([d.id, d.open]); });
      el.innerHTML = next.innerHTML;
      open.forEach(function (o) {
        var d = document.getElementById(o[0]);
        if (d) d.open = o[1];
      });
    });
    document.querySelectorAll("[data-key]").forEach(function (el) {
      if (!known[el.getAttribute("data-key")]) el.classList.add("is-new");
    });
    readClock();
  }

  if (regions.length && window.EventSource) {
    var status = document.querySelector("[data-live-status]");
    var stream = new EventSource("/dashboard/events");
    var opened = false;
    stream.onopen = function () {
      if (status) status.hidden = false;
      // What changed between the page's render and the stream's start (or
      // while it reconnected) came with no event: look once.
      if (opened) schedule(); else setTimeout(schedule, 0);
      opened = true;
    };
    stream.onerror = function () { if (status) status.hidden = true; };
    stream.addEventListener("change", function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      if (relevant(ev)) schedule();
    });
    // The stream fell behind and missed changes: start again from the page.
    stream.addEventListener("reload", function () { location.reload(); });
    window.addEventListener("pagehide", function () { stream.close(); });
  }
})();
