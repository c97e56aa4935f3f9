// Otklik staff workspace: keyboard navigation, response templates, the call form's caller card and
// live updates (with incoming calls). Plain JavaScript, no build step; the pages work without it.
(function () {
  "use strict";
  var body = document.body;

  // Keyboard: j/k move through the list, Enter opens, / searches, r replies, g m / g n / g o go to a
  // queue, g c opens the call form, Ctrl+Enter in a text box sends its form, ? shows the help.
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var current = -1;
  function select(i) {
    if (!rows.length) return;
    if (current >= 0 && rows[current]) rows[current].classList.remove("selected");
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows[current].classList.add("selected");
    rows[current].scrollIntoView({ block: "nearest" });
    var a = rows[current].querySelector("a");
    if (a) a.focus({ preventScroll: true });
  }
  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t && t.tagName === "TEXTAREA" && t.form) {
      if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
      e.preventDefault();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) {
      if (e.key === "Escape") t.blur();
      return;
    }
    var help = document.getElementById("help");
    if (pendingG) {
      pendingG = false;
      var to = { m: "/agent/q/mine", n: "/agent/q/new", o: "/agent/q/overdue", a: "/agent/q/all", c: "/agent/call" }[e.key];
      if (to) { location.href = to; e.preventDefault(); }
      return;
    }
    switch (e.key) {
      case "j": select(current + 1); e.preventDefault(); break;
      case "k": select(current - 1); e.preventDefault(); break;
      case "Enter": if (current >= 0) { location.href = rows[current].dataset.href; e.preventDefault(); } break;
      case "/": var s = document.querySelector("[data-key=search]"); if (s) { s.focus(); e.preventDefault(); } break;
      case "r": var r = document.querySelector("[data-key=reply]"); if (r) { r.focus(); e.preventDefault(); } break;
      case "g": pendingG = true; break;
      case "?": if (help && help.showModal) { help.showModal(); e.preventDefault(); } break;
    }
  });
  rows.forEach(function (row, i) {
    row.addEventListener("click", function (e) {
      if (e.target.tagName !== "A") location.href = row.dataset.href;
    });
  });

  // Buttons of changes that are hard to undo ask first: data-confirm holds the question.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });

  // Response templates: choosing one puts its filled-in text into the reply box.
  var tpl = document.getElementById("template");
  var text = document.getElementById("body");
  if (tpl && text) {
    tpl.addEventListener("change", function () {
      var o = tpl.options[tpl.selectedIndex];
      if (!o || !o.dataset.body) return;
      if (text.value.trim() === "" || text.value === text.dataset.fromTemplate) {
        text.value = o.dataset.body;
      } else {
        text.value = text.value.replace(/\s*$/, "") + "\n\n" + o.dataset.body;
      }
      text.dataset.fromTemplate = text.value;
      text.focus();
    });
  }

  // The call form: the caller's card follows what the operator types in the phone, СНИЛС and e-mail
  // fields (the form's "Найти" button, sent in the background; nothing is registered).
  var callForm = document.getElementById("call-form");
  if (callForm && window.fetch && window.FormData) {
    var lookupTimer = null, lookupSeq = 0;
    var lookup = function () {
      var seq = ++lookupSeq;
      var data = new FormData(callForm);
      data.set("action", "lookup");
      fetch("/agent/call", { method: "POST", body: new URLSearchParams(data), credentials: "same-origin",
        headers: { "X-CSRF-Token": body.dataset.csrf } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (seq !== lookupSeq) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("caller");
          var old = document.getElementById("caller");
          if (fresh && old) old.replaceWith(fresh);
        })
        .catch(function () {});
    };
    Array.prototype.forEach.call(callForm.querySelectorAll("[data-lookup]"), function (el) {
      el.addEventListener("change", lookup);
      el.addEventListener("input", function () {
        clearTimeout(lookupTimer);
        lookupTimer = setTimeout(lookup, 600);
      });
    });
  }

  // Live updates over server-sent events: every page of the workspace listens, if only for calls.
  if (!window.EventSource || !body.classList.contains("agent")) return;
  var ticketEl = document.querySelector("[data-live=ticket]");
  var queueEl = document.querySelector("[data-live=queue]");
  var url = "/agent/events" + (ticketEl ? "?ticket=" + encodeURIComponent(ticketEl.dataset.ticket) : "");
  var es = new EventSource(url);
  var viewers = {};

  function showPresence() {
    var p = document.getElementById("presence");
    if (!p) return;
    var now = Date.now(), names = [];
    Object.keys(viewers).forEach(function (id) {
      if (viewers[id].until > now) names.push(viewers[id].name); else delete viewers[id];
    });
    p.hidden = names.length === 0;
    p.textContent = p.dataset.label + " " + names.join(", ");
  }
  setInterval(showPresence, 5000);

  var reloading = false, again = false;
  function reloadQueue() {
    if (reloading) { again = true; return; }
    reloading = true;
    fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["queue-counts", "queue-rows"].forEach(function (id) {
          var fresh = doc.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
          else if (fresh && !old && id === "queue-rows") location.reload();
        });
        rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
        rows.forEach(function (row) {
          row.addEventListener("click", function (e) { if (e.target.tagName !== "A") location.href = row.dataset.href; });
        });
        current = -1;
      })
      .finally(function () {
        reloading = false;
        if (again) { again = false; setTimeout(reloadQueue, 300); }
      });
  }

  // An incoming call shows a banner with a link to the caller's card; the page stays where it is, so
  // that a reply being typed is not lost.
  var banner = document.getElementById("call-banner");
  var dismiss = document.getElementById("call-dismiss");
  if (dismiss && banner) dismiss.addEventListener("click", function () { banner.hidden = true; });
  function incomingCall(e) {
    if (!banner || !e.phone) return;
    document.getElementById("call-phone").textContent = e.masked || "";
    document.getElementById("call-open").href = "/agent/call?phone=" + encodeURIComponent(e.phone);
    banner.hidden = false;
  }

  es.onmessage = function (m) {
    var e;
    try { e = JSON.parse(m.data); } catch (err) { return; }
    if (e.type === "call.incoming") {
      incomingCall(e);
      return;
    }
    if (queueEl && (e.type === "ticket.created" || e.type === "ticket.updated")) {
      reloadQueue();
      return;
    }
    if (!ticketEl || e.ticket !== ticketEl.dataset.ticket) return;
    if (e.type === "ticket.viewing") {
      viewers[e.user_id] = { name: e.actor, until: Date.now() + 50000 };
      showPresence();
    } else if (e.type === "ticket.left") {
      delete viewers[e.user_id];
      showPresence();
    } else if (e.type === "ticket.updated" && e.version > Number(ticketEl.dataset.version)) {
      document.getElementById("changed").hidden = false;
      var form = document.getElementById("reply");
      if (form) form.dataset.stale = "1";
    }
  };

  // A reply written on a stale view warns once before it goes.
  var reply = document.getElementById("reply");
  if (reply) {
    reply.addEventListener("submit", function (e) {
      var w = document.getElementById("stale-warning");
      if (reply.dataset.stale === "1" && w && w.hidden) {
        w.hidden = false;
        e.preventDefault();
      }
    });
  }
})();
