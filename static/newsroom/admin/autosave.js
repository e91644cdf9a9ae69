/* Autosave of the article form (newsroom.autosave).
 *
 * Every N seconds (the marker's data-seconds), and when the tab is hidden or
 * closed, the headline, dek, body and tags are posted to the autosave view if
 * they changed since the last post. The story itself is not saved: the edits
 * wait beside it until the writer saves or discards them. Submitting the form
 * stops autosaving, so a save is never followed by a stale autosave.
 */
(function () {
  "use strict";

  function start() {
    const marker = document.getElementById("autosave");
    if (!marker) return;
    const form = document.querySelector("form#article_form") || marker.closest("body").querySelector("form[method=post][enctype]");
    if (!form) return;
    const seconds = Math.max(1, parseFloat(marker.dataset.seconds) || 30);
    let last = null;
    let submitting = false;

    function value(name) {
      const field = form.querySelector(`[name="${name}"]`);
      return field ? field.value : "";
    }

    function body() {
      const editable = form.querySelector(".prose-editor .ProseMirror[contenteditable=true]");
      return editable && editable.textContent.trim() ? editable.innerHTML : value("body");
    }

    function bodyText(html) {
      // What changed is judged on the words: the editor re-serialises stored HTML.
      return new DOMParser().parseFromString(html, "text/html").body.textContent.replace(/\s+/g, " ").trim();
    }

    function snapshot() {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", value("csrfmiddlewaretoken"));
      data.append("opened_version", value("opened_version"));
      data.append("headline", value("headline"));
      data.append("dek", value("dek"));
      data.append("body", body());
      data.append("tags", value("tags"));
      const key = [data.get("headline"), data.get("dek"), bodyText(data.get("body")), data.get("tags")].join("\u0000");
      return { data, key };
    }

    function save(beacon) {
      if (submitting) return;
      const { data, key } = snapshot();
      if (last === null) {
        last = key; // the form as opened: nothing to keep yet
        return;
      }
      if (key === last) return;
      last = key;
      if (beacon && navigator.sendBeacon) {
        navigator.sendBeacon(marker.dataset.url, data);
        return;
      }
      fetch(marker.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((answer) => {
          if (answer && answer.saved_at) marker.dataset.savedAt = answer.saved_at;
        })
        .catch(() => {
          last = null; // try again next time
        });
    }

    // The form as opened, before anyone types (the stored body, as words).
    save(false);
    setInterval(() => save(false), seconds * 1000);
    form.addEventListener("submit", () => {
      submitting = true;
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") save(true);
    });
    window.addEventListener("pagehide", () => save(true));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
