/* Live scoreboard and venue display (docs/protocol.md §4).
 *
 * Keeps a local board. The top view replaces its rows with every message; the all-rows view
 * applies sequence-numbered deltas, re-ranks locally (total desc, then reached_at asc; equal pairs
 * share a rank), asks the server to `resume` when it sees a gap, and reconnects with backoff.
 * While a part of the scores is hidden (a round not over), rows carry null for it and for total,
 * reached_at and rank: they keep entry order and show "—".
 * While the socket is down it keeps the board fresh from events.json / scoreboard.json.
 * The all-rows view filters by 省份 and organisation locally (config.filters: from the address).
 * The display mode (body.display) also auto-scrolls and plays the reveal ceremony.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("live-config").textContent);
  var S = config.strings;
  var root = document.querySelector("[data-scoreboard]");
  var tbody = root.querySelector("[data-rows]");
  var connEl = root.querySelector("[data-conn]");
  var statusEl = root.querySelector("[data-status]");
  var frozenEl = root.querySelector("[data-frozen]");
  var scroller = root.querySelector("[data-scroll]");
  var isDisplay = config.mode === "display";

  var board = new Map(); // entry id -> row values (all view)
  var topRows = []; // top view: the rows as last sent, with rank
  var seq = -1;
  var meta = {};
  var mine = null;
  var filters = {
    province: (config.filters && config.filters.province) || "",
    organisation: (config.filters && config.filters.organisation) || "",
  };
  var rowsEl = new Map(); // entry id -> <tr>
  var ws = null;
  var retry = 0;
  var resuming = false;
  var fallbackTimer = null;
  var offset = 0; // server clock minus this clock, ms
  var spotlightUntil = 0;

  // ------------------------------------------------------------------ time and ranking

  function parseTime(iso) {
    // Date.parse takes milliseconds only; microseconds are kept apart so ties compare exactly.
    var m = /\.(\d+)/.exec(iso);
    var micros = m ? Number((m[1] + "000000").slice(0, 6)) : 0;
    return Date.parse(iso.replace(/\.\d+/, "")) * 1000 + micros;
  }

  function show(value) {
    return value === null || value === undefined ? "—" : String(value);
  }

  function compare(a, b) {
    if (a.total === null || b.total === null) return a.entry - b.entry; // hidden: no rank
    var d = Number(b.total) - Number(a.total);
    if (d) return d;
    return parseTime(a.reached_at) - parseTime(b.reached_at) || a.entry - b.entry;
  }

  function ranked() {
    var rows = Array.from(board.values()).sort(compare);
    var previous = null;
    var rank = 0;
    rows.forEach(function (row, i) {
      var key = row.total + "|" + row.reached_at;
      if (key !== previous) {
        rank = i + 1;
        previous = key;
      }
      row.rank = row.total === null ? null : rank;
    });
    return rows;
  }

  // ------------------------------------------------------------------ rendering

  function cells(row) {
    // The province by its code, in the page's language: a frame's province_name is in the language of
    // whoever built it (one text is sent to every socket), so it is only the fallback.
    var out = [show(row.rank), row.name, row.organisation, config.provinces[row.province] || row.province_name || ""];
    if (config.has_theory) out.push(show(row.theory));
    if (config.has_practical) {
      config.tasks.forEach(function (t) {
        out.push(row.practical === null ? "—" : (row.tasks && row.tasks[String(t.id)]) || "");
      });
      out.push(show(row.practical));
    }
    out.push(show(row.total));
    return out;
  }

  function rowElement(row) {
    var tr = rowsEl.get(row.entry);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.entry = row.entry;
      cells(row).forEach(function (_value, i, all) {
        var td = document.createElement("td");
        if (i === 0 || i >= 4) td.className = "num";
        if (i === 0) td.classList.add("rank");
        if (i === all.length - 1) td.appendChild(document.createElement("strong"));
        tr.appendChild(td);
      });
      rowsEl.set(row.entry, tr);
    }
    var values = cells(row);
    var tds = tr.children;
    values.forEach(function (value, i) {
      var target = i === values.length - 1 ? tds[i].firstChild : tds[i];
      if (target.textContent !== value) target.textContent = value;
    });
    tr.classList.toggle("mine", config.entry !== null && row.entry === config.entry);
    return tr;
  }

  function shown() {
    if (config.view === "top") return topRows.slice();
    return ranked().filter(function (row) {
      return (
        (!filters.province || row.province === filters.province) &&
        (!filters.organisation || row.organisation === filters.organisation)
      );
    });
  }

  function render(changed, revealed) {
    changed = changed || new Set();
    revealed = revealed || [];
    var rows = shown();
    if (mine && !rows.some(function (r) { return r.entry === mine.entry; })) rows.push(mine);
    var before = new Map();
    changed.forEach(function (entry) {
      var tr = rowsEl.get(entry);
      if (tr && tr.isConnected) before.set(entry, tr.getBoundingClientRect().top);
    });
    var keep = new Set();
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = rowElement(row);
      keep.add(row.entry);
      fragment.appendChild(tr);
    });
    Array.prototype.slice.call(tbody.children).forEach(function (tr) {
      var entry = Number(tr.dataset.entry);
      if (!tr.dataset.entry || rowsEl.get(entry) !== tr || !keep.has(entry)) tr.remove();
    });
    tbody.appendChild(fragment);
    changed.forEach(function (entry) {
      var tr = rowsEl.get(entry);
      if (!tr || !tr.isConnected) return;
      var from = before.get(entry);
      if (from !== undefined) {
        var dy = from - tr.getBoundingClientRect().top;
        if (dy) {
          tr.style.transition = "none";
          tr.style.transform = "translateY(" + dy + "px)";
          tr.getBoundingClientRect();
          tr.style.transition = "transform .8s ease";
          tr.style.transform = "";
        }
      }
      flash(tr, revealed.indexOf(entry) >= 0 ? "revealed-now" : "changed");
    });
    if (!rows.length) {
      var empty = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 6 + config.tasks.length;
      td.className = "muted";
      td.textContent = S.empty;
      empty.appendChild(td);
      tbody.appendChild(empty);
    }
    revealed.forEach(spotlight);
  }

  function flash(tr, cls) {
    tr.classList.remove("changed", "revealed-now");
    void tr.offsetWidth; // restart the animation
    tr.classList.add(cls);
  }

  function spotlight(entry) {
    var row = board.get(entry) || topRows.find(function (r) { return r.entry === entry; });
    if (!row) return;
    var tr = rowsEl.get(entry);
    if (isDisplay && tr && scroller) {
      spotlightUntil = Date.now() + 5000;
      scroller.scrollTop = Math.max(0, tr.offsetTop - scroller.clientHeight / 2);
    }
    if (!isDisplay) return;
    var box = document.createElement("div");
    box.className = "spotlight";
    box.setAttribute("role", "status");
    box.textContent = S.revealed + " · " + row.name + " · " + row.total;
    var small = document.createElement("small");
    small.textContent = row.organisation + " · " + "#" + row.rank;
    box.appendChild(small);
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 3300);
  }

  function renderMeta() {
    if (meta.status && S.status[meta.status] && statusEl) statusEl.textContent = S.status[meta.status];
    if (!frozenEl) return;
    var freezeAt = meta.freeze_at ? parseTime(meta.freeze_at) / 1000 : null;
    var over = meta.status === "published" || meta.status === "final";
    var byClock = freezeAt !== null && Date.now() + offset >= freezeAt && ["running", "paused", "ended"].indexOf(meta.status) >= 0;
    var frozen = !over && (meta.frozen || byClock);
    var note = root.querySelector("[data-hidden-note]");
    if (note && ["ended", "published", "final"].indexOf(meta.status) >= 0) note.hidden = true;
    frozenEl.hidden = !frozen;
    if (frozen) frozenEl.textContent = meta.audience === "staff" ? S.frozen_staff : S.frozen;
  }

  function renderMine() {
    var card = document.querySelector("[data-mine-card]");
    if (!card || !mine) return;
    card.querySelector("[data-mine-rank]").textContent = show(mine.rank);
    var dds = card.querySelectorAll("[data-mine] dd");
    var values = [];
    if (config.has_theory) values.push(show(mine.theory));
    if (config.has_practical) values.push(show(mine.practical));
    values.push(show(mine.total));
    values.forEach(function (v, i) { if (dds[i]) dds[i].textContent = v; });
  }

  function setConn(state) {
    connEl.dataset.state = state;
    connEl.textContent = { connecting: S.connecting, open: S.live, retry: S.reconnecting, closed: S.closed }[state];
  }

  // ------------------------------------------------------------------ messages

  function strip(row) {
    var copy = Object.assign({}, row);
    delete copy.rank;
    return copy;
  }

  function applyMeta(m) {
    ["status", "frozen", "freeze_at", "audience", "reveal_cursor", "entries"].forEach(function (k) {
      if (k in m) meta[k] = m[k];
    });
    renderMeta();
  }

  function applyRows(rows) {
    var changed = new Set();
    rows.forEach(function (row) {
      var old = board.get(row.entry);
      if (!old || old.total !== row.total || old.theory !== row.theory || old.practical !== row.practical) changed.add(row.entry);
      board.set(row.entry, strip(row));
    });
    return changed;
  }

  function snapshot(m) {
    applyMeta(m);
    if (m.view === "top") {
      topRows = m.rows;
    } else {
      board.clear();
      m.rows.forEach(function (row) { board.set(row.entry, strip(row)); });
    }
    seq = m.seq;
    resuming = false;
    render();
  }

  function handle(m) {
    switch (m.type) {
      case "scoreboard.snapshot":
        retry = 0;
        setConn("open");
        snapshot(m);
        break;
      case "scoreboard.top": {
        if (m.seq < seq) return;
        var previous = new Map(topRows.map(function (r) { return [r.entry, r]; }));
        var changed = new Set();
        m.rows.forEach(function (r) {
          var old = previous.get(r.entry);
          if (!old || old.total !== r.total || old.rank !== r.rank) changed.add(r.entry);
        });
        seq = m.seq;
        topRows = m.rows;
        applyMeta(m);
        render(changed, m.revealed);
        break;
      }
      case "scoreboard.changed":
        if (m.seq <= seq) return;
        if (m.from_seq > seq) {
          if (!resuming) resume();
          return;
        }
        resuming = false;
        seq = m.seq;
        applyMeta(m);
        render(applyRows(m.rows), m.revealed);
        break;
      case "scoreboard.mine":
        mine = m.row;
        renderMine();
        render();
        break;
      case "round.state":
        meta.status = m.status;
        meta.freeze_at = m.freeze_at;
        if (m.server_time) offset = parseTime(m.server_time) / 1000 - Date.now();
        renderMeta();
        break;
      case "pong":
        if (typeof m.t === "number") offset = parseTime(m.server_time) / 1000 - (m.t + Date.now()) / 2;
        break;
      default:
        break;
    }
  }

  function resume() {
    resuming = true;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "resume", last_seq: seq }));
  }

  // ------------------------------------------------------------------ connection

  function socketURL(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function connect() {
    setConn("connecting");
    ws = new WebSocket(socketURL(config.socket));
    ws.onopen = function () { stopFallback(); };
    ws.onmessage = function (event) { handle(JSON.parse(event.data)); };
    ws.onclose = function (event) {
      ws = null;
      if (event.code >= 4000 && event.code < 5000) {
        setConn("closed");
        return;
      }
      setConn("retry");
      startFallback();
      var delay = Math.min(10000, 500 * Math.pow(2, retry++)) * (0.7 + Math.random() * 0.6);
      setTimeout(connect, delay);
    };
  }

  // While the socket is down, the HTTP feed keeps the board fresh (every 5 s).
  function startFallback() {
    if (fallbackTimer) return;
    fallbackTimer = setInterval(poll, 5000);
  }

  function stopFallback() {
    clearInterval(fallbackTimer);
    fallbackTimer = null;
  }

  function poll() {
    var url = config.view === "all" && seq >= 0 ? config.events + "&since=" + seq : config.snapshot;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.snapshot || data.type === "scoreboard.snapshot") {
          snapshot(data.snapshot || data);
          return;
        }
        if (data.type === "scoreboard.events" && data.since === seq) {
          var rows = data.events.map(function (e) { return e.payload; });
          var revealed = data.events.filter(function (e) { return e.kind === "reveal"; }).map(function (e) { return e.payload.entry; });
          seq = data.seq;
          render(applyRows(rows), revealed);
        }
      })
      .catch(function () {});
  }

  setInterval(function () {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping", t: Date.now() }));
    renderMeta();
  }, 20000);

  // ------------------------------------------------------------------ filters and auto-scroll

  // The form works without JavaScript (the server filters); here a change filters the local board at
  // once and the address keeps the filters, so the page can be shared or reloaded as it is.
  root.querySelectorAll("[data-filter]").forEach(function (select) {
    select.addEventListener("change", function () {
      filters[select.dataset.filter] = select.value;
      var params = new URLSearchParams(location.search);
      params.set("view", "all");
      Object.keys(filters).forEach(function (k) {
        if (filters[k]) params.set(k, filters[k]);
        else params.delete(k);
      });
      history.replaceState(null, "", "?" + params.toString());
      render();
    });
  });
  root.querySelectorAll("[data-filter-submit]").forEach(function (button) {
    button.remove();
  });

  if (isDisplay && scroller) {
    var pauseUntil = Date.now() + 4000;
    var step = function () {
      var now = Date.now();
      if (now > pauseUntil && now > spotlightUntil) {
        var bottom = scroller.scrollHeight - scroller.clientHeight;
        if (scroller.scrollTop >= bottom - 1) {
          pauseUntil = now + 4000;
          setTimeout(function () { scroller.scrollTop = 0; }, 3000);
        } else {
          scroller.scrollTop += 1;
        }
      }
      setTimeout(step, 40);
    };
    step();
    if (document.documentElement.requestFullscreen) {
      document.addEventListener("dblclick", function () { document.documentElement.requestFullscreen().catch(function () {}); });
    }
  }

  connect();
})();
