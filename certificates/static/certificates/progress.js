// Live progress of a bulk issuance job: poll its JSON every second until it is finished.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-bar");
  function render(p) {
    bar.setAttribute("aria-valuenow", p.percent);
    bar.firstElementChild.style.width = p.percent + "%";
    document.getElementById("job-status").textContent = p.status_label;
    document.getElementById("job-counts").textContent =
      "已颁发 " + p.done + "，跳过 " + p.skipped + "，失败 " + p.failed + "，共 " + p.total;
    var list = document.getElementById("job-errors");
    list.textContent = "";
    p.errors.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e;
      list.appendChild(li);
    });
    return p.finished;
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) { if (!render(p)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
