// Take-home page: autosave while typing (debounced), show conflicts instead of overwriting,
// count down with the server's clock, record integrity signals. The page works without it.
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

  form.querySelectorAll("textarea[data-item]").forEach(function (area) {
    var timer = null, focusedAt = null;
    area.addEventListener("input", function () {
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
    document.getElementById("timer").innerHTML =
      "<strong>Time is up.</strong> Your saved answers are kept: please submit.";
  }

  var timerEl = document.getElementById("timer");
  var left = parseInt(timerEl.dataset.secondsLeft, 10);
  var endsAt = Date.now() + left * 1000;
  var remaining = document.getElementById("remaining");
  function tick() {
    var s = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (remaining) {
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
      remaining.textContent = (h ? h + " h " : "") + m + " min " + sec + " s";
    }
    if (s <= 0) { timeUp(); return; }
    setTimeout(tick, 1000);
  }
  if (left > 0) tick();
})();
