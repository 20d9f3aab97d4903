// Take-home page: autosave while typing (debounced), show conflicts instead of overwriting,
// count down with the server's clock (announced to screen readers only at 30, 10, 5 and 1
// minutes left), show the deadline in the candidate's local time, count words, list empty
// answers before the final submit, record integrity signals. The page works without it.
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form) return;
  var formKey = form.querySelector("input[name=form_key]").value;
  var urlFor = function (id) { return form.dataset.autosave.replace(/\/0\/$/, "/" + id + "/"); };
  var focusLost = 0, pending = {};

  window.addEventListener("blur", function () { focusLost += 1; });

  function versionInput(id) { return form.querySelector("[data-version-for='" + id + "']"); }
  function status(id, text) { document.getElementById("status-" + id).textContent = text; }

  function save(area, versionOverride) {
    var id = area.dataset.item, st = pending[id] || (pending[id] = {pastes: [], seconds: 0});
    var body = new URLSearchParams();
    body.set("text", area.value);
    body.set("version", versionOverride !== undefined ? versionOverride : versionInput(id).value);
    body.set("paste_sizes", st.pastes.join(","));
    body.set("focus_lost", String(focusLost));
    body.set("active_seconds", String(Math.round(st.seconds)));
    st.pastes = []; st.seconds = 0; focusLost = 0;
    status(id, "Saving…");
    return fetch(urlFor(id), {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-Takehome-Key": formKey, "Accept": "application/json"}
    }).then(function (r) { return r.json().then(function (data) { return [r.status, data]; }); })
      .then(function (res) {
        var code = res[0], data = res[1];
        if (data.ok) { versionInput(id).value = data.version; status(id, "Saved " + data.saved_at); return; }
        if (code === 409 && data.saved_text !== undefined) { showConflict(area, data); return; }
        if (code === 403) { timeUp(); }
        status(id, "Not saved: " + data.error);
      })
      .catch(function () { status(id, "Not saved (connection problem): keep this page open and try again."); });
  }

  function showConflict(area, data) {
    var id = area.dataset.item, box = document.getElementById("conflict-" + id);
    box.hidden = false;
    box.querySelector(".saved-text").textContent = data.saved_text;
    status(id, "Not saved: this answer changed in another window.");
    box.querySelector(".use-saved").onclick = function () {
      area.value = data.saved_text; versionInput(id).value = data.version; box.hidden = true;
      status(id, "Using the saved version.");
    };
    box.querySelector(".keep-mine").onclick = function () {
      box.hidden = true; save(area, data.version);
    };
  }

  function countWords(text) {
    var words = text.trim().split(/\s+/).filter(Boolean).length;
    return words + (words === 1 ? " word" : " words");
  }

  form.querySelectorAll("textarea[data-item]").forEach(function (area) {
    var timer = null, focusedAt = null;
    var words = document.getElementById("words-" + area.dataset.item);
    area.addEventListener("input", function () {
      if (words) words.textContent = countWords(area.value);
      clearTimeout(timer);
      timer = setTimeout(function () { save(area); }, 800);
    });
    area.addEventListener("paste", function (e) {
      var text = (e.clipboardData || window.clipboardData).getData("text") || "";
      var id = area.dataset.item;
      (pending[id] || (pending[id] = {pastes: [], seconds: 0})).pastes.push(text.length);
    });
    area.addEventListener("focus", function () { focusedAt = Date.now(); });
    area.addEventListener("blur", function () {
      if (focusedAt) {
        var id = area.dataset.item;
        (pending[id] || (pending[id] = {pastes: [], seconds: 0})).seconds += (Date.now() - focusedAt) / 1000;
        focusedAt = null;
      }
    });
  });

  function timeUp() {
    form.querySelectorAll("textarea").forEach(function (a) { a.readOnly = true; });
    form.querySelectorAll("input[type=file]").forEach(function (f) { f.disabled = true; });
    document.getElementById("timer").innerHTML =
      "<strong>Time is up.</strong> Your saved answers are kept: please submit.";
  }

  // The deadline in the candidate's own time zone; the server's UTC text stays without JS.
  var deadlineEl = document.getElementById("deadline");
  if (deadlineEl && window.Intl) {
    var when = new Date(deadlineEl.getAttribute("datetime"));
    if (!isNaN(when.getTime())) {
      deadlineEl.textContent = when.toLocaleString(undefined, {
        day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
        timeZoneName: "short"
      });
    }
  }

  // The visible clock changes every second; the live region only at these thresholds.
  var announcer = document.getElementById("timer-announce");
  var THRESHOLDS = [30, 10, 5, 1];
  var announced = {};
  function announce(s) {
    if (!announcer) return;
    var due = null;
    THRESHOLDS.forEach(function (m) {
      if (s <= m * 60 && !announced[m]) { announced[m] = true; due = m; }
    });
    if (due !== null) {
      announcer.textContent = due + (due === 1 ? " minute" : " minutes") + " left.";
    }
  }

  var timerEl = document.getElementById("timer");
  var left = parseInt(timerEl.dataset.secondsLeft, 10);
  var endsAt = Date.now() + left * 1000;
  var remaining = document.getElementById("remaining");
  // Thresholds already passed when the page loads are not announced again.
  THRESHOLDS.forEach(function (m) { if (left < m * 60) announced[m] = true; });
  function tick() {
    var s = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (remaining) {
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      remaining.textContent = (h ? h + " h " : "") + m + " min " + sec + " s";
    }
    if (s <= 0) {
      if (announcer) announcer.textContent = "Time is up. Your saved answers are kept: please submit.";
      timeUp();
      return;
    }
    announce(s);
    setTimeout(tick, 1000);
  }
  if (left > 0) tick();

  // Before the final submit: list the questions with no answer and no file.
  var dialog = document.getElementById("confirm-empty");
  var finalSubmit = document.getElementById("final-submit");
  function emptyQuestions() {
    var empty = [];
    form.querySelectorAll("article[data-question]").forEach(function (article) {
      var area = article.querySelector("textarea[data-item]");
      var field = article.querySelector(".attachment-field");
      var file = article.querySelector("input[type=file]");
      var remove = article.querySelector("input[name^=remove-file-]");
      var hasFile = (field && field.dataset.hasFile === "1" && !(remove && remove.checked)) ||
        (file && file.files && file.files.length > 0);
      if (area && !area.value.trim() && !hasFile) empty.push(article.dataset.question);
    });
    return empty;
  }
  function addHidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
  }
  if (dialog && finalSubmit && typeof dialog.showModal === "function") {
    finalSubmit.addEventListener("click", function (e) {
      var empty = emptyQuestions();
      if (!empty.length) return;
      e.preventDefault();
      var list = document.getElementById("confirm-empty-list");
      list.textContent = "";
      empty.forEach(function (n) {
        var li = document.createElement("li");
        li.textContent = "Question " + n;
        list.appendChild(li);
      });
      dialog.showModal();
    });
    document.getElementById("confirm-empty-back").addEventListener("click", function () {
      dialog.close();
    });
    document.getElementById("confirm-empty-submit").addEventListener("click", function () {
      dialog.close();
      addHidden("submit", "1");
      addHidden("confirm", "1");
      // The button named "submit" shadows form.submit: call the form's own method.
      HTMLFormElement.prototype.submit.call(form);
    });
  }
})();
