/* The page an approved contestant sees before the lobby opens: a countdown to the round's start on
 * the server's clock (offset from the time the page was rendered), and a reload every minute so the
 * console opens once the organiser opens the lobby. */
(function () {
  "use strict";
  var root = document.querySelector("[data-before-lobby]");
  if (!root) return;
  var startsAt = Date.parse(root.dataset.startsAt);
  var offset = Date.parse(root.dataset.serverTime) - Date.now();
  var out = root.querySelector("[data-countdown]");
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function tick() {
    var left = Math.max(0, Math.floor((startsAt - (Date.now() + offset)) / 1000));
    var d = Math.floor(left / 86400);
    var rest = left % 86400;
    var text = pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
    out.textContent = (d ? root.dataset.days.replace("%(n)s", d) + " " : "") + text;
  }
  tick();
  setInterval(tick, 1000);
  setTimeout(function () {
    window.location.reload();
  }, 60000);
})();
