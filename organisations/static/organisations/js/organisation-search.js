// Search as you type on 我的工作单位: fills the radio list from the JSON endpoint. Without this
// script the same form searches on submit, and the list comes from the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-org-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById(form.getAttribute("data-org-results"));
  var url = form.getAttribute("data-org-search");
  var timer = null;
  var latest = 0;

  function render(results) {
    while (list.firstChild) list.removeChild(list.firstChild);
    results.forEach(function (org) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "organisation";
      radio.value = String(org.id);
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + (org.label || org.name) + " "));
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = org.kind + (org.region ? " · " + org.region : "");
      label.appendChild(meta);
      if (org.pending) {
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = " " + (list.getAttribute("data-pending") || "待审核");
        label.appendChild(badge);
      }
      li.appendChild(label);
      list.appendChild(li);
    });
  }

  function lookup() {
    var q = input.value.trim();
    if (!q) { render([]); return; }
    var ticket = ++latest;
    fetch(url + "?q=" + encodeURIComponent(q.slice(0, 50)), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { if (ticket === latest) render(data.results || []); })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
})();
