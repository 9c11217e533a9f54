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
    var counts = document.getElementById("job-counts");
    // The sentence comes translated from the page (data-template), with {done} … {total} to fill in.
    counts.textContent = counts.dataset.template.replace(/\{(done|skipped|failed|total)\}/g, function (_m, key) {
      return p[key];
    });
    var list = document.getElementById("job-errors");
    list.textContent = "";
    p.errors.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = e;
      list.appendChild(li);
    });
    var message = document.getElementById("job-message");
    message.textContent = p.message;
    message.hidden = !p.message;
    return p.finished;
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (!render(p)) setTimeout(poll, 1000);
        // A job that failed while the page was open: reload, so that the resume button shows.
        else if (p.can_resume && !document.getElementById("job-resume")) window.location.reload();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
