// Keeps a copy of an entry's form in this browser while it is typed, so that
// nothing is lost when the sign-in lapses: a save that meets the log-in page or the
// "form expired" page finds the copy offered back on the form after logging in.
//
// A form opts in with data-draft-key (which form: "entry-12", "new-3") and
// data-draft-owner (a hash of the signed-in person, so that the next person who
// signs in on a shared phone never sees it). The copy holds no password, hidden
// field or file; it is bounded in size and in age; it is removed once the page
// shows what it holds, which is when the server has saved it. A form shown again
// after a refusal (data-draft-unsaved) shows what was typed but has not saved it,
// so its copy is kept.
//
// On the log-in page and the "form expired" page, [data-draft-kept] elements are
// shown when this tab's last save left a copy behind.
(function () {
  "use strict";

  var PREFIX = "artsprize:draft:";
  var PENDING = "artsprize:draft-pending";
  var MAX_AGE_MS = 2 * 24 * 3600 * 1000;
  var MAX_CHARS = 200000;
  var MAX_COPIES = 10;
  var SAVE_DELAY_MS = 400;
  var SKIPPED_TYPES = ["password", "file", "hidden", "submit", "button", "reset", "image"];

  function localStore() {
    try {
      var store = window.localStorage;
      store.setItem(PREFIX + "probe", "1");
      store.removeItem(PREFIX + "probe");
      return store;
    } catch (error) {
      return null; // Storage off (private mode, a full quota): nothing is kept.
    }
  }

  function tabStore() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;
    }
  }

  function load(store, key) {
    var copy;
    try {
      copy = JSON.parse(store.getItem(key));
    } catch (error) {
      copy = null;
    }
    if (!copy || typeof copy.values !== "object" || typeof copy.savedAt !== "number") {
      return null;
    }
    if (Date.now() - copy.savedAt > MAX_AGE_MS) {
      store.removeItem(key);
      return null;
    }
    return copy;
  }

  // Drops copies past their age, and the oldest past the number kept.
  function sweep(store) {
    var copies = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) copies.push(key);
    }
    copies = copies
      .map(function (key) { return { key: key, copy: load(store, key) }; })
      .filter(function (item) { return item.copy; })
      .sort(function (a, b) { return b.copy.savedAt - a.copy.savedAt; });
    copies.slice(MAX_COPIES).forEach(function (item) { store.removeItem(item.key); });
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return (
        field.name &&
        !field.disabled &&
        /^(INPUT|TEXTAREA|SELECT)$/.test(field.tagName) &&
        SKIPPED_TYPES.indexOf((field.type || "").toLowerCase()) === -1
      );
    });
  }

  function read(form) {
    var values = {};
    fieldsOf(form).forEach(function (field) {
      if (field.type === "checkbox") {
        values[field.name] = values[field.name] || [];
        if (field.checked) values[field.name].push(field.value);
      } else if (field.type === "radio") {
        if (!(field.name in values)) values[field.name] = "";
        if (field.checked) values[field.name] = field.value;
      } else if (field.tagName === "SELECT" && field.multiple) {
        values[field.name] = Array.prototype.map.call(field.selectedOptions, function (option) {
          return option.value;
        });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  // The server trims text and a text area turns CR LF into LF: neither is a change.
  function normal(value) {
    if (Array.isArray(value)) return JSON.stringify(value.slice().sort());
    return String(value).replace(/\r\n?/g, "\n").trim();
  }

  // Whether the page shows what the copy holds (fields the page lacks are ignored:
  // a saved draft may have moved to a category without them).
  function shows(pageValues, copyValues) {
    return Object.keys(copyValues).every(function (name) {
      return !(name in pageValues) || normal(pageValues[name]) === normal(copyValues[name]);
    });
  }

  function write(store, key, form) {
    var text = JSON.stringify({ savedAt: Date.now(), values: read(form) });
    if (text.length > MAX_CHARS) {
      store.removeItem(key);
      return false;
    }
    try {
      store.setItem(key, text);
    } catch (error) {
      store.removeItem(key);
      return false;
    }
    return true;
  }

  function put(form, values) {
    fieldsOf(form).forEach(function (field) {
      if (!(field.name in values)) return;
      var value = values[field.name];
      var before = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      if (field.type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
      } else if (field.type === "radio") {
        field.checked = field.value === value;
      } else if (field.tagName === "SELECT" && field.multiple) {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = Array.isArray(value) && value.indexOf(option.value) !== -1;
        });
      } else {
        field.value = value;
      }
      var after = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      if (before !== after) {
        // The word counter and other listeners follow the restored text.
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function keep(form) {
    var store = localStore();
    if (!store || !form.dataset.draftOwner || !form.dataset.draftKey) return;
    sweep(store);
    var base = PREFIX + form.dataset.draftOwner + ":";
    var key = base + form.dataset.draftKey;
    var tab = tabStore();
    var saved = !form.hasAttribute("data-draft-unsaved");
    var pageValues = read(form);

    // The copy of the "new entry" form this entry came from is saved with it.
    if (saved && form.dataset.draftCreatedFrom) {
      var origin = base + form.dataset.draftCreatedFrom;
      var first = load(store, origin);
      if (first && shows(pageValues, first.values)) store.removeItem(origin);
    }

    var panel = document.getElementById("draft-copy");
    var status = document.getElementById("draft-copy-status");
    var offering = false;
    var restoring = false;
    var copy = load(store, key);
    if (copy && shows(pageValues, copy.values)) {
      if (saved) store.removeItem(key);
      if (saved && tab && tab.getItem(PENDING) === key) tab.removeItem(PENDING);
    } else if (copy && panel) {
      offering = true;
      panel.hidden = false;
      // Said once the region exists, so that screen readers announce it.
      window.setTimeout(function () {
        if (status) status.textContent = panel.dataset.offered;
      }, 100);
    }

    function close(message) {
      offering = false;
      if (!panel) return;
      panel.querySelectorAll("[data-draft-choice]").forEach(function (part) {
        part.hidden = true;
      });
      var done = panel.querySelector("[data-draft-done]");
      if (done) {
        done.textContent = message;
        done.hidden = false;
      }
      if (status) status.textContent = message;
      panel.focus();
    }

    if (panel) {
      panel.querySelector("[data-draft-restore]").addEventListener("click", function () {
        var current = load(store, key);
        restoring = true;
        if (current) put(form, current.values);
        restoring = false;
        close(panel.dataset.restored);
      });
      panel.querySelector("[data-draft-discard]").addEventListener("click", function () {
        store.removeItem(key);
        if (tab && tab.getItem(PENDING) === key) tab.removeItem(PENDING);
        close(panel.dataset.discarded);
      });
    }

    var timer = null;
    function save() {
      timer = null;
      if (!offering) write(store, key, form);
    }
    function typed(event) {
      if (restoring || !event.target || event.target.form !== form) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, SAVE_DELAY_MS);
    }
    // The images' descriptions sit outside the <form> element (their form
    // attribute ties them to it), so the events are heard on the document.
    document.addEventListener("input", typed, true);
    document.addEventListener("change", typed, true);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      timer = null;
      // Saving what is on the page now is the entrant's choice over an older copy.
      offering = false;
      if (panel) panel.hidden = true;
      if (write(store, key, form) && tab) tab.setItem(PENDING, key);
    });
    window.addEventListener("pagehide", function () {
      if (timer !== null) {
        window.clearTimeout(timer);
        save();
      }
    });
  }

  function tellKept() {
    var notes = document.querySelectorAll("[data-draft-kept]");
    if (!notes.length) return;
    var store = localStore();
    var tab = tabStore();
    var key = tab && tab.getItem(PENDING);
    if (!store || !key || !load(store, key)) return;
    notes.forEach(function (note) { note.hidden = false; });
  }

  document.querySelectorAll("form[data-draft-key]").forEach(keep);
  tellKept();
})();
