// When an upload finishes, its completion's answer brings what the page shows anew:
// the new image's description field, which joins the entry's form (a reload would
// lose what the entrant typed), and what the draft still needs to be submitted (a
// work's first file, a new image to describe). From a server that does not bring
// them, the list is read again and the entrant is asked to save to describe.
(function () {
  "use strict";
  var notice = document.getElementById("files-saved-notice");
  var checklist = document.getElementById("entry-checklist");
  var descriptions = document.getElementById("image-descriptions");

  function addDescription(html, file) {
    if (!html || !descriptions) return;
    if (document.getElementById("div_id_alt_text_" + file)) return;
    var template = document.createElement("template");
    template.innerHTML = html;
    descriptions.appendChild(template.content);
    var heading = descriptions.querySelector("h3");
    if (heading) heading.hidden = false;
  }

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

  document.addEventListener("artsprize:upload-complete", function (event) {
    var detail = event.detail || {};
    if (typeof detail.description === "string") {
      addDescription(detail.description, detail.file);
    } else if (notice) {
      notice.classList.remove("d-none");
    }
    if (!checklist) return;
    if (typeof detail.checklist === "string") checklist.innerHTML = detail.checklist;
    else refreshChecklist();
  });
})();
