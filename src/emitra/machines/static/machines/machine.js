/* e-Mitra Plus machine screen: idle timeout, heartbeat, numeric keypad, and the device
   bridge (insert cash -> escrow -> confirm, or charge a card). No inline script anywhere (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var home = body.dataset.home;
  var screen = body.dataset.screen;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var DRAFT = "machine.consumer";

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(data || {})
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false }; });
    });
  }

  /* Forget the citizen: local storage, the screen, and the server session. */
  var wiping = false;
  function wipe() {
    if (wiping) { return; }
    wiping = true;
    try { sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
    try { localStorage.clear(); } catch (e) { /* storage may be disabled */ }
    var main = document.getElementById("machine-main");
    if (main) { main.replaceChildren(); }
    post(body.dataset.idleUrl).finally(function () { window.location.replace(home); });
  }

  /* Idle timeout: any touch restarts it; the attract screen has nothing to forget. */
  var idleMs = (parseFloat(body.dataset.idleSeconds) || 60) * 1000;
  var timer = null;
  function restart() {
    if (timer) { clearTimeout(timer); }
    if (screen !== "attract") { timer = setTimeout(wipe, idleMs); }
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();

  /* Heartbeat: the machine is alive; the server adds its device states. */
  var beatMs = (parseFloat(body.dataset.heartbeatSeconds) || 60) * 1000;
  function beat() { post(body.dataset.heartbeatUrl, { devices: { screen: "ok" } }); }
  beat();
  setInterval(beat, beatMs);

  /* Cancel / Done: forget the citizen at once. */
  document.querySelectorAll("[data-cancel]").forEach(function (link) {
    link.addEventListener("click", function (event) { event.preventDefault(); wipe(); });
  });

  /* Numeric keypad for the consumer number (the draft survives a language switch) or a
     voucher's code (never kept in storage: it is money). */
  var consumer = document.getElementById("consumer");
  var input = consumer || document.getElementById("voucher-code");
  if (input) {
    var longest = input.maxLength > 0 ? input.maxLength : 20;
    if (consumer) { input.value = sessionStorage.getItem(DRAFT) || ""; }
    document.querySelectorAll("#keypad [data-key]").forEach(function (key) {
      key.addEventListener("click", function () {
        var k = key.dataset.key;
        if (k === "clear") { input.value = ""; }
        else if (k === "back") { input.value = input.value.slice(0, -1); }
        else if (input.value.length < longest) { input.value += k; }
        if (consumer) { sessionStorage.setItem(DRAFT, input.value); }
      });
    });
  }

  /* Choosing cash or card: one panel shows at a time. */
  var methods = document.querySelectorAll("[data-method]");
  var cashPanel = document.getElementById("cash-panel");
  var cardPanel = document.getElementById("card-panel");
  var methodCard = document.getElementById("method-card");
  methods.forEach(function (button) {
    button.addEventListener("click", function () {
      var card = button.dataset.method === "card";
      methods.forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
      if (cashPanel) { cashPanel.hidden = card; }
      if (cardPanel) { cardPanel.hidden = !card; }
    });
  });

  /* Paying in cash through the device bridge. */
  var panel = cashPanel;
  if (panel) {
    var escrow = document.getElementById("escrow");
    var error = document.getElementById("cash-error");
    var confirm = document.getElementById("cash-confirm");
    var notes = panel.querySelectorAll("[data-note]");
    var show = function (message) { error.textContent = message || ""; error.hidden = !message; };
    var stop = function () {
      notes.forEach(function (n) { n.disabled = true; });
      confirm.disabled = true;
    };
    notes.forEach(function (button) {
      button.addEventListener("click", function () {
        show("");
        post(panel.dataset.insert, { note: parseInt(button.dataset.note, 10) }).then(function (r) {
          if (r.escrow) { escrow.textContent = r.escrow; }
          if (r.ok) {
            confirm.disabled = !r.enough;
            if (methodCard) { methodCard.disabled = true; }  /* notes in: finish in cash */
            return;
          }
          show(r.message);
          if (r.state && r.state !== "collecting") { stop(); }
        });
      });
    });
    confirm.addEventListener("click", function () {
      stop();
      show("");
      post(panel.dataset.confirm).then(function (r) {
        if (r.ok) { window.location.assign(panel.dataset.outcome); return; }
        show(r.message);
        if (r.state === "collecting") { notes.forEach(function (n) { n.disabled = false; }); }
      });
    });
    document.getElementById("cash-cancel").addEventListener("click", function () {
      stop();
      post(panel.dataset.return).finally(wipe);
    });
  }

  /* Paying by card: one charge per touch; the button stays off until the reader answers, and
     the server refuses a second charge anyway. Declined or failed: try again, or pay cash. */
  if (cardPanel) {
    var pay = document.getElementById("card-pay");
    var cardError = document.getElementById("card-error");
    var wait = document.getElementById("card-wait");
    var outcomeUrl = document.getElementById("pay-panel").dataset.outcome;
    pay.addEventListener("click", function () {
      if (pay.disabled) { return; }
      pay.disabled = true;
      methods.forEach(function (b) { b.disabled = true; });
      cardError.hidden = true;
      wait.hidden = false;
      post(cardPanel.dataset.charge).then(function (r) {
        wait.hidden = true;
        if (r.ok) { window.location.assign(outcomeUrl); return; }
        cardError.textContent = r.message || "";
        cardError.hidden = !r.message;
        if (r.state === "collecting") {
          pay.disabled = false;
          methods.forEach(function (b) { b.disabled = false; });
        }
        if (r.state === "charging") { setTimeout(function () { pay.disabled = false; }, 2000); }
      });
    });
  }

  /* A refund voucher covers the whole bill: one touch pays it. */
  var voucherPay = document.getElementById("voucher-pay");
  if (voucherPay) {
    var voucherError = document.getElementById("voucher-pay-error");
    voucherPay.addEventListener("click", function () {
      voucherPay.disabled = true;
      post(document.getElementById("voucher-panel").dataset.confirm).then(function (r) {
        if (r.ok) { window.location.assign(document.getElementById("pay-panel").dataset.outcome); return; }
        voucherError.textContent = r.message || "";
        voucherError.hidden = !r.message;
        voucherPay.disabled = r.state !== "collecting";
      });
    });
  }

  /* The outcome: poll until the biller has answered and the receipt is printed. */
  var outcome = document.getElementById("outcome");
  if (outcome) {
    var poll = function () {
      fetch(outcome.dataset.stateUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          outcome.dataset.state = s.state || "";
          if (s.state === "paid") {
            document.getElementById("outcome-title").hidden = true;
            document.getElementById("receipt-number").textContent = s.receipt;
            document.getElementById("outcome-paid").hidden = false;
          } else if (s.state === "vouchered") {
            document.getElementById("outcome-title").hidden = true;
            var list = document.getElementById("voucher-list");
            list.replaceChildren();
            (s.vouchers || []).forEach(function (v) {
              var li = document.createElement("li");
              li.textContent = v.number + " · " + v.amount;
              li.dataset.voucher = v.number;
              list.appendChild(li);
            });
            document.getElementById("outcome-voucher").hidden = false;
          }
          if (s.state === "paid" && s.vouchers && s.vouchers.length) {
            document.getElementById("change-list").textContent =
              s.vouchers.map(function (v) { return v.number + " · " + v.amount; }).join(", ");
            document.getElementById("outcome-change").hidden = false;
          }
          outcome.dataset.printed = s.printed ? "yes" : "no";
          if (!s.printed && s.state !== "returned") { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();
