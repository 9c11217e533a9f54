/* The device and network check (设备检测, docs/protocol.md §9).
 *
 * The server drives it: it sends `check.ping` frames one at a time and times each round trip
 * itself; this page answers each with `check.pong` and its own clock (Date.now()), shows the
 * sample question, sends the chosen option as `check.answer`, and shows the server's `check.result`.
 * Nothing measured here decides the result.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("check-config").textContent);
  var S = config.strings;
  var $ = function (sel) { return document.querySelector(sel); };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g, function () { return Math.floor(Math.random() * 16).toString(16); });
  }

  function setConn(kind, text) {
    var node = $("[data-conn]");
    node.dataset.state = kind;
    node.textContent = text;
  }

  var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.socket);
  var total = 0;

  function sample(q) {
    var host = $("[data-sample]");
    host.textContent = "";
    var box = el("fieldset", { class: "card question" });
    box.appendChild(el("legend", {}, S.answer));
    box.appendChild(el("p", { class: "stem" }, q.stem));
    q.options.forEach(function (o) {
      var label = el("label", { class: "choice" });
      var input = el("input", { type: "radio", name: "sample", value: o.id });
      label.appendChild(input);
      label.appendChild(el("span", {}, o.label + ". " + o.text));
      box.appendChild(label);
    });
    var button = el("button", { type: "button", class: "btn", "data-sample-submit": "" }, S.submit);
    button.addEventListener("click", function () {
      var chosen = box.querySelector("input:checked");
      if (!chosen || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: "check.answer", client_id: uuid(), question_id: q.id, answer: [chosen.value] }));
    });
    box.appendChild(button);
    host.appendChild(box);
  }

  function result(m) {
    var host = $("[data-result]");
    host.textContent = "";
    host.appendChild(el("p", { class: m.passed ? "badge badge-ok" : "badge badge-warn", "data-passed": String(m.passed) }, m.passed ? S.passed : S.not_passed));
    var dl = el("dl", { class: "facts" });
    [[S.latency, m.latency_ms], [S.offset, m.clock_offset_ms]].forEach(function (pair) {
      dl.appendChild(el("dt", {}, pair[0]));
      dl.appendChild(el("dd", {}, pair[1] === null ? "—" : pair[1] + " " + S.ms));
    });
    host.appendChild(dl);
    m.reasons.forEach(function (r) { host.appendChild(el("p", { class: "alert" }, r)); });
  }

  ws.onopen = function () { setConn("open", S.connected); };
  ws.onclose = function () { if ($("[data-conn]").dataset.state !== "open") setConn("closed", S.failed); };
  ws.onmessage = function (event) {
    var m = JSON.parse(event.data);
    switch (m.type) {
      case "check.hello":
        total = m.pings;
        sample(m.question);
        break;
      case "check.ping":
        ws.send(JSON.stringify({ type: "check.pong", seq: m.seq, client_time: Date.now() }));
        $("[data-progress]").textContent = fill(S.measuring, { n: m.seq, total: total });
        break;
      case "check.ack":
        $("[data-sample]").textContent = S.acked;
        break;
      case "check.result":
        $("[data-progress]").textContent = "";
        result(m);
        break;
      case "answer.rejected":
      case "error":
        $("[data-result]").appendChild(el("p", { class: "alert" }, m.message));
        break;
      default:
        break;
    }
  };
})();
