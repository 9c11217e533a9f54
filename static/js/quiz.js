/* Quiz pages: the countdowns, the autosave and the question before submitting with blanks. Plain JS, no build step.
 *
 * The server is the clock: each countdown starts from the seconds left that the server put in the page
 * (data-seconds-left), so a wrong clock on the learner's computer changes nothing. When an attempt's time
 * is up the form is submitted; the server accepts it within its grace period and otherwise closes the
 * attempt with the answers saved so far, which is why answers are saved as they are given.
 */
(function () {
  "use strict";

  function format(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function countdown(holder, output, onZero) {
    if (!holder || !output) return;
    var end = Date.now() + parseInt(holder.dataset.secondsLeft || "0", 10) * 1000;
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      output.textContent = format(left);
      if (left === 0) { onZero(); return; }
      setTimeout(tick, 500);
    }
    tick();
  }

  var strings = document.getElementById("quiz-strings");
  var form = document.getElementById("quiz-form");
  var status = document.getElementById("quiz-save-status");
  var submitting = false;

  // The wait between attempts: reload when it is over (the page then offers the start button).
  countdown(document.getElementById("quiz-wait"), document.getElementById("quiz-wait-countdown"), function () {
    setTimeout(function () { window.location.reload(); }, 1500);
  });

  if (!form) return;

  function say(key) {
    if (status && strings) status.textContent = strings.dataset[key] || "";
  }

  var timer = null, dirty = false, inFlight = false;
  function save() {
    if (submitting || inFlight || !dirty) return;
    dirty = false;
    inFlight = true;
    fetch(form.dataset.saveUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) { say("saved"); return; }
        if (status) status.textContent = result.body.error || "";
        if (result.body.closed) window.location.reload();  // the server closed the attempt
      })
      .catch(function () { dirty = true; say("failed"); })
      .finally(function () { inFlight = false; });
  }
  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  setInterval(save, 30000);
  document.addEventListener("visibilitychange", function () { if (document.hidden) save(); });
  // A question is answered when something is chosen or typed in it (one blank of several is enough).
  function unanswered() {
    return Array.prototype.filter.call(form.querySelectorAll("fieldset.question"), function (fieldset) {
      return !Array.prototype.some.call(fieldset.querySelectorAll("input, textarea"), function (field) {
        if (field.type === "radio" || field.type === "checkbox") return field.checked;
        return field.value.trim() !== "";
      });
    });
  }
  // Submitting uses one of the attempts: questions left blank are asked about first (not when time is up).
  form.addEventListener("submit", function (event) {
    if (!submitting) {
      var blank = unanswered();
      form.querySelectorAll("fieldset.question.unanswered").forEach(function (f) { f.classList.remove("unanswered"); });
      if (blank.length && strings && !window.confirm(strings.dataset.blanks.replace("{n}", blank.length))) {
        event.preventDefault();
        blank.forEach(function (f) { f.classList.add("unanswered"); });
        blank[0].scrollIntoView({ block: "center" });
        var first = blank[0].querySelector("input, textarea");
        if (first) first.focus({ preventScroll: true });
        return;
      }
    }
    submitting = true;
  });

  countdown(document.getElementById("quiz-timer"), document.getElementById("quiz-countdown"), function () {
    if (submitting) return;
    say("timeup");
    submitting = true;
    form.submit();
  });
})();
