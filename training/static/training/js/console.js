// The 企业培训 console: copy an invitation link, tick every box of a page, confirm before a change.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-link");
    if (!button) return;
    var input = document.getElementById(button.dataset.target);
    if (!input) return;
    input.select();
    var done = function () { button.textContent = button.dataset.done || "OK"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("select-all")) return;
    var form = box.closest("form") || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.name + '"]').forEach(function (b) {
      b.checked = box.checked;
    });
  });
  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
