/*
 * ecommpay sandbox: the merchant widget, served at /shared/merchant.js as
 * ecommpay serves it. A shop written for ecommpay's widget works against the
 * sandbox by loading this script from the sandbox instead:
 *
 *   <link rel="stylesheet" href="http://127.0.0.1:8080/shared/merchant.css">
 *   <script src="http://127.0.0.1:8080/shared/merchant.js"></script>
 *
 *   EPayWidget.run(configObj);            // a new tab, the parameters in the URL
 *   EPayWidget.run(configObj, 'POST');    // a new tab, the parameters POSTed
 *   EPayWidget.runEmbedded(configObj);    // an iframe in configObj.target_element
 *   EPayWidget.bind('pay-button', configObj, 'POST');  // run on the button's click
 *
 * configObj holds the Payment Page parameters and their signature, built on
 * the shop's server (project_id, payment_id, payment_amount,
 * payment_currency, customer_id, …, signature). Every property is sent as a
 * parameter except functions (event handlers) and null or undefined values;
 * objects are sent as JSON, booleans as true/false (the Payment Page reads
 * them as 1/0, as the SDKs sign them). run() with a target_element embeds,
 * as ecommpay's widget does. The embedded page gets frame_mode=iframe, which
 * no signature covers; the frame grows to the page's height, and when the
 * customer goes on to the provider (a voucher, a checkout) that page opens
 * in the whole window, as on ecommpay, and comes back to the result there. Of the event handlers only onLoaded (the page is
 * shown) and onDestroy (runEmbedded's destroy()) are called.
 *
 * The script finds the sandbox from its own <script src>, so it works on
 * any address the sandbox is served at.
 */
(function (window, document) {
  "use strict";

  function ownScript() {
    if (document.currentScript) return document.currentScript;
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/shared\/merchant\.js(\?|#|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  var script = ownScript();
  var origin = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;
  var pageURL = origin + "/payment";
  var frames = 0;

  // fields returns the parameters of config as [name, value] pairs.
  function fields(config) {
    var out = [];
    Object.keys(config || {}).forEach(function (name) {
      var value = config[name];
      if (value === null || value === undefined || typeof value === "function") return;
      if (typeof value === "object") value = JSON.stringify(value);
      out.push([name, String(value)]);
    });
    return out;
  }

  function with_(config, name, value) {
    var copy = {};
    Object.keys(config || {}).forEach(function (k) { copy[k] = config[k]; });
    copy[name] = value;
    return copy;
  }

  // url returns the Payment Page URL that carries config.
  function url(config) {
    var query = new URLSearchParams();
    fields(config).forEach(function (f) { query.append(f[0], f[1]); });
    return pageURL + "?" + query.toString();
  }

  // post sends config to the Payment Page as a form into target.
  function post(config, target) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = pageURL;
    form.target = target;
    form.acceptCharset = "utf-8";
    form.style.display = "none";
    fields(config).forEach(function (f) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = f[0];
      input.value = f[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
    document.body.removeChild(form);
  }

  function isPost(method) { return String(method || "GET").toUpperCase() === "POST"; }

  // run opens the Payment Page in a new tab (or, with target_element, in
  // the shop's page).
  function run(config, method) {
    if (config && config.target_element) return runEmbedded(config, method);
    if (isPost(method)) {
      post(config, "_blank");
      return null;
    }
    var target = url(config);
    var tab = window.open(target, "_blank");
    if (!tab) {
      window.location.assign(target); // a blocked pop-up: go there in this tab
      return null;
    }
    try { tab.opener = null; } catch (e) { /* cross-origin already */ }
    return tab;
  }

  // runEmbedded opens the Payment Page in an iframe inside the element
  // config.target_element names (an id, or the element itself). It returns
  // {iframe, destroy}.
  function runEmbedded(config, method) {
    var target = config && config.target_element;
    var host = typeof target === "string" ? document.getElementById(target) : target;
    if (!host || !host.appendChild) {
      throw new Error("EPayWidget.runEmbedded: set target_element to the id of the element the payment page goes in (got " + target + ")");
    }
    var name = "epay-sandbox-frame-" + (++frames);
    var iframe = document.createElement("iframe");
    iframe.name = name;
    iframe.className = "epay-sandbox-frame";
    iframe.title = "Payment page";
    iframe.setAttribute("allow", "payment; clipboard-write");
    while (host.firstChild) host.removeChild(host.firstChild);
    host.appendChild(iframe);

    var framed = with_(config, "frame_mode", "iframe");
    var loaded = false;
    iframe.addEventListener("load", function () {
      var href = "";
      try { href = iframe.contentWindow.location.href; } catch (e) { href = "cross-origin"; }
      if (loaded || href === "about:blank") return; // the empty frame, before the page
      loaded = true;
      if (typeof config.onLoaded === "function") config.onLoaded();
    });
    var resize = function (event) {
      var data = event.data;
      if (event.origin !== origin || event.source !== iframe.contentWindow || !data || data.source !== "ecommpay-sandbox") return;
      if (data.type === "resize" && data.height > 0) iframe.style.height = Math.ceil(data.height) + "px";
    };
    window.addEventListener("message", resize);

    if (isPost(method)) {
      post(framed, name);
    } else {
      iframe.src = url(framed);
    }
    return {
      iframe: iframe,
      destroy: function () {
        window.removeEventListener("message", resize);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
        if (typeof config.onDestroy === "function") config.onDestroy();
      }
    };
  }

  // bind runs the widget when the element with id is clicked.
  function bind(id, config, method) {
    var el = typeof id === "string" ? document.getElementById(id) : id;
    if (!el) throw new Error("EPayWidget.bind: no element with id " + id);
    el.addEventListener("click", function (event) {
      event.preventDefault();
      run(config, method);
    });
  }

  window.EPayWidget = {
    run: run,
    runEmbedded: runEmbedded,
    bind: bind,
    url: url,
    origin: origin,
    sandbox: true
  };
})(window, document);
