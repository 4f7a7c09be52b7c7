// Asks before an action that cannot be undone. A submit button (or its form) with
// data-confirm="<question>" submits only when the person accepts the question; the
// question comes translated from the page. The browser's own dialog is used: it
// takes the focus, answers to Enter and Escape, and is read out by screen readers.
// Without JavaScript the form simply submits, as before.
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var button = event.submitter;
      var question =
        (button && button.getAttribute("data-confirm")) ||
        event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
