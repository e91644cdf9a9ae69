/*
 * Search suggestions for the site's search box.
 *
 * As the reader types, asks /search/suggest/?q= (public people, bags, houses,
 * campaigns and events) and lists links under the box. Without JavaScript the
 * box is an ordinary form that opens the search page. Loaded from a file: the
 * site's Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.site-search[data-suggest-url]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[type=search]");
  var endpoint = form.getAttribute("data-suggest-url");
  var list = document.createElement("ul");
  list.className = "suggestions";
  list.id = "site-search-suggestions";
  list.hidden = true;
  list.setAttribute("aria-label", "Suggestions");
  form.appendChild(list);
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(status);
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-autocomplete", "list");

  var timer = null;
  var latest = 0;

  function clear() {
    list.hidden = true;
    while (list.firstChild) list.removeChild(list.firstChild);
    input.setAttribute("aria-expanded", "false");
  }

  function show(results) {
    clear();
    results.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      var name = document.createElement("span");
      name.textContent = item.name + (item.detail ? " · " + item.detail : "");
      var label = document.createElement("span");
      label.className = "kind-label";
      label.textContent = item.label;
      a.appendChild(name);
      a.appendChild(label);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    status.textContent = results.length
      ? results.length + " suggestion" + (results.length === 1 ? "" : "s") + ", press Tab to reach them"
      : "";
  }

  function ask() {
    var query = input.value.trim();
    if (query.length < 2) { clear(); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (ticket === latest) show(data.results || []); })
      .catch(function () { clear(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clear(); input.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) clear();
  });
})();
