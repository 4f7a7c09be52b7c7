// After a refused post, the keyboard and the screen reader start from what says
// why: the form's error summary, or else the page's error message (WCAG 3.3.1).
(() => {
  const summary =
    document.querySelector("[data-error-summary]") ||
    document.querySelector("[data-error-message]");
  if (summary) summary.focus();
})();
