// Buttons that fold a part of the page on narrow screens: the header's 菜单 and the catalogue's 筛选.
// A button with `data-toggle` opens and closes the element its aria-controls names; CSS decides
// where a closed one is hidden (only on narrow screens, only when this script runs: the `js` class).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-toggle][aria-controls]");

  function target(button) {
    return document.getElementById(button.getAttribute("aria-controls"));
  }

  function set(button, open) {
    var panel = target(button);
    if (!panel) return;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panel.classList.toggle("is-open", open);
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      set(button, button.getAttribute("aria-expanded") !== "true");
    });
  });

  // Escape closes an open menu and puts the focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    Array.prototype.forEach.call(buttons, function (button) {
      var panel = target(button);
      if (button.getAttribute("aria-expanded") === "true" && panel && panel.contains(document.activeElement)) {
        set(button, false);
        button.focus();
      }
    });
  });
})();
