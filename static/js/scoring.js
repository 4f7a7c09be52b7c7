// The scoring form of a judge's entry page (#score-form): saved as a draft while
// it is typed, and kept in this browser until the server has it.
//
// Every change is written at once to localStorage (per judge and assignment), with
// the version of the score it was typed over, then sent a moment after the typing
// stops. The copy is removed when the server has saved exactly what it holds. A
// page loaded with a copy left behind (a reload mid-comment, a closed tab, a
// connection lost) puts it back in the form and sends it, unless the score saved
// on the server since is this copy's own form post (a submit that went through).
// Offline, the copy waits and is sent when the `online` event comes. The state is
// said in an aria-live region: Saved / Saving… / Offline… / An earlier save from
// another window was replaced. The words come from the form's data- attributes,
// translated by the server (no JavaScript catalogue is needed).
//
// "Save draft" (and S) saves at once without leaving the page; "Submit score" is
// an ordinary form post. F (or the link) moves the focus into the form, Esc out
// of it.
(function () {
  "use strict";

  var form = document.getElementById("score-form");
  if (!form || !window.fetch) return;

  var PREFIX = "artsprize:score:";
  var DELAY_MS = 800;
  var key = PREFIX + (form.dataset.owner || "") + ":" + form.dataset.assignment;
  var state = document.getElementById("score-state");
  var problems = document.getElementById("score-problems");
  var versionField = form.querySelector('input[name="base_version"]');
  var version = parseInt(form.dataset.version, 10) || 0;
  var timer = null;
  var sending = false;
  var again = false;
  var SKIPPED = ["csrfmiddlewaretoken", "base_version", "next", "save", "submit"];

  function store() {
    try {
      var local = window.localStorage;
      local.setItem(PREFIX + "probe", "1");
      local.removeItem(PREFIX + "probe");
      return local;
    } catch (error) {
      return null;
    }
  }
  var local = store();

  function fields() {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && SKIPPED.indexOf(field.name) === -1 && !field.disabled;
    });
  }

  function read() {
    var values = {};
    fields().forEach(function (field) {
      if (field.type === "radio") {
        if (!(field.name in values)) values[field.name] = "";
        if (field.checked) values[field.name] = field.value;
      } else if (field.type !== "checkbox") {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function put(values) {
    fields().forEach(function (field) {
      if (!(field.name in values)) return;
      if (field.type === "radio") field.checked = field.value === values[field.name];
      else if (field.type !== "checkbox") field.value = values[field.name];
    });
  }

  function same(a, b) {
    var names = Object.keys(a).concat(Object.keys(b));
    return names.every(function (name) {
      return String(a[name] || "").replace(/\r\n?/g, "\n").trim() ===
        String(b[name] || "").replace(/\r\n?/g, "\n").trim();
    });
  }

  function loadCopy() {
    if (!local) return null;
    try {
      var copy = JSON.parse(local.getItem(key));
      return copy && typeof copy.values === "object" ? copy : null;
    } catch (error) {
      return null;
    }
  }

  // The copy: what is typed, the version it was typed over, what was last sent
  // from it (a save whose answer may never come) and whether it was submitted.
  function keep(extra) {
    if (!local) return;
    var copy = { values: read(), base: version, sent: null, submitted: false, at: Date.now() };
    var before = loadCopy();
    if (before && before.base === version) copy.sent = before.sent || null;
    Object.keys(extra || {}).forEach(function (name) { copy[name] = extra[name]; });
    try {
      local.setItem(key, JSON.stringify(copy));
    } catch (error) {
      // Storage full: the copy is not kept, the save still goes.
    }
  }

  // Copies of other works older than this are dropped when a page loads.
  var MAX_AGE_MS = 30 * 24 * 3600 * 1000;
  function sweep() {
    if (!local) return;
    var old = [];
    for (var i = 0; i < local.length; i++) {
      var name = local.key(i);
      if (!name || name.indexOf(PREFIX) !== 0 || name === key) continue;
      try {
        var copy = JSON.parse(local.getItem(name));
        if (!copy || Date.now() - copy.at > MAX_AGE_MS) old.push(name);
      } catch (error) {
        old.push(name);
      }
    }
    old.forEach(function (name) { local.removeItem(name); });
  }

  function dropIfSent(sent) {
    var copy = loadCopy();
    if (!copy) return;
    if (same(copy.values, sent)) {
      local.removeItem(key);
    } else {
      keep(); // Typed on since: over the new version now.
    }
  }

  function say(name, text) {
    if (!state) return;
    var attribute = "state" + name.charAt(0).toUpperCase() + name.slice(1);
    state.dataset.state = name;
    state.textContent = text || form.dataset[attribute] || "";
  }

  function showProblems(found) {
    fields().forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.classList.remove("is-invalid");
    });
    if (!problems) return;
    problems.textContent = "";
    var names = Object.keys(found || {});
    problems.hidden = names.length === 0;
    names.forEach(function (name) {
      var label = "";
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        field.setAttribute("aria-invalid", "true");
        if (field.type !== "radio") field.classList.add("is-invalid");
      });
      var first = form.querySelector('[name="' + name + '"]');
      if (first) {
        var group = first.closest("fieldset");
        var legend = group && group.querySelector("legend");
        var own = form.querySelector('label[for="' + first.id + '"]');
        label = (legend || own || { textContent: "" }).textContent.trim();
      }
      var item = document.createElement("li");
      item.textContent = (label ? label + ": " : "") + found[name];
      problems.appendChild(item);
    });
  }

  function csrf() {
    var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function send() {
    window.clearTimeout(timer);
    timer = null;
    if (sending) {
      again = true;
      return;
    }
    if (navigator.onLine === false) {
      say("offline");
      return;
    }
    var sent = read();
    var base = version;
    keep({ sent: sent });
    sending = true;
    say("saving");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrf(),
        "X-Requested-With": "fetch",
      },
      body: JSON.stringify({ data: sent, base_version: base, submit: false }),
    })
      .then(function (response) {
        return response.json().then(
          function (body) { return { response: response, body: body }; },
          function () { return { response: response, body: {} }; }
        );
      })
      .then(function (answer) {
        sending = false;
        var body = answer.body || {};
        var status = answer.response.status;
        if (answer.response.ok && typeof body.version === "number") {
          version = body.version;
          form.dataset.version = String(version);
          if (versionField) versionField.value = String(version);
          dropIfSent(sent);
          showProblems({});
          say(body.replaced ? "replaced" : "saved", body.message);
        } else if (status === 400 && body.problems) {
          showProblems(body.problems);
          say("failed", body.message);
        } else if (status === 409) {
          say("closed", body.message);
        } else {
          // Signed out, not allowed any more, or the server in trouble: the
          // copy stays on this device.
          say("error", body.message);
        }
        if (again) {
          again = false;
          send();
        }
      })
      .catch(function () {
        sending = false;
        again = false;
        say("offline");
      });
  }

  function changed(event) {
    if (!event.target || event.target.form !== form) return;
    if (SKIPPED.indexOf(event.target.name) !== -1) return;
    keep();
    window.clearTimeout(timer);
    timer = window.setTimeout(send, DELAY_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    timer = null;
    if (versionField) versionField.value = String(version);
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-save")) {
      event.preventDefault();
      send();
    } else {
      keep({ submitted: true });
    }
  });

  window.addEventListener("online", function () {
    if (loadCopy()) send();
  });
  window.addEventListener("offline", function () {
    say("offline");
  });
  window.addEventListener("pagehide", function () {
    if (timer !== null) keep();
  });

  // Esc leaves a field of the form, so that the page's shortcut keys work again.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.name) return;
    var heading = document.getElementById("score-heading");
    if (heading) heading.focus();
  });

  document.querySelectorAll("[data-focus-form]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var first = fields()[0];
      if (first) first.focus();
    });
  });

  // A copy left behind by this browser: back into the form, and sent, unless
  // the server holds it already or a form post of it went through since.
  sweep();
  var copy = loadCopy();
  if (copy) {
    var ownSaveLanded =
      copy.sent && version === copy.base + 1 && same(copy.sent, read());
    if (same(copy.values, read()) || (copy.submitted && version > copy.base)) {
      local.removeItem(key);
    } else {
      put(copy.values);
      if (copy.base < version && !ownSaveLanded) {
        // Another window saved since: this copy, sent now, replaces it (the
        // answer says so).
        version = copy.base;
      }
      say("restored");
      send();
    }
  }
})();
