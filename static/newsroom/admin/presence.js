/* Who else has this story open: a heartbeat every few seconds (newsroom.presence).
 * The answer lists the others; the banner above the form says who they are.
 */
(function () {
  "use strict";

  function start() {
    const box = document.getElementById("presence");
    if (!box) return;
    const text = box.querySelector("[data-presence-text]");
    const seconds = Math.max(1, parseFloat(box.dataset.seconds) || 20);
    const token = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

    function show(others) {
      if (!others.length) {
        box.hidden = true;
        text.textContent = "";
        return;
      }
      text.textContent =
        "Also open by " + others.map((o) => o.name).join(", ") +
        ". You can both edit; if you both change the same field, the second save is refused and shows both versions.";
      box.hidden = false;
    }

    function beat() {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token());
      fetch(box.dataset.url, { method: "POST", body: data, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : null))
        .then((answer) => answer && show(answer.others || []))
        .catch(() => {});
    }

    setInterval(beat, seconds * 1000);
    window.addEventListener("pagehide", () => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token());
      data.append("leave", "1");
      if (navigator.sendBeacon) navigator.sendBeacon(box.dataset.url, data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
