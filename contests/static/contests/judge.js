/* The judge console (contests/views/judge.py): a score is posted in the background and only its
 * criterion is redrawn, so the judge keeps their place on a long list. Without this script the form
 * posts as usual and the page comes back at the same criterion. */
(function () {
  "use strict";
  // The judge socket (blind: seat numbers only) tells the page when the round's status changes or
  // new seats are drawn; the page then asks to be reloaded. No reconnect after a 4xxx close.
  var root = document.querySelector("[data-judge-round]");
  var notice = document.querySelector("[data-judge-notice]");
  var stringsNode = document.getElementById("judge-strings");
  if (!root || !notice || !stringsNode || !window.WebSocket) return;
  var strings = JSON.parse(stringsNode.textContent);
  var delay = 500;

  function tell(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/rounds/" + root.dataset.judgeRound + "/judge/");
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      var state = message.type === "round.state" ? message : message.state;
      if (message.type === "judge.hello") delay = 500;
      if (state && state.status && state.status !== root.dataset.status) {
        tell(strings.status.replace("%(s)s", state.status_label));
      } else if (message.seats && message.seats.length > Number(root.dataset.seats)) {
        tell(strings.seats);
      }
      if (message.type === "round.state") socket.send(JSON.stringify({ type: "seats" }));
    };
    socket.onclose = function (event) {
      if (event.code >= 4000 && event.code < 5000) return;
      setTimeout(connect, delay * (0.7 + Math.random() * 0.6));
      delay = Math.min(delay * 2, 10000);
    };
  }
  connect();
})();

(function () {
  "use strict";
  var list = document.querySelector("[data-judge-console]");
  if (!list || !window.fetch || !window.FormData) return;
  var announce = document.querySelector("[data-announce]");

  function fallback(form, submitter) {
    // The page could not answer in the background: post the ordinary way.
    if (submitter && submitter.name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.appendChild(input);
    }
    form.submit();
  }

  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form")) return;
    event.preventDefault();
    var submitter = event.submitter;
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) throw new Error("not json");
        return response.json();
      })
      .then(function (answer) {
        if (!answer.row) throw new Error("no row");
        var item = form.closest("li");
        var holder = document.createElement("ul");
        holder.innerHTML = answer.row.trim();
        var fresh = holder.firstElementChild;
        item.replaceWith(fresh);
        fresh.classList.add("just-saved");
        var progress = document.querySelector('[data-progress="' + answer.seat + '"]');
        if (progress && answer.progress) progress.textContent = answer.progress;
        if (announce) announce.textContent = answer.message;
        var input = fresh.querySelector("input[type=number]");  // focus stays on this criterion
        if (input) input.focus({ preventScroll: true });
      })
      .catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        fallback(form, submitter);
      });
  });
})();
