/* Colourway swatches: a colour picker beside each hex box, kept in step with it.
 * The hex box is what the form posts; the picker only fills it in. Works for rows
 * added to an inline after the page loaded, as the picker is found by delegation.
 */
(function () {
  "use strict";
  const HEX = /^#[0-9a-fA-F]{6}$/;

  function boxFor(picker) {
    // The box beside the picker (an inline row added later has a renumbered id).
    return picker.closest(".swatch-input")?.querySelector("input:not(.swatch-input__picker)");
  }

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target.matches("input.swatch-input__picker")) {
      const box = boxFor(target);
      if (box) {
        box.value = target.value;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (target.closest(".swatch-input")) {
      const picker = target.closest(".swatch-input").querySelector("input.swatch-input__picker");
      if (picker && HEX.test(target.value.trim())) picker.value = target.value.trim().toLowerCase();
    }
  });
})();
