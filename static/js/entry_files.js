// When an upload finishes, the entry's file list and the image descriptions are
// out of date; reloading would lose what the entrant typed, so tell them to save.
(function () {
  "use strict";
  var notice = document.getElementById("files-saved-notice");
  if (!notice) return;
  document.addEventListener("artsprize:upload-complete", function () {
    notice.classList.remove("d-none");
  });
})();
