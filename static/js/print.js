// A "Print" button: window.print() cannot sit in an inline handler under the
// Content-Security-Policy, so buttons marked data-print get it here.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () {
      window.print();
    });
  }
})();
