/* Practice mode of the contestant console (模拟练习, docs/protocol.md §8, `config.practice`).
 *
 * Loaded before contest-console.js by the practice console page only. The console calls
 * window.ContestPractice(c) with its shared pieces and uses what it returns: the clock counts the
 * time used; each question is answered once with its own submit button and the server's
 * `practice.feedback` shows right or wrong and the correct answer; 结束练习 sends `practice.finish`.
 */
window.ContestPractice = function (c) {
  "use strict";

  var S = c.S;
  var $ = c.$;
  var startedAt = null; // when the attempt started (server clock)
  var answered = {}; // question id -> true once the server graded it

  function open() {
    return startedAt !== null && !c.isDone();
  }

  function tick() {
    if (startedAt === null) return;
    $("[data-countdown]").textContent = c.fmt(Math.max(0, Date.now() + c.offset() - startedAt));
    $("[data-status]").textContent = S.practice + " · " + S.elapsed;
    var editable = open() && !c.isStopped();
    Object.keys(c.questions).forEach(function (id) { c.questions[id].fieldset.disabled = !editable || !!answered[id]; });
    $("[data-hand-in]").hidden = !(editable && Object.keys(c.questions).length);
  }

  // A question's submit button and its feedback box (after renderPaper made it).
  function decorate(q, article, fieldset) {
    var submit = c.el("button", { type: "button", class: "btn", "data-submit": "" }, S.submit);
    submit.addEventListener("click", function () { c.queue(q.id); });
    fieldset.appendChild(submit);
    c.questions[q.id].feedbackEl = c.el("div", { class: "feedback", "data-feedback": "", "aria-live": "polite" });
    article.appendChild(c.questions[q.id].feedbackEl);
  }

  function showFeedback(id, f) {
    var q = c.questions[id];
    if (!q || !q.feedbackEl) return;
    answered[id] = true;
    q.feedbackEl.textContent = "";
    q.feedbackEl.dataset.correct = f.correct ? "true" : "false";
    q.feedbackEl.appendChild(c.el("strong", {}, f.correct ? S.right : S.wrong));
    q.feedbackEl.appendChild(c.el("p", {}, S.key + f.correct_answer));
    if (f.explanation) q.feedbackEl.appendChild(c.el("p", { class: "muted" }, S.explanation + f.explanation));
    c.mark(id, "saved", f.correct ? S.right : S.wrong);
    c.tick();
  }

  function hello(m) {
    c.online(m.server_time);
    startedAt = c.parseTime(m.started_at);
    $("[data-waiting]") && $("[data-waiting]").remove();
    c.renderPaper(m.paper);
    Object.keys(m.answers).forEach(function (id) {
      if (c.pending[id] && c.pending[id].client_id === m.answers[id].client_id) delete c.pending[id];
      if (c.questions[id]) c.questions[id].write(m.answers[id].answer);
      showFeedback(id, m.answers[id]);
    });
    c.restore({});
    if (m.finished_at) c.setDone();
    else c.resendAll();
    c.tick();
  }

  function finished(m) {
    c.handInNote("");
    $("[data-done-text]").textContent = c.fill(S.finished, { right: m.right, total: m.total, answered: m.answered });
    c.setDone();
    $("[data-done]").hidden = false;
    $("[data-hand-in-confirm]").hidden = true;
    c.tick();
  }

  // The practice frames; false for any other (the console handles it).
  function handle(m) {
    switch (m.type) {
      case "practice.hello":
        hello(m);
        return true;
      case "practice.feedback":
        c.acked(m);
        showFeedback(m.question_id, m);
        return true;
      case "practice.finished":
        finished(m);
        return true;
      default:
        return false;
    }
  }

  return { open: open, tick: tick, decorate: decorate, handle: handle };
};
