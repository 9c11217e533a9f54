// Live preview of a certificate template: post the unsaved HTML/CSS, show the PNG of page one.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  if (!form) return;
  var img = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  var timer = null, shown = null;
  function refresh() {
    status.textContent = status.dataset.busy;  // translated in the page
    fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
        return r.blob();
      })
      .then(function (blob) {
        if (shown) URL.revokeObjectURL(shown);
        shown = URL.createObjectURL(blob);
        img.src = shown;
        status.textContent = "";
      })
      .catch(function (e) { status.textContent = e.message; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
  refresh();
})();
