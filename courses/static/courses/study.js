/* Tracked study on a lesson page (docs/study.md): heartbeats over ws/study/<lesson>/, the last one by
 * navigator.sendBeacon on pagehide; progress bar, remaining minimum time, no seeking ahead, pause
 * when hidden, the idle check. The server decides what is credited; this page only reports.
 *
 * Reads: #study (data-kind, data-csrf, data-msg-* texts), #study-config (json_script), the video
 * #lesson-video when there is one. State a test can read: #study[data-state] (connecting|open|
 * offline|closed), #study[data-session], #study-bar[aria-valuenow], #study-remaining. */
(function () {
  "use strict";
  var root = document.getElementById("study");
  var configNode = document.getElementById("study-config");
  if (!root || !configNode) return;
  var cfg = JSON.parse(configNode.textContent);
  var kind = cfg.kind;
  var video = kind === "video" ? document.getElementById("lesson-video") : null;
  var bar = document.getElementById("study-bar");
  var label = document.getElementById("study-label");
  var statusNode = document.getElementById("study-status");
  var remainingNode = document.getElementById("study-remaining");
  var completeButton = document.getElementById("study-complete");
  var dialog = document.getElementById("study-idle");
  var answerButton = document.getElementById("study-idle-answer");
  var CLOSE_FINAL = [4401, 4403, 4404, 4009];

  function msg(name, values) {
    var text = root.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
    return text;
  }
  function say(text) { if (statusNode) statusNode.textContent = text; }
  function setState(state) { root.dataset.state = state; }

  var strict = !!cfg.strict;
  var furthest = cfg.furthest || 0;          // the server's furthest point, extended by what plays here
  var remaining = cfg.remaining_seconds || 0; // text: minimum time still to study (server's figure)
  var share = cfg.watched_share || 0;
  var completed = false;

  // What has not been acknowledged yet: sent again with the next beat until the server answers.
  var pending = { ranges: [], active: 0 };
  var inflight = {};  // seq → {ranges, active}
  var seq = 0, session = null, socket = null, attempt = 0, finalClose = false, idleToken = null;
  var resumeAfterIdle = false;  // the idle check stopped a playing video: play on after the answer

  // ------------------------------------------------------------ progress display
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) { seconds = Math.max(0, Math.ceil(seconds)); return Math.floor(seconds / 60) + ":" + pad(seconds % 60); }
  function unackedActive() {
    var sum = pending.active;
    Object.keys(inflight).forEach(function (k) { sum += inflight[k].active; });
    return sum;
  }
  function render() {
    var percent;
    if (kind === "video") {
      percent = Math.min(100, Math.round(share * 100));
      if (label) label.textContent = msg("watched", { percent: percent + "%" });
    } else {
      var total = cfg.min_seconds || 0;
      // The countdown runs here between beats, but only the server's figure says the time is reached
      // (it credits what its own clock allows): until then at least a second stays on the clock.
      var left = Math.max(remaining > 0 ? 1 : 0, remaining - unackedActive());
      percent = total ? Math.min(100, Math.round(100 * (total - left) / total)) : 100;
      if (label) label.textContent = msg("studied", { percent: percent + "%" });
      if (remainingNode) remainingNode.textContent = remaining > 0 ? msg("remaining", { time: clock(left) }) : msg("ready");
      // Not before the minimum time (the server refuses it anyway): the button waits, saying why.
      if (completeButton) completeButton.disabled = remaining > 0;
    }
    if (bar) {
      bar.setAttribute("aria-valuenow", String(percent));
      if (bar.firstElementChild) bar.firstElementChild.style.width = percent + "%";
    }
  }

  // ------------------------------------------------------------ what is played and when
  var current = null;  // [start, end] of the range playing now
  function flushRange() {
    if (current && current[1] > current[0]) pending.ranges.push([current[0], current[1]]);
    current = current ? [current[1], current[1]] : null;
  }
  function reach() {  // the furthest point watched: the server's, and what played here since (sent or not)
    var r = furthest, played = [];
    Object.keys(inflight).forEach(function (k) { played = played.concat(inflight[k].ranges); });
    played = played.concat(pending.ranges, current ? [current] : []);
    played.sort(function (a, b) { return a[0] - b[0]; }).forEach(function (p) { if (p[0] <= r + 2) r = Math.max(r, p[1]); });
    return r;
  }
  if (video) {
    video.addEventListener("playing", function () {
      current = [video.currentTime, video.currentTime];
      if (session && statusNode && statusNode.textContent === msg("hidden")) say(msg("connected"));  // back again
    });
    video.addEventListener("timeupdate", function () {
      var t = video.currentTime;
      if (video.paused || video.seeking) return;
      if (current && t >= current[1] && t - current[1] < 1.5) { current[1] = t; return; }
      flushRange();
      current = [t, t];
    });
    ["pause", "seeking", "ended"].forEach(function (name) {
      video.addEventListener(name, function () { flushRange(); current = null; });
    });
    video.addEventListener("seeking", function () {
      if (!strict) return;
      var allowed = reach();
      if (video.currentTime > allowed + 1) {
        video.currentTime = allowed;
        say(msg("ahead"));
      }
    });
    video.addEventListener("play", function () {
      // The clock stands still while an idle check waits (media keys or the picture-in-picture
      // window can still start the video under the dialog): play on only after the answer.
      if (idleToken) { resumeAfterIdle = true; video.pause(); idleAsk(); }
    });
    video.addEventListener("ratechange", function () {
      if (video.playbackRate > 1) { video.playbackRate = 1; say(msg("rate")); }
    });
    var resumeAt = cfg.position || 0;
    var resume = function () {
      if (resumeAt > 1 && (!video.duration || resumeAt < video.duration - 2)) video.currentTime = strict ? Math.min(resumeAt, furthest) : resumeAt;
      resumeAt = 0;
    };
    if (video.readyState >= 1) resume(); else video.addEventListener("loadedmetadata", resume, { once: true });
  } else if (cfg.position > 0) {
    window.addEventListener("load", function () {
      window.scrollTo(0, cfg.position * Math.max(0, document.documentElement.scrollHeight - window.innerHeight));
    });
  }

  function visible() { return document.visibilityState === "visible"; }
  function activeNow() {
    if (idleToken) return false;
    if (video) return !video.paused && !video.ended && (visible() || !strict);
    return visible();
  }
  var lastTick = performance.now();
  setInterval(function () {
    var now = performance.now();
    var delta = Math.min(2000, now - lastTick) / 1000;  // a throttled timer never counts more than 2 s
    lastTick = now;
    if (activeNow()) pending.active += delta;
    if (kind !== "video") {
      render();
      // The time looks reached here: ask the server now rather than at the next regular beat.
      if (remaining > 0 && remaining - unackedActive() <= 0 && !Object.keys(inflight).length) sendBeat(1000);
    }
  }, 1000);

  document.addEventListener("visibilitychange", function () {
    if (!visible() && video && strict && !video.paused) {
      video.pause();
      say(msg("hidden"));
    }
  });

  function position() {
    if (video) return video.currentTime || 0;
    var range = document.documentElement.scrollHeight - window.innerHeight;
    return range > 0 ? Math.min(1, Math.max(0, window.scrollY / range)) : 0;
  }

  function beat() {
    flushRange();
    seq += 1;
    var carried = { ranges: pending.ranges, active: pending.active };
    pending = { ranges: [], active: 0 };
    inflight[seq] = carried;
    return {
      type: "beat", seq: seq, position: Math.round(position() * 1000) / 1000,
      ranges: carried.ranges.slice(-32).map(function (p) { return [Math.round(p[0] * 1000) / 1000, Math.round(p[1] * 1000) / 1000]; }),
      active: Math.round(carried.active * 1000) / 1000, visible: visible()
    };
  }
  function giveBack() {  // what was sent and not acknowledged goes out again with the next beat
    Object.keys(inflight).forEach(function (k) {
      pending.ranges = inflight[k].ranges.concat(pending.ranges);
      pending.active += inflight[k].active;
    });
    inflight = {};
  }

  // ------------------------------------------------------------ the socket
  function onAck(frame) {
    delete inflight[frame.seq];
    if (kind === "video") {
      share = frame.watched_share;
      furthest = Math.max(furthest, frame.furthest);
    }
    remaining = frame.remaining_seconds;
    if (frame.refused === "ahead") say(msg("ahead"));
    if (frame.idle_check) idleCheck(frame.idle_check);
    // A video lesson is completed by the server at its share; a text lesson only becomes ready for
    // the button (frame.completed means "its minimum time is reached" there).
    if (kind === "video" && frame.completed && !completed) {
      completed = true;
      say(msg("completed"));
      root.dataset.completed = "true";
      showCompleted();
    }
    if (completeButton && remaining <= 0) completeButton.removeAttribute("aria-describedby");
    render();
  }
  function showCompleted() {  // what the page shows after a reload, without one: the badge, the way on, the tick
    var rule = document.getElementById("study-auto-complete");
    var done = document.getElementById("study-done");
    if (rule) rule.hidden = true;
    if (done) done.hidden = false;
    var item = document.querySelector(".lesson-nav li[aria-current]");
    var mark = item && item.querySelector("[data-done-mark]");
    if (mark) mark.hidden = false;
    // The list as the server will draw it now (the page holds it: lesson.html's once_done).
    var nav = document.querySelector(".lesson-nav");
    if (!nav) return;
    var after = nav.querySelector("[data-progress-once-done]");
    var now = nav.querySelector("[data-progress-now]");
    if (after && now) { now.hidden = true; after.hidden = false; }
    var bar = nav.querySelector(".progress[data-percent-once-done]");
    if (bar) {
      bar.setAttribute("aria-valuenow", bar.dataset.percentOnceDone);
      if (bar.firstElementChild) bar.firstElementChild.style.width = bar.dataset.percentOnceDone + "%";
    }
    nav.querySelectorAll("[data-locked-until-done]").forEach(function (el) { el.hidden = true; });
    nav.querySelectorAll("[data-unlocked-once-done]").forEach(function (el) { el.hidden = false; });
  }
  function idleCheck(token) {
    if (idleToken === token) return;
    idleToken = token;
    // A stopped video earns nothing anyway: the question waits until the learner plays again, so a
    // finished lesson's page is not locked behind a dialog (the links to go on stay usable).
    if (video && video.paused) return;
    if (video) { resumeAfterIdle = true; video.pause(); }
    idleAsk();
  }
  function idleAsk() {
    if (dialog && typeof dialog.showModal === "function") { if (!dialog.open) dialog.showModal(); }
    else if (dialog) dialog.setAttribute("open", "");
    if (answerButton) answerButton.focus();
  }
  function idleDone() {
    idleToken = null;
    if (dialog && dialog.open) { if (typeof dialog.close === "function") dialog.close(); else dialog.removeAttribute("open"); }
    if (video && resumeAfterIdle && visible()) {
      var playing = video.play();  // after the learner's click on the answer button
      if (playing && playing.catch) playing.catch(function () {});
    }
    resumeAfterIdle = false;
  }
  if (answerButton) answerButton.addEventListener("click", function () {
    if (idleToken && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "idle.answer", token: idleToken }));
  });
  if (dialog) dialog.addEventListener("cancel", function (event) { event.preventDefault(); });

  function connect() {
    setState("connecting");
    say(msg("connecting"));
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + cfg.socket);
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "hello") {
        attempt = 0; seq = 0; session = frame.session;
        root.dataset.session = session;
        furthest = Math.max(furthest, frame.furthest || 0);
        share = frame.watched_share || share;
        remaining = frame.remaining_seconds;
        completed = !!frame.completed;
        giveBack();
        setState("open");
        say(msg("connected"));
        if (frame.idle_check) idleCheck(frame.idle_check);
        render();
      } else if (frame.type === "beat.ack") onAck(frame);
      else if (frame.type === "idle.ok") idleDone();
      else if (frame.type === "superseded") { finalClose = true; say(msg("superseded")); }
      else if (frame.type === "error") {
        if (frame.seq && inflight[frame.seq]) {  // not stored: send it again with the next beat
          pending.ranges = inflight[frame.seq].ranges.concat(pending.ranges);
          pending.active += inflight[frame.seq].active;
          delete inflight[frame.seq];
        }
        if (frame.code === "idle_check_invalid") idleDone();
        if (["unauthenticated", "forbidden", "locked", "not_found"].indexOf(frame.code) >= 0) { finalClose = true; say(frame.message); }
      }
    };
    socket.onclose = function (event) {
      socket = null;
      session = null;
      giveBack();
      if (finalClose || CLOSE_FINAL.indexOf(event.code) >= 0) {
        setState("closed");
        if (!finalClose) say(msg("closed"));
        return;
      }
      setState("offline");
      say(msg("offline"));
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) + Math.random() * 1000;
      attempt += 1;
      setTimeout(connect, delay);
    };
  }

  var lastSent = 0;
  function sendBeat(minGapMs) {  // the socket allows about one frame a second
    var now = performance.now();
    if (!socket || socket.readyState !== WebSocket.OPEN || !session || now - lastSent < (minGapMs || 0)) return;
    lastSent = now;
    socket.send(JSON.stringify(beat()));
  }
  setInterval(function () { sendBeat(0); }, (cfg.interval || 15) * 1000);

  window.addEventListener("pagehide", function () {
    if (!session || !navigator.sendBeacon) return;
    var frame = beat();
    giveBack();
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", root.dataset.csrf || "");
    body.set("session", session);
    body.set("beat", JSON.stringify(frame));
    navigator.sendBeacon(cfg.beacon, body);
  });

  render();
  connect();
})();
