/* Tag suggestions for the article form's comma-separated tags box.
 *
 * As the writer types, the tag being typed (after the last comma) is sent to
 * the admin's tag suggestion view; the answer is a list under the box. Arrow
 * keys move, Enter or a click takes one; it replaces the tag being typed and
 * adds ", " so the next one can follow. Nothing else about the box changes: it
 * still posts the same comma-separated text.
 */
(function () {
  "use strict";

  function setUp(input) {
    const url = input.dataset.tagSuggest;
    const list = document.createElement("ul");
    list.className = "tag-suggestions";
    list.id = input.id + "-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.insertAdjacentElement("afterend", list);

    let timer = null;
    let active = -1;
    let request = 0;

    function current() {
      const value = input.value;
      const cut = value.lastIndexOf(",");
      return { head: cut === -1 ? "" : value.slice(0, cut + 1), term: value.slice(cut + 1).trim() };
    }

    function taken() {
      return input.value.split(",").map((name) => name.trim().toLowerCase()).filter(Boolean);
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
    }

    function choose(name) {
      const head = current().head;
      input.value = (head ? head.replace(/\s*$/, " ") : "") + name + ", ";
      close();
      input.focus();
    }

    function highlight(index) {
      const items = list.querySelectorAll("li");
      items.forEach((item, n) => item.setAttribute("aria-selected", n === index ? "true" : "false"));
      active = index;
    }

    function show(names) {
      const already = taken();
      const term = current().term.toLowerCase();
      const fresh = names.filter((name) => name.toLowerCase() === term || !already.includes(name.toLowerCase()));
      if (!fresh.length) {
        close();
        return;
      }
      list.replaceChildren(
        ...fresh.map((name) => {
          const item = document.createElement("li");
          item.setAttribute("role", "option");
          item.textContent = name;
          item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(name);
          });
          return item;
        })
      );
      list.hidden = false;
      highlight(-1);
    }

    async function fetchSuggestions() {
      const term = current().term;
      if (!term) {
        close();
        return;
      }
      const mine = ++request;
      try {
        const response = await fetch(url + "?q=" + encodeURIComponent(term), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok || mine !== request) return;
        show((await response.json()).tags || []);
      } catch (error) {
        close();
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 200);
    });
    input.addEventListener("keydown", (event) => {
      const items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active].textContent);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  function start() {
    document.querySelectorAll("input[data-tag-suggest]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
