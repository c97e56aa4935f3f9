// Otklik citizen portal: progressive enhancement only; every page works with JavaScript off.
// On the feedback form it checks each field as it is left (formats only, nothing is sent anywhere;
// the server stays the authority and says the same words), solves the captcha's proof of work,
// keeps a second click from sending the form twice, and shows knowledge-base suggestions for the
// subject.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  var form = document.getElementById("portal-form");
  if (!form) {
    return;
  }
  var msgs = {};
  try {
    msgs = JSON.parse(document.getElementById("portal-messages").textContent) || {};
  } catch (e) {
    msgs = {};
  }
  function msg(key, name) {
    var m = msgs[key] || "";
    return name ? m.replace("{name}", name) : m;
  }

  // --- Checks: the server's rules, in small -------------------------------------------------

  function snilsError(v) {
    if (!/^\d{3}-\d{3}-\d{3} \d{2}$/.test(v)) {
      return "ui.portal.err.snils_format";
    }
    var d = v.replace(/\D/g, "");
    if (/^0+$/.test(d)) {
      return "snils.zero";
    }
    if (parseInt(d.slice(0, 9), 10) <= 1001998) {
      return ""; // the check number is verified only above 001-001-998
    }
    var s = 0;
    for (var i = 0; i < 9; i++) {
      s += (d.charCodeAt(i) - 48) * (9 - i);
    }
    var c = s < 100 ? s : (s === 100 || s === 101) ? 0 : s % 101;
    if (c === 100) {
      c = 0;
    }
    return c === parseInt(d.slice(9), 10) ? "" : "snils.checksum";
  }

  function innControl(d, w) {
    var s = 0;
    for (var i = 0; i < w.length; i++) {
      s += (d.charCodeAt(i) - 48) * w[i];
    }
    return (s % 11) % 10;
  }
  function innError(v) {
    if (!/^(\d{10}|\d{12})$/.test(v)) {
      return "inn.format";
    }
    if (/^0+$/.test(v)) {
      return "inn.zero";
    }
    var last = function (i) { return v.charCodeAt(i) - 48; };
    if (v.length === 10) {
      return innControl(v, [2, 4, 10, 3, 5, 9, 4, 6, 8]) === last(9) ? "" : "inn.checksum";
    }
    return innControl(v, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === last(10) &&
      innControl(v, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === last(11) ? "" : "inn.checksum";
  }

  function emailError(v) {
    return /^[^\s@<>()\[\],;:"]+@[^\s@<>()\[\],;:"]+\.[^\s@<>()\[\],;:".]+$/.test(v) ? "" : "email.format";
  }

  function phoneError(v) {
    var number = v.split(/доб\.?|ext\.?|#|\bx/i)[0];
    if (/[^\d\s()+\-.\u00a0\u2010-\u2014]/.test(number)) {
      return "phone.format";
    }
    var digits = number.replace(/\D/g, "").length;
    return digits < 6 || digits > 15 ? "phone.format" : "";
  }

  var allowed = /\.(pdf|docx|xlsx|jpe?g|png)$/i;
  function filesError(input) {
    var fs = input.files || [];
    if (fs.length > 5) {
      return msg("file.too_many");
    }
    for (var i = 0; i < fs.length; i++) {
      if (!allowed.test(fs[i].name)) {
        return msg("file.type_not_allowed", fs[i].name);
      }
      if (fs[i].size > 5 * 1024 * 1024) {
        return msg("file.too_large", fs[i].name);
      }
    }
    return "";
  }

  // checks: the field's id → its check, which returns the message ("" when right).
  var required = { category: "ui.portal.err.category", subject: "ui.portal.err.subject", body: "ui.portal.err.body", email: "ui.portal.err.email" };
  var formats = { snils: snilsError, inn: innError, email: emailError, phone: phoneError };
  function check(el) {
    var v = el.type === "checkbox" ? (el.checked ? "yes" : "") : el.value.trim();
    if (el.id === "files") {
      return filesError(el);
    }
    if (el.id === "consent") {
      return v ? "" : msg("ui.portal.err.consent");
    }
    if (v === "") {
      return required[el.id] ? msg(required[el.id]) : "";
    }
    var f = formats[el.id];
    return f ? msg(f(v)) : "";
  }

  // --- Showing errors: as the server renders them -----------------------------------------

  function describedBy(el, id, on) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) {
      ids.push(id);
    }
    if (ids.length) {
      el.setAttribute("aria-describedby", ids.join(" "));
    } else {
      el.removeAttribute("aria-describedby");
    }
  }
  function setError(el, text) {
    var id = el.id + "-error";
    var p = document.getElementById(id);
    if (text) {
      if (!p) {
        p = document.createElement("p");
        p.className = "field-error";
        p.id = id;
        var at = el.id === "consent" ? el.parentNode : el;
        at.parentNode.insertBefore(p, at);
      }
      p.textContent = text;
      el.setAttribute("aria-invalid", "true");
    } else {
      if (p) {
        p.parentNode.removeChild(p);
      }
      el.removeAttribute("aria-invalid");
    }
    describedBy(el, id, !!text);
  }

  var fields = ["category", "service", "subject", "body", "files", "email", "phone", "name", "snils", "inn", "consent"]
    .map(function (id) { return document.getElementById(id); })
    .filter(function (el) { return el; });

  // A СНИЛС typed as 11 digits (or with other separators) is written out as XXX-XXX-XXX YY.
  var snils = document.getElementById("snils");
  if (snils) {
    snils.addEventListener("blur", function () {
      var d = snils.value.replace(/[\s\u00a0\-\u2010-\u2014]/g, "");
      if (/^\d{11}$/.test(d)) {
        snils.value = d.slice(0, 3) + "-" + d.slice(3, 6) + "-" + d.slice(6, 9) + " " + d.slice(9);
      }
    });
  }

  fields.forEach(function (el) {
    var ev = el.type === "checkbox" || el.type === "file" || el.tagName === "SELECT" ? "change" : "blur";
    el.addEventListener(ev, function () {
      // An empty field is not scolded for being left; it is when the form is sent.
      if (ev === "blur" && el.value.trim() === "" && el.getAttribute("aria-invalid") !== "true") {
        return;
      }
      setError(el, check(el));
    });
  });

  function showSummary(problems) {
    if (!summary) {
      summary = document.createElement("div");
      summary.id = "error-summary";
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      summary.setAttribute("aria-labelledby", "error-summary-title");
      var h = document.createElement("h2");
      h.id = "error-summary-title";
      h.textContent = form.getAttribute("data-summary") || "";
      summary.appendChild(h);
      var h1 = document.querySelector("main h1");
      var lead = h1 && h1.nextElementSibling;
      h1.parentNode.insertBefore(summary, lead ? lead.nextSibling : h1.nextSibling);
    }
    var ul = summary.querySelector("ul");
    if (!ul) {
      ul = document.createElement("ul");
      summary.appendChild(ul);
    }
    ul.textContent = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + p.el.id;
      a.textContent = p.text;
      a.addEventListener("click", function (e) {
        e.preventDefault();
        p.el.focus();
      });
      li.appendChild(a);
      ul.appendChild(li);
    });
    summary.focus();
  }

  // --- The captcha: proof of work with crypto.subtle ---------------------------------------

  var challenge = document.getElementById("challenge");
  var pow = document.getElementById("pow");
  var status = document.getElementById("pow-status");
  var sum = document.getElementById("captcha-sum");
  var answer = document.getElementById("answer");
  var solving = null;

  function leadingZeros(buf, bits) {
    var b = new Uint8Array(buf);
    for (var i = 0; bits > 0; i++) {
      if (bits >= 8) {
        if (b[i] !== 0) {
          return false;
        }
        bits -= 8;
      } else {
        return (b[i] >> (8 - bits)) === 0;
      }
    }
    return true;
  }
  function solve(token, bits) {
    var enc = new TextEncoder();
    var prefix = token + ":";
    var n = 0;
    var batch = 128;
    function round() {
      var ps = [];
      for (var i = 0; i < batch; i++) {
        ps.push(crypto.subtle.digest("SHA-256", enc.encode(prefix + (n + i))));
      }
      return Promise.all(ps).then(function (hs) {
        for (var i = 0; i < hs.length; i++) {
          if (leadingZeros(hs[i], bits)) {
            return String(n + i);
          }
        }
        n += batch;
        return round();
      });
    }
    return round();
  }
  function showSum() {
    sum.hidden = false;
    status.hidden = true;
  }
  if (challenge && pow && sum && status && window.crypto && window.crypto.subtle && window.TextEncoder && window.Promise) {
    sum.hidden = true;
    status.hidden = false;
    var captchaError = document.getElementById("captcha-error");
    if (captchaError && !answer.value) {
      captchaError.parentNode.removeChild(captchaError); // the new challenge is solved anew, without asking
    }
    if (pow.value) {
      status.textContent = msg("ui.portal.captcha.done");
    } else {
      status.textContent = msg("ui.portal.captcha.working");
      var bits = parseInt(challenge.getAttribute("data-bits"), 10) || 14;
      solving = solve(challenge.value, bits).then(function (nonce) {
        pow.value = nonce;
        status.textContent = msg("ui.portal.captcha.done");
        solving = null;
      }, function () {
        solving = null;
        showSum();
      });
    }
  }

  // --- Sending: check everything, wait for the proof of work, send once ---------------------

  var button = document.getElementById("submit");
  var sent = false;
  form.addEventListener("submit", function (ev) {
    if (sent) {
      ev.preventDefault(); // a second click: the first submission is on its way
      return;
    }
    var problems = [];
    fields.forEach(function (el) {
      var t = check(el);
      setError(el, t);
      if (t) {
        problems.push({ el: el, text: t });
      }
    });
    if (problems.length) {
      ev.preventDefault();
      showSummary(problems);
      return;
    }
    sent = true;
    if (button) {
      button.setAttribute("aria-disabled", "true");
    }
    if (solving) {
      ev.preventDefault();
      var go = function () { form.submit(); };
      solving.then(go, go);
    }
  });
  // Coming back to the page (the back button) lets the form be sent again: the same one-time token
  // makes it return the same ticket.
  window.addEventListener("pageshow", function () {
    sent = false;
    if (button) {
      button.removeAttribute("aria-disabled");
    }
  });

  // --- Knowledge-base suggestions for the subject ------------------------------------------

  var subject = document.getElementById("subject");
  var kb = document.getElementById("kb-suggest");
  var timer = null;
  var asked = "";
  function suggest() {
    var q = subject.value.trim();
    if (q.length < 3 || q === asked || !window.fetch) {
      if (q.length < 3) {
        kb.hidden = true;
      }
      return;
    }
    asked = q;
    fetch("/kb/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (items) {
        var ul = kb.querySelector("ul");
        ul.textContent = "";
        (items || []).forEach(function (it) {
          if (!it || typeof it.url !== "string" || it.url.charAt(0) !== "/" || it.url.charAt(1) === "/") {
            return;
          }
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = it.url;
          a.target = "_blank";
          a.rel = "noopener";
          a.textContent = it.title || it.url;
          li.appendChild(a);
          ul.appendChild(li);
        });
        kb.hidden = ul.children.length === 0;
      })
      .catch(function () { kb.hidden = true; });
  }
  if (subject && kb) {
    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 400);
    });
  }
})();
