/* e-Mitra citizen portal: registers the service worker and keeps form drafts on the device.
   A static file (the CSP allows no inline script). Drafts: a form with data-draft="name" is
   saved to localStorage as it is typed (never hidden fields, never the CSRF token or keys)
   and restored when the form is shown again; a form with data-draft-clear="name" clears
   that draft when it is submitted, and a page with an element data-draft-done="name" (the
   outcome page of that form) clears it when shown; files and fields marked data-no-draft
   (Aadhaar and Jan Aadhaar numbers) are never kept; logging out clears every draft and
   the page cache. */
(function () {
  "use strict";
  var PREFIX = "emitra-draft:";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function saveable(el) {
    return el.name && el.type !== "hidden" && el.type !== "password" && el.type !== "submit" &&
      el.type !== "file" && !el.hasAttribute("data-no-draft");
  }

  function keepDraft(form) {
    var ls = store();
    if (!ls) { return; }
    var key = PREFIX + form.getAttribute("data-draft");
    var saved = {};
    try { saved = JSON.parse(ls.getItem(key) || "{}") || {}; } catch (e) { saved = {}; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (saveable(el) && !el.value && typeof saved[el.name] === "string") {
        el.value = saved[el.name];
      }
    });
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (saveable(el)) { data[el.name] = el.value; }
      });
      ls.setItem(key, JSON.stringify(data));
    });
  }

  function clearDrafts(name) {
    var ls = store();
    if (!ls) { return; }
    for (var i = ls.length - 1; i >= 0; i--) {
      var k = ls.key(i);
      if (k && k.indexOf(PREFIX) === 0 && (!name || k === PREFIX + name)) { ls.removeItem(k); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), keepDraft);
    Array.prototype.forEach.call(document.querySelectorAll("[data-draft-done]"), function (el) {
      clearDrafts(el.getAttribute("data-draft-done"));
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-clear]"), function (f) {
      f.addEventListener("submit", function () { clearDrafts(f.getAttribute("data-draft-clear")); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('form[action$="/logout/"]'), function (f) {
      f.addEventListener("submit", function () {
        clearDrafts("");
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "logout" });
        }
      });
    });
  });

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
}());
