// Choosing the questions of one live interview (position page): show the chosen stage's
// questions only, keep a running total of minutes, and refresh the server's preview of the
// coverage and track-fit evidence the ticked questions give (the plan simulation).
(function () {
  "use strict";
  var box = document.getElementById("session-questions");
  if (!box) return;
  var form = box.closest("form");
  var stage = form.querySelector("select[name=stage]");
  var groups = Array.prototype.slice.call(box.querySelectorAll(".question-group"));
  var timer = null;

  function current() {
    var id = stage ? stage.value : "";
    return groups.find(function (g) { return g.dataset.stage === id; }) || groups[0];
  }
  function showGroup() {
    var chosen = current();
    groups.forEach(function (g) {
      g.hidden = g !== chosen;
      g.disabled = g !== chosen;
    });
  }
  function total(group) {
    var sum = 0;
    group.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
      sum += parseInt(c.dataset.minutes, 10) || 0;
    });
    group.querySelector(".minutes-total").textContent = sum;
  }
  function preview(group) {
    var params = new URLSearchParams();
    params.append("stage", group.dataset.stage);
    group.querySelectorAll("input[type=checkbox]:checked").forEach(function (c) {
      params.append("questions", c.value);
    });
    fetch(box.dataset.previewUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var old = group.querySelector("[data-preview]");
        var tmp = document.createElement("div");
        tmp.innerHTML = html;
        var fresh = tmp.querySelector("[data-preview]");
        if (old && fresh) old.replaceWith(fresh);
      });
  }
  box.addEventListener("change", function (e) {
    var group = e.target.closest(".question-group");
    if (!group) return;
    total(group);
    clearTimeout(timer);
    timer = setTimeout(function () { preview(group); }, 250);
  });
  if (stage) stage.addEventListener("change", showGroup);
  showGroup();
})();
