// Uploads an entry's files straight from the browser to object storage, through the
// portal's upload API (docs/UPLOADS.md): the server starts each upload and signs
// every request, the browser sends the bytes to the store, and the server checks the
// object when told the upload is complete. Bytes never pass through the web server.
//
// One file is uploaded at a time, its parts a few at once: on a weak connection,
// finishing one work is worth more than half of several. A file whose connection
// dropped goes on by itself when it comes back: a file in parts (over 5 MiB) from
// the parts the store already holds, a smaller one, sent in one PUT, from the
// start. After a reload the entrant picks the same file again: the server
// recognises it and lists the parts it already holds.
(function () {
  "use strict";

  const PARALLEL_PARTS = 3;
  const SIGN_BATCH = 6;
  const MAX_TRIES = 5;
  const FIRST_BACKOFF_MS = 1000;
  // How soon an upload whose connection dropped tries again, when the browser
  // does not notice that it went offline (a Wi-Fi without internet).
  const RECHECK_MS = 5000;

  const root = document.querySelector("[data-uploader]");
  if (!root) return;

  const data = root.dataset;
  const input = root.querySelector("[data-upload-input]");
  const dropZone = root.querySelector("[data-upload-drop]");
  const list = root.querySelector("[data-upload-list]");
  const announcer = root.querySelector("[data-upload-announce]");
  const rowTemplate = root.querySelector("[data-upload-template]");

  function label(name) {
    return data["label" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return (meta && meta.content) || data.csrfToken || "";
  }

  function fileUrl(template, id) {
    // The page renders each per-file URL for the file number 0; the last "/0/" is
    // that number.
    const at = template.lastIndexOf("/0/");
    return template.slice(0, at) + "/" + encodeURIComponent(id) + "/" + template.slice(at + 3);
  }

  // In units of 1024, as Django's filesizeformat writes the limits and sizes in
  // the server's messages.
  function humanSize(bytes) {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    const digits = unit === 0 || value >= 100 ? 0 : 1;
    const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits
    }).format(value);
    return number + " " + units[unit];
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  // An error the entrant can act on; ``message`` is already in their language.
  class UploadError extends Error {
    constructor(message, options) {
      super(message);
      this.code = (options && options.code) || "";
      this.status = (options && options.status) || 0;
      this.retryable = Boolean(options && options.retryable);
    }
  }

  class Stopped extends Error {}

  async function api(method, url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken()
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (error) {
      throw new UploadError(label("offline"), { code: "network", retryable: true });
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch (error) {
      payload = null;
    }
    if (response.ok && payload) return payload;
    if (payload && payload.message) {
      throw new UploadError(payload.message, {
        code: payload.error || "",
        status: response.status,
        retryable: response.status === 429 || response.status >= 500
      });
    }
    if (response.status === 403 || response.status === 401) {
      throw new UploadError(label("signedOut"), { code: "forbidden", status: response.status });
    }
    throw new UploadError(label("serverError"), {
      code: "server",
      status: response.status,
      retryable: response.status === 429 || response.status >= 500
    });
  }

  // One PUT to the store with XMLHttpRequest, for its upload progress events.
  function put(url, headers, body, onProgress, registry) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      registry.add(xhr);
      xhr.open("PUT", url, true);
      Object.keys(headers || {}).forEach(function (name) {
        xhr.setRequestHeader(name, headers[name]);
      });
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) onProgress(event.loaded);
      };
      xhr.onload = function () {
        registry.delete(xhr);
        if (xhr.status >= 200 && xhr.status < 300) {
          // The ETag is readable only if the store's CORS rules expose it; without
          // it the parts are listed by the server before completing.
          resolve(xhr.getResponseHeader("ETag"));
        } else {
          reject(new UploadError(label("storeError"), {
            code: "store",
            status: xhr.status,
            retryable: true
          }));
        }
      };
      xhr.onerror = function () {
        registry.delete(xhr);
        reject(new UploadError(label("offline"), { code: "network", retryable: true }));
      };
      xhr.ontimeout = xhr.onerror;
      xhr.onabort = function () {
        registry.delete(xhr);
        reject(new Stopped("aborted"));
      };
      xhr.send(body);
    });
  }

  class Row {
    constructor(name, size) {
      const fragment = rowTemplate.content.cloneNode(true);
      this.element = fragment.firstElementChild;
      this.nameElement = this.element.querySelector("[data-upload-name]");
      this.sizeElement = this.element.querySelector("[data-upload-size]");
      this.bar = this.element.querySelector("[role=progressbar]");
      this.fill = this.element.querySelector("[data-upload-fill]");
      this.status = this.element.querySelector("[data-upload-status]");
      this.error = this.element.querySelector("[data-upload-error]");
      this.buttons = {};
      this.element.querySelectorAll("[data-upload-action]").forEach((button) => {
        this.buttons[button.dataset.uploadAction] = button;
      });
      this.nameElement.textContent = name;
      this.element.querySelectorAll("[data-upload-button-name]").forEach(function (span) {
        span.textContent = " " + name;
      });
      this.sizeElement.textContent = humanSize(size);
      this.bar.setAttribute("aria-label", format(label("progressOf"), { name: name }));
      list.append(this.element);
    }

    progress(done, total) {
      const percent = total ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      this.bar.setAttribute("aria-valuenow", String(percent));
      this.bar.setAttribute(
        "aria-valuetext",
        format(label("progressText"), {
          percent: percent,
          done: humanSize(done),
          total: humanSize(total)
        })
      );
      this.fill.style.width = percent + "%";
    }

    state(name, text, extra) {
      this.element.dataset.state = name;
      this.status.textContent = text;
      this.error.textContent = (extra && extra.error) || "";
      this.error.hidden = !(extra && extra.error);
      const shown = (extra && extra.buttons) || [];
      Object.keys(this.buttons).forEach((action) => {
        this.buttons[action].hidden = shown.indexOf(action) === -1;
      });
      const bar = this.bar.closest("[data-upload-bar]") || this.bar;
      bar.hidden = Boolean(extra && extra.hideBar);
    }
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  class Upload {
    constructor(file) {
      this.file = file;
      this.row = new Row(file.name, file.size);
      this.id = null;
      this.mode = null;
      this.partSize = 0;
      this.partCount = 0;
      this.done = new Map(); // part number → ETag (or null when not readable)
      this.loading = new Map(); // part number → bytes sent so far
      this.urls = new Map();
      this.signing = new Map(); // part number → the signing call that includes it
      this.xhrs = new Set();
      this.stopped = null; // "pause", "cancel" or "offline" while stopped
      this.finished = false;
      // Each run has its own number, so that a part still waiting to be retried by
      // an earlier run gives up instead of racing the new one.
      this.generation = 0;
      this.running = null;
      this.row.buttons.pause.addEventListener("click", () => this.pause());
      this.row.buttons.resume.addEventListener("click", () => this.resume());
      this.row.buttons.retry.addEventListener("click", () => this.resume());
      this.row.buttons.cancel.addEventListener("click", () => this.cancel());
      this.row.progress(0, file.size);
      this.row.state("queued", label("queued"), { buttons: ["cancel"] });
    }

    partLength(number) {
      if (this.mode === "single") return this.file.size;
      const start = (number - 1) * this.partSize;
      return Math.min(this.partSize, this.file.size - start);
    }

    sent() {
      let total = 0;
      this.done.forEach((etag, number) => {
        total += this.partLength(number);
      });
      this.loading.forEach((bytes) => {
        total += bytes;
      });
      return Math.min(total, this.file.size);
    }

    showProgress() {
      this.row.progress(this.sent(), this.file.size);
    }

    checkStopped(generation) {
      if (this.stopped) throw new Stopped(this.stopped);
      if (generation !== undefined && generation !== this.generation) {
        throw new Stopped("superseded");
      }
    }

    abortRequests() {
      Array.from(this.xhrs).forEach((xhr) => xhr.abort());
      this.loading.clear();
    }

    run() {
      this.running = this.runOnce().then(() => {
        this.running = null;
      });
      return this.running;
    }

    async runOnce() {
      this.stopped = null;
      this.generation += 1;
      const generation = this.generation;
      this.row.state("uploading", label("uploading"), { buttons: ["pause", "cancel"] });
      try {
        if (this.id === null) {
          await this.start();
        } else if (this.mode === "multipart") {
          await this.syncParts();
        }
        this.checkStopped(generation);
        if (this.mode === "single") {
          // A resumed single upload whose object arrived whole is only completed.
          if (!this.done.has(1)) {
            await this.withRetries(1, generation, () => this.putSingle());
          }
        } else {
          await this.putParts(generation);
        }
        this.checkStopped(generation);
        await this.complete();
      } catch (error) {
        // Stop every part of this run, whichever one gave up.
        this.generation += 1;
        this.abortRequests();
        this.showProgress();
        if (!this.stopped && error.code === "network") {
          // The connection dropped (the retries gave up): wait for it, then go on.
          this.stopped = "offline";
        }
        if (error instanceof Stopped || this.stopped) {
          // Whichever part noticed first, a pause or a lost connection is a stop,
          // not a failure.
          this.showStopped();
        } else {
          this.fail(error);
        }
      }
    }

    async start() {
      const body = {
        entry: Number(data.entry),
        name: this.file.name,
        size: this.file.size,
        type: this.file.type || ""
      };
      // A file that replaces one processing refused takes its place.
      if (this.replaces) body.replaces = this.replaces;
      const answer = await api("POST", data.urlStart, body);
      this.id = answer.file;
      this.mode = answer.mode;
      this.partSize = answer.part_size || this.file.size;
      this.partCount = answer.part_count || 1;
      this.singleUrl = answer.url || "";
      this.headers = answer.headers || {};
      this.row.element.dataset.fileId = String(this.id);
      if (this.replaces) {
        document.dispatchEvent(
          new CustomEvent("artsprize:upload-started", {
            detail: { file: this.id, replaces: this.replaces }
          })
        );
      }
      // A row the page rendered for this file before a reload gives way to this one.
      list.querySelectorAll('[data-file-id="' + this.id + '"]').forEach((element) => {
        if (element !== this.row.element) element.remove();
      });
      if (answer.resumed) {
        (answer.parts || []).forEach((part) => {
          if (Number(part.size) === this.partLength(Number(part.number))) {
            this.done.set(Number(part.number), part.etag || null);
          }
        });
        this.showProgress();
        // Only what the store kept is not sent again; a single PUT that did not
        // arrive whole starts from the beginning.
        if (this.done.size) announce(format(label("resumed"), { name: this.file.name }));
      }
    }

    // After a pause, a failure or a lost connection, the store's list of parts is
    // the truth: a part may have arrived although its answer did not.
    async syncParts() {
      const listed = await api("GET", fileUrl(data.urlParts, this.id));
      this.done.clear();
      (listed.parts || []).forEach((part) => {
        if (Number(part.size) === this.partLength(Number(part.number))) {
          this.done.set(Number(part.number), part.etag || null);
        }
      });
      this.showProgress();
    }

    async withRetries(number, generation, attempt) {
      for (let tries = 1; ; tries += 1) {
        this.checkStopped(generation);
        try {
          return await attempt();
        } catch (error) {
          if (error instanceof Stopped || !error.retryable || tries >= MAX_TRIES) throw error;
          this.loading.delete(number);
          this.showProgress();
          if (error.status === 403 || error.status === 400) {
            // A signed URL may have expired while the upload was paused.
            this.urls.delete(number);
            this.singleUrl = "";
          }
          if (!navigator.onLine) {
            this.goOffline();
            throw new Stopped("offline");
          }
          await sleep(FIRST_BACKOFF_MS * Math.pow(2, tries - 1));
        }
      }
    }

    async putSingle() {
      if (!this.singleUrl) {
        // A fresh URL comes from starting again: the server recognises the file.
        const keep = this.id;
        this.id = null;
        await this.start();
        if (this.id !== keep) this.done.clear();
      }
      const etag = await put(
        this.singleUrl,
        this.headers,
        this.file,
        (loaded) => {
          this.loading.set(1, loaded);
          this.showProgress();
        },
        this.xhrs
      );
      this.loading.delete(1);
      this.done.set(1, etag);
      this.showProgress();
    }

    pending() {
      const numbers = [];
      for (let number = 1; number <= this.partCount; number += 1) {
        if (!this.done.has(number)) numbers.push(number);
      }
      return numbers;
    }

    // URLs are signed a few parts ahead, in one call for the parts that several
    // parallel senders need at once; they expire, so never far ahead.
    async signed(number) {
      if (!this.urls.has(number) && !this.signing.has(number)) {
        const batch = this.pending()
          .filter(
            (candidate) =>
              candidate >= number &&
              !this.urls.has(candidate) &&
              !this.signing.has(candidate) &&
              !this.loading.has(candidate)
          )
          .slice(0, SIGN_BATCH);
        if (batch.indexOf(number) === -1) batch.unshift(number);
        const settled = () => {
          batch.forEach((candidate) => {
            if (this.signing.get(candidate) === request) this.signing.delete(candidate);
          });
        };
        const request = api("POST", fileUrl(data.urlSign, this.id), { parts: batch }).then(
          (answer) => {
            Object.keys(answer.urls || {}).forEach((key) => {
              this.urls.set(Number(key), answer.urls[key]);
            });
            settled();
          },
          (error) => {
            settled();
            throw error;
          }
        );
        batch.forEach((candidate) => this.signing.set(candidate, request));
      }
      if (this.signing.has(number)) await this.signing.get(number);
      if (!this.urls.has(number)) {
        throw new UploadError(label("serverError"), { code: "sign", retryable: true });
      }
      return this.urls.get(number);
    }

    async putPart(number) {
      const url = await this.signed(number);
      this.checkStopped();
      const start = (number - 1) * this.partSize;
      const body = this.file.slice(start, start + this.partLength(number));
      this.loading.set(number, 0);
      const etag = await put(
        url,
        {},
        body,
        (loaded) => {
          this.loading.set(number, loaded);
          this.showProgress();
        },
        this.xhrs
      );
      this.loading.delete(number);
      this.urls.delete(number);
      this.done.set(number, etag);
      this.showProgress();
    }

    async putParts(generation) {
      const numbers = this.pending();
      const worker = async () => {
        while (numbers.length) {
          this.checkStopped(generation);
          const number = numbers.shift();
          await this.withRetries(number, generation, () => this.putPart(number));
        }
      };
      const workers = [];
      for (let i = 0; i < Math.min(PARALLEL_PARTS, numbers.length); i += 1) {
        workers.push(worker());
      }
      await Promise.all(workers);
    }

    async complete() {
      this.row.state("completing", label("completing"), { buttons: [] });
      let body = {};
      if (this.mode !== "single") {
        let parts = Array.from(this.done.entries()).map(function (entry) {
          return { number: entry[0], etag: entry[1] };
        });
        if (parts.some((part) => !part.etag)) {
          const listed = await api("GET", fileUrl(data.urlParts, this.id));
          parts = (listed.parts || []).map(function (part) {
            return { number: Number(part.number), etag: part.etag };
          });
        }
        parts.sort((a, b) => a.number - b.number);
        body = { parts: parts };
      }
      // The entry's page takes what it shows anew from the answer (data-page-parts).
      if ("pageParts" in data) body.page = true;
      const answer = await api("POST", fileUrl(data.urlComplete, this.id), body);
      this.finished = true;
      this.row.progress(this.file.size, this.file.size);
      const text = label("state" + answer.state.replace(/(^|_)(\w)/g, (m, s, c) => c.toUpperCase()));
      this.row.state(answer.state, text || answer.state, { buttons: [] });
      announce(format(label("completed"), { name: this.file.name }));
      document.dispatchEvent(
        new CustomEvent("artsprize:upload-complete", {
          detail: {
            entry: Number(data.entry),
            file: answer.file,
            state: answer.state,
            size: answer.size,
            name: this.file.name,
            replaces: this.replaces,
            // What the entry's page shows anew (views.files.page_parts).
            html: answer.html,
            checklist: answer.checklist,
            description: answer.description
          }
        })
      );
    }

    // A file sent in one PUT starts again from the beginning: its texts say so.
    showStopped() {
      const single = this.mode === "single";
      if (this.stopped === "pause") {
        this.row.state("paused", label(single ? "pausedSingle" : "paused"), {
          buttons: ["resume", "cancel"]
        });
      } else if (this.stopped === "offline") {
        this.row.state("waiting", label(single ? "waitingSingle" : "waiting"), {
          buttons: ["cancel"]
        });
      }
    }

    fail(error) {
      this.lastError = error;
      // A single upload has no parts to list: trying again sends the whole file.
      if (this.mode === "single") this.done.clear();
      // A refused start left nothing on the server: only a network failure, a
      // busy server or an expired session are worth trying again.
      const again =
        error.retryable || error.status === 401 || error.status === 403;
      if (this.id === null && !again) {
        // Refused at start: nothing exists on the server, so there is nothing to cancel.
        this.finished = true;
        this.row.state("refused", label("refused"), {
          buttons: ["dismiss"],
          error: error.message,
          hideBar: true
        });
      } else {
        this.row.state("failed", label("failed"), {
          buttons: ["retry", this.id === null ? "dismiss" : "cancel"],
          error: error.message
        });
      }
      announce(this.file.name + ": " + error.message);
    }

    pause() {
      if (this.finished || this.stopped) return;
      this.stopped = "pause";
      this.abortRequests();
      this.showProgress();
      this.showStopped();
    }

    goOffline() {
      if (this.finished || this.stopped || !this.active) return;
      this.stopped = "offline";
      this.abortRequests();
      this.showStopped();
    }

    resume() {
      if (this.finished) return;
      this.stopped = null;
      this.lastError = null;
      queue.wake(this);
    }

    async cancel() {
      if (this.finished) return;
      this.stopped = "cancel";
      this.finished = true;
      this.abortRequests();
      queue.forget(this);
      this.row.state("cancelling", label("cancelling"), { buttons: [] });
      // A start still on its way may yet create the upload on the server.
      if (this.running) await this.running;
      if (this.id !== null) {
        try {
          await api("POST", fileUrl(data.urlAbort, this.id), {});
        } catch (error) {
          this.row.state("cancelled", label("cancelled"), {
            buttons: ["dismiss"],
            error: error.message,
            hideBar: true
          });
          return;
        }
      }
      this.row.state("cancelled", label("cancelled"), { buttons: ["dismiss"], hideBar: true });
      queue.next();
    }
  }

  // Files run one after another; a paused or failed file lets the next one go.
  // While the connection is down nothing runs: an upload that lost it waits at the
  // head of the line until the browser is back online, or RECHECK_MS have passed.
  const queue = {
    waiting: [],
    current: null,
    recheck: null,
    add(upload) {
      this.waiting.push(upload);
      this.next();
    },
    wake(upload) {
      if (this.current === upload) return;
      this.forget(upload);
      this.waiting.unshift(upload);
      upload.row.state("queued", label("queued"), { buttons: ["cancel"] });
      this.next();
    },
    forget(upload) {
      this.waiting = this.waiting.filter((other) => other !== upload);
    },
    next() {
      if (this.current || this.recheck || !this.waiting.length || !navigator.onLine) {
        return;
      }
      const upload = this.waiting.shift();
      this.current = upload;
      upload.active = true;
      upload.run().then(() => {
        upload.active = false;
        if (this.current === upload) this.current = null;
        if (!upload.finished && upload.stopped === "offline") {
          this.waiting.unshift(upload);
          this.recheck = window.setTimeout(() => this.online(), RECHECK_MS);
        }
        this.next();
      });
    },
    online() {
      window.clearTimeout(this.recheck);
      this.recheck = null;
      this.next();
    }
  };

  // The refused file the next chosen file replaces (see "Replace file").
  let replacing = null;

  function addFiles(files, replaces) {
    Array.from(files).forEach(function (file) {
      const upload = new Upload(file);
      upload.replaces = replaces || null;
      queue.add(upload);
    });
  }

  document.addEventListener("artsprize:replace-file", function (event) {
    replacing = event.detail.file;
    input.click();
  });

  async function discard(button) {
    const row = button.closest("[data-upload-row]");
    const status = row.querySelector("[data-upload-status]");
    button.disabled = true;
    try {
      await api("POST", fileUrl(data.urlAbort, button.dataset.uploadDiscard), {});
    } catch (error) {
      button.disabled = false;
      status.textContent = error.message;
      return;
    }
    button.remove();
    row.dataset.state = "cancelled";
    status.textContent = label("discarded");
    announce(label("discarded"));
  }

  list.addEventListener("click", function (event) {
    const dismiss = event.target.closest('[data-upload-action="dismiss"]');
    if (dismiss) {
      const heading = root.querySelector("[data-upload-heading]");
      dismiss.closest("[data-upload-row]").remove();
      if (heading) heading.focus();
      return;
    }
    const discardButton = event.target.closest("[data-upload-discard]");
    if (discardButton) discard(discardButton);
  });

  input.addEventListener("change", function () {
    if (replacing && input.files.length) {
      addFiles([input.files[0]], replacing);
    } else {
      addFiles(input.files);
    }
    replacing = null;
    // Clearing lets the same file be picked again, e.g. to resume it.
    input.value = "";
  });

  function carriesFiles(event) {
    return Boolean(
      event.dataTransfer && Array.from(event.dataTransfer.types).indexOf("Files") !== -1
    );
  }

  // A file dropped beside the drop zone would make the browser open it in place of
  // this page, and stop the uploads in progress.
  ["dragover", "drop"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (carriesFiles(event) && !(dropZone && dropZone.contains(event.target))) {
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
      }
    });
  });

  if (dropZone) {
    ["dragenter", "dragover"].forEach(function (name) {
      dropZone.addEventListener(name, function (event) {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        dropZone.classList.add("is-dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      dropZone.addEventListener(name, function (event) {
        if (event.target === dropZone) dropZone.classList.remove("is-dragover");
      });
    });
    dropZone.addEventListener("drop", function (event) {
      event.preventDefault();
      dropZone.classList.remove("is-dragover");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        addFiles(event.dataTransfer.files);
      }
    });
  }

  window.addEventListener("offline", function () {
    if (queue.current) queue.current.goOffline();
  });
  // Uploads that stopped because the connection was gone go on by themselves.
  window.addEventListener("online", function () {
    queue.online();
  });

  root.classList.add("is-ready");
})();
