// When an upload finishes, the entry's file list and the image descriptions are
// out of date; reloading would lose what the entrant typed, so tell them to save.
// What the draft still needs to be submitted is read again, so that it follows the
// files (a work's first file, a new image to describe).
(function () {
  "use strict";
  var notice = document.getElementById("files-saved-notice");
  var checklist = document.getElementById("entry-checklist");

  function refreshChecklist() {
    fetch(checklist.dataset.checklistUrl, {
      credentials: "same-origin",
      headers: { Accept: "text/html" }
    })
      .then(function (response) {
        // A redirect is the log-in page (the session ended): keep the list shown.
        if (!response.ok || response.redirected) throw new Error("not read");
        return response.text();
      })
      .then(function (html) {
        checklist.innerHTML = html;
      })
      .catch(function () {
        // The list stays as it was; the next page load shows it afresh.
      });
  }

  document.addEventListener("artsprize:upload-complete", function () {
    if (notice) notice.classList.remove("d-none");
    if (checklist) refreshChecklist();
  });
})();
