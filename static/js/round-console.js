/* The organiser's round console, live (docs/protocol.md §4.5): the organiser's board socket with
 * `panel=organiser` brings `round.progress` (clock, who is connected, answers, judging) about once
 * a second while something changes, and `round.state` on every pause, resume or extension.
 * The countdown runs on Date.now() + offset, the offset taken from each frame's server_time and
 * from `pong`. Reconnects with backoff after any close that is not 4xxx.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("console-config").textContent);
  var S = config.strings;
  var root = document.querySelector("[data-round-console]");
  var countdownEl = root.querySelector("[data-countdown]");
  var statusEl = root.querySelector("[data-live-status]");
  var connEl = root.querySelector("[data-conn]");
  var connectedEl = root.querySelector("[data-connected]");
  var judgingEl = root.querySelector("[data-judging]");
  var offset = 0;
  var state = null;
  var ws = null;
  var retry = 0;

  function parseTime(iso) {
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clockText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function remaining() {
    if (!state) return null;
    if (state.status === "running") return parseTime(state.deadline) - (Date.now() + offset);
    return state.remaining_ms; // paused: stands still; lobby: the planned length; over: 0
  }

  function tick() {
    var left = remaining();
    if (left !== null) countdownEl.textContent = clockText(left);
  }

  function setState(next) {
    state = next;
    offset = parseTime(next.server_time) - Date.now();
    statusEl.textContent = next.status_label;
    statusEl.dataset.status = next.status;
    tick();
  }

  function timeText(iso) {
    if (!iso) return "—";
    var d = new Date(parseTime(iso));
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  function showProgress(m) {
    setState(m.state);
    connectedEl.textContent = S.connected.replace("%(n)s", m.connected).replace("%(total)s", m.entries);
    m.rows.forEach(function (row) {
      // the contestants' table, not the board above it (whose rows carry data-entry too)
      var tr = root.querySelector('[data-entries] tr[data-entry="' + row.entry + '"]');
      if (!tr) return;
      var online = tr.querySelector("[data-online]");
      online.textContent = row.connected ? S.online : S.offline;
      online.className = row.connected ? "badge badge-ok" : "muted";
      tr.querySelector("[data-last-seen]").textContent = row.connected ? S.now : timeText(row.last_seen);
      tr.querySelector("[data-answered]").textContent = m.questions ? row.answered + " / " + m.questions : "—";
    });
    judgingEl.textContent = "";
    m.judging.forEach(function (c) {
      var tr = document.createElement("tr");
      [c.task_title, c.title, c.scored + " / " + m.entries, c.confirmed + " / " + m.entries].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i > 1) td.className = "num";
        tr.appendChild(td);
      });
      judgingEl.appendChild(tr);
    });
  }

  function handle(m) {
    if (m.type === "round.progress") {
      retry = 0;
      showProgress(m);
    } else if (m.type === "round.state") {
      setState(m);
    } else if (m.type === "pong" && typeof m.t === "number") {
      offset = parseTime(m.server_time) - (m.t + Date.now()) / 2;
    }
  }

  function setConn(kind) {
    connEl.dataset.state = kind;
    connEl.textContent = S[kind];
  }

  function connect() {
    setConn("connecting");
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + config.socket);
    ws.onopen = function () {
      setConn("open");
    };
    ws.onmessage = function (event) {
      handle(JSON.parse(event.data));
    };
    ws.onclose = function (event) {
      ws = null;
      if (event.code >= 4000 && event.code < 5000) {
        setConn("closed");
        return;
      }
      setConn("retry");
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.7 + Math.random() * 0.6);
      setTimeout(connect, delay);
    };
  }

  setInterval(tick, 250);
  setInterval(function () {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping", t: Date.now() }));
  }, 20000);
  connect();
})();
