// Live preview of a certificate template: post the unsaved HTML/CSS, then poll until the task
// worker has rendered page one (or says why it could not). One preview is in flight at a time;
// edits made meanwhile are previewed when it is done.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  if (!form) return;
  var img = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  var timer = null, busy = false, again = false;

  function json(response) {
    return response.json().catch(function () { return { state: "failed", message: status.dataset.failed }; });
  }
  function finish(data) {
    busy = false;
    if (data.state === "done") {
      img.src = data.image;
      status.textContent = "";
      status.dataset.state = "done";
    } else {
      status.textContent = data.message || status.dataset.failed;
      status.dataset.state = "failed";
    }
    if (again) { again = false; refresh(); }
  }
  function follow(data, poll) {
    if (data.state !== "pending") return finish(data);
    poll = data.poll || poll;
    setTimeout(function () {
      fetch(poll, { credentials: "same-origin" }).then(json).then(function (next) { follow(next, poll); })
        .catch(function () { finish({ state: "failed" }); });
    }, 500);
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    status.textContent = status.dataset.busy;  // translated in the page
    status.dataset.state = "pending";
    fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(json).then(function (data) { follow(data, null); })
      .catch(function () { finish({ state: "failed" }); });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
  refresh();
})();
