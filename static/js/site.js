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

  // The header's menu folds behind its button wherever it would need more than one row (many links,
  // a longer language): measured, since it depends on the person's links and the language.
  var header = document.querySelector(".site-header");
  var links = header && header.querySelector(".nav");
  function fit() {
    if (!links || !links.children.length || window.matchMedia("(max-width: 899.98px)").matches) {
      if (header) header.classList.remove("is-compact");
      return;
    }
    var open = header.querySelector(".site-nav.is-open");
    if (open) return;  // an open menu stays as it is until it is closed
    header.classList.remove("is-compact");
    var first = links.children[0].getBoundingClientRect().top;
    var last = links.children[links.children.length - 1].getBoundingClientRect().top;
    header.classList.toggle("is-compact", last - first > 8);
  }
  fit();
  window.addEventListener("resize", fit);

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
