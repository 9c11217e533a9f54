/* The contestant console (docs/protocol.md §3).
 *
 * The server is the clock: the countdown runs on Date.now() + offset, the offset taken from
 * `hello`, `round.state` and every `pong`. Each change of an answer becomes a save with a fresh
 * client id; it stays pending (in memory and in sessionStorage) until the server acknowledges it.
 * After a reconnect the pending saves are resent with the same ids, which the server stores at most
 * once. A newer console of the same contestant takes over; this page then stops and says why.
 *
 * Integrity (docs/protocol.md §3.3): while the paper is open, leaving the page (blur, tab hidden)
 * and coming back (with the time away) and each paste are reported as `integrity.signal` frames —
 * a paste as a count only, never its text. 交卷 sends `entry.hand_in` after a confirm step; then
 * the page shows the done state. The page's device id (localStorage) goes with the socket for
 * rounds that allow one device per contestant.
 *
 * Practice (模拟练习, docs/protocol.md §8, `config.practice`): the same page on the practice socket,
 * its own part in practice-console.js (window.ContestPractice, loaded first by that page only).
 * No integrity signals, no board.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("live-config").textContent);
  var S = config.strings;
  var $ = function (sel) { return document.querySelector(sel); };
  var storeKey = "contest-pending:" + config.round + ":" + config.entry;
  var SOFT = ["paused", "not_started", "rate_limited", "retry"]; // keep pending, send again later

  var pending = loadPending(); // question id -> {client_id, question_id, answer}
  var questions = {}; // question id -> {el, fieldset, stateEl, navEl, read, write}
  var state = null;
  var offset = 0;
  var ws = null;
  var retry = 0;
  var stopped = false;
  var resendTimer = null;
  var done = !!config.handed_in; // handed in (交卷): answers are final
  var signals = []; // integrity signals waiting for the socket
  var awayAt = null; // Date.now() when the page was left
  var practice = !!config.practice; // 模拟练习: feedback after each answer, no round clock
  var P = null; // practice mode (practice-console.js), made below

  // ------------------------------------------------------------------ helpers

  function loadPending() {
    try {
      return JSON.parse(sessionStorage.getItem(storeKey)) || {};
    } catch (e) {
      return {};
    }
  }

  function savePending() {
    try {
      sessionStorage.setItem(storeKey, JSON.stringify(pending));
    } catch (e) { /* private mode: memory only */ }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); // plain http on a venue LAN has no randomUUID
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function parseTime(iso) {
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  function fmt(ms) {
    var s = Math.floor(ms / 1000);
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  // ------------------------------------------------------------------ clock

  function open() {
    if (P) return P.open();
    return state && state.status === "running";
  }

  function remaining() {
    if (!state) return 0;
    if (state.status === "running") return Math.max(0, parseTime(state.deadline) - (Date.now() + offset));
    if (["draft", "lobby", "paused"].indexOf(state.status) >= 0) return state.remaining_ms;
    return 0;
  }

  function tick() {
    if (P) return P.tick();
    if (!state) return;
    var ms = remaining();
    $("[data-countdown]").textContent = fmt(ms);
    var label = state.status_label;
    if (state.status === "running" && ms === 0) label = S.over;
    else if (state.status === "paused") label = S.paused;
    else if (state.status === "lobby" || state.status === "draft") label = S.not_started;
    $("[data-status]").textContent = label;
    var clock = $("[data-clock]");
    if (state.status === "running" && ms < 5 * 60 * 1000) clock.setAttribute("data-urgent", "");
    else clock.removeAttribute("data-urgent");
    var editable = open() && ms > 0 && !stopped && !done;
    Object.keys(questions).forEach(function (id) { questions[id].fieldset.disabled = !editable; });
    $("[data-hand-in]").hidden = !(editable && Object.keys(questions).length);
  }

  function setState(next) {
    state = next;
    offset = parseTime(next.server_time) - Date.now();
    tick();
  }

  // ------------------------------------------------------------------ the paper

  function renderPaper(paper) {
    var host = $("[data-paper]");
    if (Object.keys(questions).length) return; // same paper after a reconnect
    host.textContent = "";
    var nav = $("[data-qnav]");
    nav.textContent = "";
    paper.questions.forEach(function (q) {
      var article = el("article", { class: "card question", id: "q-" + q.id });
      var head = el("h3");
      head.appendChild(document.createTextNode(q.no + ". "));
      head.appendChild(el("span", { class: "badge" }, q.kind_label));
      if (q.score !== null) head.appendChild(el("span", { class: "muted" }, " " + q.score + S.score));
      var stateEl = el("span", { class: "qstate", "data-state": "" }, S.unsaved);
      head.appendChild(stateEl);
      article.appendChild(head);
      article.appendChild(el("p", { class: "stem" }, q.stem));
      var fieldset = el("fieldset");
      article.appendChild(fieldset);
      var navItem = el("li");
      var navEl = el("a", { href: "#q-" + q.id, "data-state": "" }, String(q.no));
      navItem.appendChild(navEl);
      nav.appendChild(navItem);
      var io = inputsFor(q, fieldset);
      questions[q.id] = { fieldset: fieldset, stateEl: stateEl, navEl: navEl, read: io.read, write: io.write };
      if (P) P.decorate(q, article, fieldset);
      host.appendChild(article);
    });
  }

  function choice(fieldset, type, name, value, label) {
    var wrap = el("label", { class: "choice" });
    var input = el("input", { type: type, name: name, value: value });
    wrap.appendChild(input);
    wrap.appendChild(el("span", {}, label));
    fieldset.appendChild(wrap);
    return input;
  }

  function inputsFor(q, fieldset) {
    var name = "q-" + q.id;
    var changed = function () { if (!practice) queue(q.id); }; // practice: the submit button sends
    if (q.kind === "single" || q.kind === "multiple") {
      var type = q.kind === "single" ? "radio" : "checkbox";
      var boxes = q.options.map(function (o) { return choice(fieldset, type, name, o.id, o.label + ". " + o.text); });
      boxes.forEach(function (b) { b.addEventListener("change", changed); });
      return {
        read: function () { return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }); },
        write: function (a) {
          var chosen = Array.isArray(a) ? a : a ? [a] : [];
          boxes.forEach(function (b) { b.checked = chosen.indexOf(b.value) >= 0; });
        },
      };
    }
    if (q.kind === "true_false") {
      var yes = choice(fieldset, "radio", name, "true", S.true);
      var no = choice(fieldset, "radio", name, "false", S.false);
      [yes, no].forEach(function (b) { b.addEventListener("change", changed); });
      return {
        read: function () { return yes.checked ? true : no.checked ? false : null; },
        write: function (a) { yes.checked = a === true; no.checked = a === false; },
      };
    }
    var count = q.kind === "fill" ? Math.max(1, q.blanks) : 1;
    var texts = [];
    for (var i = 0; i < count; i++) {
      var label = el("label", { class: "blank" });
      var caption = q.kind === "fill" ? fill(S.blank, { n: i + 1 }) : S.numerical;
      label.appendChild(el("span", { class: "muted" }, caption + " "));
      var input = el("input", { type: "text", name: name + "-" + i, autocomplete: "off" });
      if (q.kind === "numerical") input.setAttribute("inputmode", "decimal");
      label.appendChild(input);
      fieldset.appendChild(label);
      texts.push(input);
    }
    var timer = null;
    texts.forEach(function (t) {
      t.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(changed, 600);
      });
      t.addEventListener("change", function () {
        clearTimeout(timer);
        changed();
      });
    });
    if (q.kind === "numerical") {
      return {
        read: function () { return texts[0].value.trim() === "" ? null : texts[0].value.trim(); },
        write: function (a) { texts[0].value = a === null || a === undefined ? "" : String(a); },
      };
    }
    return {
      read: function () { return texts.map(function (t) { return t.value; }); },
      write: function (a) { texts.forEach(function (t, n) { t.value = (a && a[n]) || ""; }); },
    };
  }

  function mark(id, kind, text) {
    var q = questions[id];
    if (!q) return;
    q.stateEl.dataset.state = kind;
    q.navEl.dataset.state = kind;
    q.stateEl.textContent = text;
    q.stateEl.title = text;
    var ids = Object.keys(questions);
    var saved = ids.filter(function (k) { return questions[k].navEl.dataset.state === "saved"; }).length;
    $("[data-answered]").textContent = fill(S.answered, { n: saved, total: ids.length });
  }

  // ------------------------------------------------------------------ saving

  function queue(id) {
    var q = questions[id];
    if (!q || stopped || done) return;
    pending[id] = { client_id: uuid(), question_id: Number(id), answer: q.read() };
    savePending();
    mark(id, "pending", S.pending);
    send(pending[id]);
  }

  function send(save) {
    if (ws && ws.readyState === WebSocket.OPEN && open()) {
      ws.send(JSON.stringify({ type: "answer.save", client_id: save.client_id, question_id: save.question_id, answer: save.answer }));
    }
  }

  function resendAll() {
    clearTimeout(resendTimer);
    Object.keys(pending).forEach(function (id) { send(pending[id]); });
  }

  function resendLater(ms) {
    clearTimeout(resendTimer);
    resendTimer = setTimeout(resendAll, ms);
  }

  function acked(m) {
    var p = pending[m.question_id];
    if (p && p.client_id === m.client_id) {
      delete pending[m.question_id];
      savePending();
    }
    if (!pending[m.question_id]) {
      var at = new Date(parseTime(m.saved_at)).toLocaleTimeString();
      mark(m.question_id, "saved", S.saved + " " + at);
    }
  }

  function rejected(m) {
    var id = m.question_id;
    if (id === null) {
      id = Object.keys(pending).find(function (k) { return pending[k].client_id === m.client_id; });
    }
    var p = id !== undefined ? pending[id] : null;
    if (!p || p.client_id !== m.client_id) return;
    if (SOFT.indexOf(m.code) >= 0) {
      mark(id, "pending", S.pending + " " + m.message);
      if (m.code === "rate_limited" || m.code === "retry") resendLater(1500 + Math.random() * 1000);
      return;
    }
    delete pending[id];
    savePending();
    mark(id, "rejected", fill(S.rejected_because, { message: m.message }));
    if (m.code === "handed_in") showDone(null);
  }

  function restore(answers) {
    Object.keys(answers).forEach(function (id) {
      var a = answers[id];
      var p = pending[id];
      if (p && p.client_id === a.client_id) {
        delete pending[id]; // stored; only the acknowledgement was lost
      }
      if (!pending[id] && questions[id]) {
        questions[id].write(a.answer);
        mark(id, "saved", S.saved);
      }
    });
    Object.keys(pending).forEach(function (id) {
      if (questions[id]) {
        questions[id].write(pending[id].answer);
        mark(id, "pending", S.pending);
      }
    });
    savePending();
  }

  // ------------------------------------------------------------------ announcements and own row

  function notes(list, fresh) {
    var host = $("[data-notes]");
    if (!list.length && !host.querySelector("li[data-id]")) return;
    var empty = host.querySelector("li:not([data-id])");
    if (empty) empty.remove();
    list.forEach(function (n) {
      if (host.querySelector('li[data-id="' + n.id + '"]')) return;
      var li = el("li", { "data-id": String(n.id) });
      li.appendChild(el("time", {}, new Date(parseTime(n.created_at)).toLocaleTimeString()));
      li.appendChild(document.createTextNode(n.text));
      if (fresh) li.className = "new";
      host.insertBefore(li, host.firstChild);
    });
  }

  // A part the round hides until its end comes as null, and so do the total and the rank: "—".
  function renderMine(row) {
    if (!row) return;
    var show = function (v) { return v === null || v === undefined ? "—" : String(v); };
    $("[data-mine-rank]").textContent = show(row.rank);
    var dl = $("[data-mine]");
    dl.textContent = "";
    [[S.theory, row.theory], [S.practical, row.practical], [S.total, row.total]].forEach(function (pair) {
      dl.appendChild(el("dt", {}, pair[0]));
      dl.appendChild(el("dd", {}, show(pair[1])));
    });
  }

  // ------------------------------------------------------------------ integrity signals and 交卷

  function deviceId() {
    try {
      var id = localStorage.getItem("contest-device");
      if (!id) {
        id = uuid();
        localStorage.setItem("contest-device", id);
      }
      return id;
    } catch (e) {
      return ""; // no storage: a one-device round refuses the page and says why
    }
  }

  function watching() {
    if (practice) return false;
    return Object.keys(questions).length && state && ["running", "paused"].indexOf(state.status) >= 0 && !done;
  }

  function signal(kind, awayMs) {
    if (!watching() && kind !== "returned") return;
    var frame = { type: "integrity.signal", kind: kind };
    if (awayMs !== undefined) frame.away_ms = Math.max(0, Math.min(86400000, Math.round(awayMs)));
    signals.push(frame);
    if (signals.length > 20) signals.shift();
    flushSignals();
  }

  function flushSignals() {
    while (signals.length && ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(signals.shift()));
  }

  function left() {
    if (awayAt !== null || !watching()) return;
    awayAt = Date.now();
    signal("left");
  }

  function back() {
    if (awayAt === null || document.visibilityState === "hidden") return;
    var away = Date.now() - awayAt;
    awayAt = null;
    signal("returned", away);
  }

  function showDone(m) {
    done = true;
    awayAt = null;
    signals = [];
    var text = $("[data-done-text]");
    if (m) {
      var used = m.used_seconds === null ? "—" : fmt(m.used_seconds * 1000);
      text.textContent = fill(S.handed_in, { time: new Date(parseTime(m.handed_in_at)).toLocaleTimeString(), used: used });
    }
    $("[data-done]").hidden = false;
    $("[data-hand-in-confirm]").hidden = true;
    tick();
  }

  function handInNote(text) {
    var note = $("[data-hand-in-note]");
    note.textContent = text || "";
    note.hidden = !text;
  }

  function answeredCount() {
    return Object.keys(questions).filter(function (id) { return questions[id].stateEl.dataset.state === "saved"; }).length;
  }

  $("[data-hand-in-start]").addEventListener("click", function () {
    if (Object.keys(pending).length) {
      handInNote(S.hand_in_pending);
      return;
    }
    handInNote("");
    $("[data-hand-in-summary]").textContent = fill(S.answered, { n: answeredCount(), total: Object.keys(questions).length });
    $("[data-hand-in-confirm]").hidden = false;
  });
  $("[data-hand-in-cancel]").addEventListener("click", function () {
    $("[data-hand-in-confirm]").hidden = true;
  });
  $("[data-hand-in-confirm-yes]").addEventListener("click", function () {
    if (Object.keys(pending).length) {
      handInNote(S.hand_in_pending);
      return;
    }
    if (ws && ws.readyState === WebSocket.OPEN) {
      handInNote(S.sending);
      ws.send(JSON.stringify({ type: practice ? "practice.finish" : "entry.hand_in" }));
    }
  });
  window.addEventListener("blur", left);
  window.addEventListener("focus", back);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") left();
    else if (document.hasFocus()) back();
  });
  $("[data-paper]").addEventListener("paste", function () { signal("paste"); }); // a count, never the text

  // ------------------------------------------------------------------ the socket

  function setConn(kind) {
    var node = $("[data-conn]");
    node.dataset.state = kind;
    node.textContent = { connecting: S.connecting, open: S.live, retry: S.reconnecting, closed: S.closed }[kind];
  }

  // ------------------------------------------------------------------ practice (practice-console.js)

  if (practice) {
    P = window.ContestPractice({
      S: S, $: $, el: el, fill: fill, fmt: fmt, parseTime: parseTime, questions: questions, pending: pending,
      queue: queue, mark: mark, acked: acked, renderPaper: renderPaper, restore: restore, resendAll: resendAll,
      tick: tick, handInNote: handInNote,
      offset: function () { return offset; },
      isDone: function () { return done; },
      setDone: function () { done = true; },
      isStopped: function () { return stopped; },
      online: function (serverTime) {
        retry = 0;
        setConn("open");
        offset = parseTime(serverTime) - Date.now();
      },
    });
  }

  function handle(m) {
    if (P && P.handle(m)) return;
    switch (m.type) {
      case "hello":
        retry = 0;
        setConn("open");
        setState(m.state);
        if (m.paper) {
          $("[data-waiting]") && $("[data-waiting]").remove();
          renderPaper(m.paper);
        }
        restore(m.answers);
        notes(m.announcements, false);
        renderMine(m.mine);
        resendAll();
        flushSignals();
        tick();
        break;
      case "entry.handed_in":
        handInNote("");
        showDone(m);
        break;
      case "entry.hand_in_rejected":
        handInNote(m.message);
        $("[data-hand-in-confirm]").hidden = true;
        break;
      case "paper":
        $("[data-waiting]") && $("[data-waiting]").remove();
        renderPaper(m.paper);
        restore({});
        tick();
        break;
      case "round.state":
        setState(m);
        if (open()) resendAll();
        break;
      case "answer.ack":
        acked(m);
        break;
      case "answer.rejected":
        rejected(m);
        break;
      case "announcement.posted":
        notes([m.announcement], true);
        break;
      case "scoreboard.mine":
        renderMine(m.row);
        break;
      case "session.taken_over":
        stopped = true;
        $("[data-takeover-reason]").textContent = m.reason;
        $("[data-takeover]").hidden = false;
        tick();
        break;
      case "pong":
        if (typeof m.t === "number") offset = parseTime(m.server_time) - (m.t + Date.now()) / 2;
        break;
      case "error":
        if (["unauthenticated", "forbidden", "device_taken", "device_required"].indexOf(m.code) >= 0) {
          $("[data-fatal]").textContent = m.message;
          $("[data-fatal]").hidden = false;
        }
        break;
      default:
        break;
    }
  }

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function connect() {
    stopped = false;
    setConn("connecting");
    ws = new WebSocket(socketURL(config.socket) + "?device=" + encodeURIComponent(deviceId()));
    ws.onmessage = function (event) { handle(JSON.parse(event.data)); };
    ws.onclose = function (event) {
      ws = null;
      if (stopped || (event.code >= 4000 && event.code < 5000)) {
        setConn("closed");
        return;
      }
      setConn("retry");
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.7 + Math.random() * 0.6);
      setTimeout(connect, delay);
    };
  }

  $("[data-resume]").addEventListener("click", function () {
    $("[data-takeover]").hidden = true;
    connect();
  });

  setInterval(tick, 250);
  setInterval(function () {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping", t: Date.now() }));
  }, 15000);
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(pending).length) event.preventDefault();
  });
  connect();
})();
