// Keeps each file's processing state up to date on the page: while a file is
// uploaded or processing, ask the server for its state and swap in the list item
// it renders (thumbnail, reason, "Replace file"), announcing the change.
// A newly uploaded file is added to the entry's list the same way.
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

  // An upload that finished joins the entry's list, replacing the refused file
  // it was chosen for.
  document.addEventListener("artsprize:upload-complete", async function (event) {
    const list = document.getElementById("entry-files");
    if (!list || !list.matches("[data-file-status-url]")) return;
    const detail = event.detail;
    if (detail.replaces) {
      const replaced = list.querySelector(':scope > [data-file-id="' + detail.replaces + '"]');
      if (replaced) replaced.remove();
    }
    try {
      const answer = await fetchStatus([String(detail.file)]);
      answer.forEach(function (file) {
        if (list.querySelector(':scope > [data-file-id="' + file.id + '"]')) return;
        const empty = list.querySelector("[data-files-empty]");
        if (empty) empty.remove();
        list.appendChild(render(file.html));
      });
    } catch (error) {
      return;
    }
    delay = FIRST_DELAY;
    schedule();
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
