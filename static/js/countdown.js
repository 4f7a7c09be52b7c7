// A deadline countdown that follows the server's clock, not the visitor's: the page
// carries the server's time when it was made, and the offset to this device's clock
// is applied to every tick.
(function () {
  "use strict";
  var element = document.getElementById("countdown");
  if (!element) return;
  var deadline = Number(element.dataset.deadline) * 1000;
  var serverNow = Number(element.dataset.serverNow) * 1000;
  var offset = serverNow - Date.now();
  var text = element.querySelector("[data-countdown-text]");
  var labels = element.dataset;

  function render() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    if (left === 0) {
      text.textContent = labels.labelClosed;
      return false;
    }
    var days = Math.floor(left / 86400);
    var hours = Math.floor((left % 86400) / 3600);
    var minutes = Math.floor((left % 3600) / 60);
    var seconds = left % 60;
    var parts = [];
    if (days) parts.push(days + " " + labels.labelDays);
    parts.push(hours + " " + labels.labelHours);
    parts.push(minutes + " " + labels.labelMinutes);
    parts.push(seconds + " " + labels.labelSeconds);
    text.textContent = parts.join(" ");
    return true;
  }

  if (render()) {
    var timer = window.setInterval(function () {
      if (!render()) window.clearInterval(timer);
    }, 1000);
  }
})();
