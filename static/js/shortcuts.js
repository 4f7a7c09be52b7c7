// Keyboard shortcuts of a page: an element with data-shortcut="e" is clicked when
// the key is pressed, unless the person is typing in a field or holds a modifier.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (!key) {
      return;
    }
    var element = document.querySelector('[data-shortcut="' + key + '"]');
    if (element) {
      event.preventDefault();
      element.click();
    }
  });
})();
