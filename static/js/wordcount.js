// A live word counter for text areas that carry data-word-limit. The rule is the
// server's (artsprize/common/text.py), so that the count shown while typing is the
// count the form checks: each CJK character (Han, kana, bopomofo) is a word, and
// each run of other letters, marks or digits is a word. Both are held to the cases
// in tests/common/word_count_cases.json.
(function () {
  "use strict";

  // The same ranges, in the same order, as _CJK_RANGES in artsprize/common/text.py.
  var CJK_RANGES = [
    [0x2e80, 0x2fdf],
    [0x3005, 0x3007],
    [0x3021, 0x3029],
    [0x3038, 0x303b],
    [0x3041, 0x30ff],
    [0x3100, 0x312f],
    [0x31a0, 0x31bf],
    [0x31f0, 0x31ff],
    [0x3400, 0x4dbf],
    [0x4e00, 0x9fff],
    [0xf900, 0xfaff],
    [0xff66, 0xff9d],
    [0x20000, 0x323af]
  ];
  var WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;

  function isCjk(code) {
    for (var i = 0; i < CJK_RANGES.length; i++) {
      if (code >= CJK_RANGES[i][0] && code <= CJK_RANGES[i][1]) return true;
    }
    return false;
  }

  function countWords(text) {
    var words = 0;
    var inRun = false;
    // for...of walks code points, so a character outside the BMP (CJK extension
    // B, emoji) is one character here as it is in Python.
    for (var char of text || "") {
      if (isCjk(char.codePointAt(0))) {
        words += 1;
        inRun = false;
      } else if (WORD_CHAR.test(char)) {
        if (!inRun) {
          words += 1;
          inRun = true;
        }
      } else {
        inRun = false;
      }
    }
    return words;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name)
        ? String(values[name])
        : whole;
    });
  }

  function attach(field) {
    var limit = Number(field.dataset.wordLimit);
    if (!limit) return;
    var counter = document.createElement("div");
    counter.id = field.id + "-word-count";
    counter.className = "form-text word-count";
    counter.setAttribute("aria-live", "polite");
    var count = document.createElement("span");
    count.setAttribute("data-word-count-text", "");
    var warning = document.createElement("span");
    warning.className = "text-danger fw-semibold ms-1";
    warning.setAttribute("data-word-count-warning", "");
    counter.appendChild(count);
    counter.appendChild(warning);
    field.insertAdjacentElement("afterend", counter);
    var describedBy = field.getAttribute("aria-describedby");
    field.setAttribute(
      "aria-describedby",
      describedBy ? describedBy + " " + counter.id : counter.id
    );

    function update() {
      var words = countWords(field.value);
      var values = { count: words, limit: limit, over: words - limit };
      count.textContent = fill(field.dataset.wordCountTemplate, values);
      var over = words > limit;
      warning.textContent = over ? fill(field.dataset.wordOverTemplate, values) : "";
      counter.classList.toggle("text-danger", over);
      field.classList.toggle("is-over-limit", over);
    }

    field.addEventListener("input", update);
    update();
  }

  window.ArtsPrize = window.ArtsPrize || {};
  window.ArtsPrize.countWords = countWords;

  var fields = document.querySelectorAll("textarea[data-word-limit]");
  for (var i = 0; i < fields.length; i++) attach(fields[i]);
})();
