// Keeps each file's processing state up to date on the page: while a file is
// uploaded or processing, ask the server for its state and swap in the list item
// it renders (thumbnail, reason, "Replace file", "Remove"), announcing the change.
// A newly uploaded file is added to the entry's list the same way, and from then
// on its state is shown there only: its row in the uploader goes.
// "Remove" asks for confirmation in place, then removes the file through the
// upload API.
(function () {
  "use strict";

  const lists = Array.from(document.querySelectorAll("[data-file-status-url]"));
  if (!lists.length) return;

  const url = lists[0].dataset.fileStatusUrl;
  const WAITING = ["uploaded", "processing", "failed"];
  const FIRST_DELAY = 2000;
  const LONGEST_DELAY = 15000;
  const BATCH = 50;
  let delay = FIRST_DELAY;
  let timer = null;
  let stopped = false;

  let announcer = document.querySelector("[data-file-announce]");
  if (!announcer) {
    announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    announcer.dataset.fileAnnounce = "";
    document.body.appendChild(announcer);
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function items() {
    return lists.flatMap(function (list) {
      return Array.from(list.querySelectorAll(":scope > [data-file-id]"));
    });
  }

  function waitingIds() {
    return items()
      .filter(function (item) {
        return WAITING.indexOf(item.dataset.fileState) !== -1;
      })
      .map(function (item) {
        return item.dataset.fileId;
      });
  }

  async function fetchStatus(ids) {
    const query = ids
      .map(function (id) {
        return "file=" + encodeURIComponent(id);
      })
      .join("&");
    const response = await fetch(url + "?" + query, {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    });
    if (response.status === 401 || response.status === 403) {
      stopped = true;
      return [];
    }
    if (!response.ok) throw new Error(String(response.status));
    const type = response.headers.get("Content-Type") || "";
    // A signed-out session answers with the log-in page: stop asking.
    if (type.indexOf("application/json") === -1) {
      stopped = true;
      return [];
    }
    return (await response.json()).files || [];
  }

  function render(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function message(list, state, name) {
    const text = list.dataset["labelFile" + state.charAt(0).toUpperCase() + state.slice(1)];
    return text ? text.replace("%(name)s", name) : "";
  }

  function update(answer) {
    answer.forEach(function (file) {
      document.querySelectorAll('[data-file-status-url] > [data-file-id="' + file.id + '"]').forEach(
        function (item) {
          if (item.dataset.fileState === file.state) return;
          const list = item.parentElement;
          const replacement = render(file.html);
          const hadFocus = item.contains(document.activeElement);
          item.replaceWith(replacement);
          if (hadFocus) {
            const target = replacement.querySelector("a, button") || replacement;
            if (target === replacement) replacement.tabIndex = -1;
            target.focus();
          }
          const name = (replacement.querySelector(".fw-semibold") || {}).textContent || "";
          const text = message(list, file.state, name.trim());
          if (text) announce(text);
        }
      );
    });
  }

  async function poll() {
    timer = null;
    if (stopped || document.hidden) return;
    const ids = waitingIds();
    if (!ids.length) return;
    try {
      // The server answers for at most BATCH files a request.
      for (let start = 0; start < ids.length && !stopped; start += BATCH) {
        update(await fetchStatus(ids.slice(start, start + BATCH)));
      }
      delay = Math.min(LONGEST_DELAY, Math.round(delay * 1.5));
    } catch (error) {
      // Offline or the portal busy: keep the page as it is and ask later.
      delay = LONGEST_DELAY;
    }
    schedule();
  }

  function schedule(now) {
    if (stopped) return;
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(poll, now ? 0 : delay);
  }

  // A file gone from the entry leaves its list item and its image description.
  function drop(id) {
    document
      .querySelectorAll('[data-file-status-url] > [data-file-id="' + id + '"]')
      .forEach(function (item) {
        item.remove();
      });
    const description = document.getElementById("div_id_alt_text_" + id);
    if (description) description.remove();
  }

  // The server discards the file being replaced as soon as its replacement starts.
  document.addEventListener("artsprize:upload-started", function (event) {
    if (event.detail.replaces) drop(event.detail.replaces);
  });

  // An upload that finished joins the entry's list, in place of the file it was
  // chosen to replace; its row in the uploader goes, so that its state is shown
  // once.
  document.addEventListener("artsprize:upload-complete", async function (event) {
    const list = document.getElementById("entry-files");
    if (!list || !list.matches("[data-file-status-url]")) return;
    const detail = event.detail;
    if (detail.replaces) drop(detail.replaces);
    try {
      // The completion's answer carries the file's list item; an older one did not.
      const answer =
        typeof detail.html === "string"
          ? [{ id: detail.file, html: detail.html }]
          : await fetchStatus([String(detail.file)]);
      answer.forEach(function (file) {
        if (!list.querySelector(':scope > [data-file-id="' + file.id + '"]')) {
          const empty = list.querySelector("[data-files-empty]");
          if (empty) empty.remove();
          list.appendChild(render(file.html));
        }
        document
          .querySelectorAll('[data-upload-row][data-file-id="' + file.id + '"]')
          .forEach(function (row) {
            row.remove();
          });
      });
    } catch (error) {
      return;
    }
    delay = FIRST_DELAY;
    schedule();
  });

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return (meta && meta.content) || "";
  }

  function fileName(item) {
    return ((item.querySelector(".fw-semibold") || {}).textContent || "").trim();
  }

  function confirmRemoval(link) {
    const item = link.closest("[data-file-id]");
    const box = item.querySelector("[data-remove-confirm]");
    if (!box) return;
    box.hidden = false;
    link.setAttribute("aria-expanded", "true");
    box.querySelector("[data-remove-error]").hidden = true;
    box.querySelector("[id^=remove-question-]").focus();
  }

  function keepFile(item) {
    const box = item.querySelector("[data-remove-confirm]");
    const link = item.querySelector("[data-remove-file]");
    box.hidden = true;
    link.setAttribute("aria-expanded", "false");
    link.focus();
  }

  async function removeFile(item) {
    const link = item.querySelector("[data-remove-file]");
    const box = item.querySelector("[data-remove-confirm]");
    const error = box.querySelector("[data-remove-error]");
    const buttons = box.querySelectorAll("button");
    const list = item.parentElement;
    const name = fileName(item);
    buttons.forEach(function (button) {
      button.disabled = true;
    });
    let payload = null;
    let response = null;
    try {
      response = await fetch(link.dataset.removeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken()
        },
        body: "{}"
      });
      payload = await response.json();
    } catch (failure) {
      payload = null;
    }
    buttons.forEach(function (button) {
      button.disabled = false;
    });
    if (!response || !response.ok) {
      error.textContent = (payload && payload.message) || list.dataset.labelRemoveFailed || "";
      error.hidden = false;
      return;
    }
    drop(item.dataset.fileId);
    if (!list.querySelector(":scope > [data-file-id]") && list.dataset.labelFilesEmpty) {
      const empty = document.createElement("li");
      empty.className = "text-body-secondary";
      empty.dataset.filesEmpty = "";
      empty.textContent = list.dataset.labelFilesEmpty;
      list.appendChild(empty);
    }
    const heading = document.getElementById("files-heading");
    if (heading) heading.focus();
    const text = message(list, "removed", name);
    if (text) announce(text);
  }

  // "Remove" asks in place where the page can remove files; elsewhere it is a
  // link to the file on the entry's page.
  document.addEventListener("click", function (event) {
    if (!document.querySelector("[data-uploader]")) return;
    const link = event.target.closest("[data-remove-file]");
    if (link) {
      event.preventDefault();
      confirmRemoval(link);
      return;
    }
    const item = event.target.closest("[data-file-id]");
    if (!item) return;
    if (event.target.closest("[data-remove-yes]")) removeFile(item);
    else if (event.target.closest("[data-remove-no]")) keepFile(item);
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.closest) return;
    // "Remove" acts as a button, so Space works as well as Enter.
    const link = event.target.closest("[data-remove-file]");
    if (event.key === " " && link && document.querySelector("[data-uploader]")) {
      event.preventDefault();
      confirmRemoval(link);
      return;
    }
    if (event.key !== "Escape") return;
    const box = event.target.closest("[data-remove-confirm]");
    if (box && !box.hidden) keepFile(box.closest("[data-file-id]"));
  });

  // "Replace file" opens the file picker where the page has an uploader;
  // elsewhere it is a link to the entry's page.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-replace-file]");
    if (!link || !document.querySelector("[data-uploader]")) return;
    event.preventDefault();
    document.dispatchEvent(
      new CustomEvent("artsprize:replace-file", { detail: { file: Number(link.dataset.replaceFile) } })
    );
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      delay = FIRST_DELAY;
      schedule(true);
    }
  });

  schedule();
})();
