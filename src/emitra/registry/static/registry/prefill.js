// "Fill from Jan Aadhaar" without a page reload: a button with data-jan-aadhaar-url (the
// registry's prefill JSON endpoint for a live consent) fills the inputs of its form whose
// names match the returned fields. No inline script, so the strict CSP holds.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-jan-aadhaar-url]");
    if (!button) return;
    event.preventDefault();
    var form = button.closest("form");
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    fetch(button.getAttribute("data-jan-aadhaar-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        var ok = result[0], body = result[1];
        if (!ok) { if (status) status.textContent = body.message || ""; return; }
        Object.keys(body.fields).forEach(function (name) {
          var input = form && form.elements.namedItem(name);
          if (input && "value" in input && body.fields[name] !== "") {
            input.value = body.fields[name];
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
        });
        if (status) status.textContent = button.getAttribute("data-filled-text") || "";
      });
  });
})();
