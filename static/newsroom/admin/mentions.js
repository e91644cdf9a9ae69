/* Live mention suggestions on the article form.
 *
 * As the writer types in the headline, dek or body, the text (not saved) and the
 * form's current mention selections are posted, debounced, to the article admin's
 * check view, which answers with the report as JSON and the panel's HTML; the
 * panel is swapped in place. "Link", "Link all" and "Unlink" change the form's
 * own selections (the autocomplete fields below) instead of posting, so nothing
 * typed is lost; "Save" keeps them. "+ New person" on an unknown name opens the
 * admin's add form in a popup, prefilled; the new row lands selected in its field.
 */
(function () {
  "use strict";

  const DELAY = 400;
  const TEXT_FIELDS = ["id_headline", "id_dek"];
  let timer = null;
  let sequence = 0;

  function panel() {
    return document.getElementById("mention-suggestions");
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function bodyHtml() {
    const editable = document.querySelector(".prose-editor .ProseMirror[contenteditable=true]");
    if (editable) return editable.innerHTML;
    const textarea = document.querySelector("textarea[name=body]");
    return textarea ? textarea.value : "";
  }

  function mentionSelects() {
    return Array.from(document.querySelectorAll("select[multiple]")).filter((select) =>
      ["people", "brands", "products", "campaigns", "events"].includes(select.name)
    );
  }

  function selectFor(field) {
    return document.querySelector(`select[name="${CSS.escape(field)}"]`);
  }

  function announce(select) {
    // Select2 (the autocomplete) listens through jQuery; native listeners too.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(select).trigger("change");
    } else {
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function setLinked(key, name, linked) {
    const [field, pk] = key.split(":");
    const select = selectFor(field);
    if (!select) return false;
    let option = Array.from(select.options).find((o) => o.value === pk);
    if (!option && linked) {
      option = new Option(name, pk, true, true);
      select.add(option);
    }
    if (option) option.selected = linked;
    announce(select);
    return true;
  }

  let lastChecked = null;

  function payloadKey(data) {
    return Array.from(data.entries()).map(([k, v]) => k + "=" + v).join("\u0000");
  }

  function payload(section) {
    const data = new FormData();
    data.append("headline", (document.getElementById("id_headline") || {}).value || "");
    data.append("dek", (document.getElementById("id_dek") || {}).value || "");
    data.append("body", bodyHtml());
    if (section.dataset.article) data.append("article", section.dataset.article);
    for (const select of mentionSelects()) {
      for (const option of select.selectedOptions) data.append(select.name, option.value);
    }
    return data;
  }

  async function check(force) {
    const section = panel();
    if (!section || !section.dataset.checkUrl) return;
    const data = payload(section);
    const key = payloadKey(data);
    if (!force && key === lastChecked) return; // nothing changed since the last answer
    lastChecked = key;
    const mine = ++sequence;
    section.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(section.dataset.checkUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (!response.ok) {
        lastChecked = null; // try again on the next change
        return;
      }
      if (mine !== sequence) return;
      const report = await response.json();
      const holder = document.createElement("div");
      holder.innerHTML = report.html;
      const fresh = holder.querySelector("#mention-suggestions");
      if (fresh && panel()) panel().replaceWith(fresh);
    } catch (error) {
      // Offline or refused: the panel keeps its last state; the next keystroke retries.
    } finally {
      const current = panel();
      if (current) current.removeAttribute("aria-busy");
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(check, DELAY);
  }

  function openCreatePopup(link) {
    // Django's related-object popup: the new row is added to, and selected in,
    // the select named after the link's id ("add_id_people" -> "id_people").
    const opener = document.createElement("a");
    opener.id = "add_id_" + link.dataset.createField;
    opener.href = link.href;
    if (typeof window.showRelatedObjectPopup === "function") {
      window.showRelatedObjectPopup(opener);
      return true;
    }
    return false;
  }

  document.addEventListener("click", (event) => {
    const section = panel();
    if (!section || !section.contains(event.target)) return;
    const create = event.target.closest("a.mention-create");
    if (create) {
      if (openCreatePopup(create)) event.preventDefault();
      return;
    }
    const button = event.target.closest("button[name=link], button[name=unlink], button[name=link_all]");
    if (!button) return;
    event.preventDefault();
    let changed = false;
    if (button.name === "link_all") {
      section.querySelectorAll("li[data-suggestion]").forEach((item) => {
        changed = setLinked(item.dataset.suggestion, item.dataset.name, true) || changed;
      });
    } else {
      const item = button.closest("li");
      changed = setLinked(button.value, item ? item.dataset.name : button.value, button.name === "link");
    }
    if (changed) check();
  });

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (TEXT_FIELDS.includes(target.id) || (target.closest && target.closest(".prose-editor"))) soon();
  });

  function start() {
    if (!panel()) return;
    // Body edits that do not fire "input" (toolbar buttons, paste handled by the editor).
    const editor = document.querySelector(".prose-editor");
    if (editor && window.MutationObserver) {
      new MutationObserver(soon).observe(editor, { subtree: true, characterData: true, childList: true });
    }
    if (window.django && window.django.jQuery) {
      window.django.jQuery(document).on("change", "select[multiple]", (event) => {
        if (mentionSelects().includes(event.target)) soon();
      });
    }
    if (!panel().dataset.article) {
      check(true); // a new story: the panel starts from the form
    } else {
      // The saved story's panel came with the page: only a change asks again.
      // (Once the body editor has rendered the stored text.)
      setTimeout(() => {
        if (lastChecked === null && panel()) lastChecked = payloadKey(payload(panel()));
      }, 300);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
