// Scorecard drafts save as they go: each change posts only the field that changed (a rating,
// one item's red flags, one notes box, the verdict), so a second tab editing other fields never
// overwrites this one. Without JavaScript the "Save draft" button posts the whole form.
(function () {
  "use strict";
  var form = document.getElementById("scorecard");
  if (!form || !form.dataset.autosave) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("save-status");
  var timers = {};

  var queue = Promise.resolve();
  function post(fields) {
    var body = new URLSearchParams(fields);
    status.textContent = "Saving…";
    // One save at a time, in order ("Not asked" off, then a rating, arrive in that order).
    queue = queue.then(function () {
      return fetch(form.dataset.autosave, {
        method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRFToken": csrf}
      });
    }).then(function (r) { return r.text().then(function (t) { return [r.ok, t]; }); })
      .then(function (res) {
        var tmp = document.createElement("div");
        tmp.innerHTML = res[1];
        status.textContent = tmp.textContent || (res[0] ? "Saved" : "Not saved");
      })
      .catch(function () { status.textContent = "Not saved (connection problem): use Save draft."; });
  }

  function fieldsFor(el) {
    if (el.type === "checkbox" && el.name.indexOf("na-") === 0) {
      return [[el.name, el.checked ? "1" : "0"]];  // "Not asked": one switch, not a group
    }
    if (el.type === "checkbox") {
      // A red-flag group is saved whole, with its marker so "none ticked" is saved too.
      var fields = [[el.name + "-present", "1"]];
      form.querySelectorAll("input[type=checkbox][name='" + el.name + "']").forEach(function (box) {
        if (box.checked) fields.push([el.name, box.value]);
      });
      return fields;
    }
    return [[el.name, el.value]];
  }

  form.addEventListener("change", function (e) {
    var el = e.target;
    if (el.type === "checkbox" && el.name.indexOf("na-") === 0 && el.checked) {
      // The server drops a not-asked question's ratings; clear them here too.
      el.closest("article").querySelectorAll("input[type=radio]:checked").forEach(function (r) {
        r.checked = false;
      });
    }
    if (el.name) post(fieldsFor(el));
  });
  form.addEventListener("input", function (e) {
    var el = e.target;
    if (el.tagName !== "TEXTAREA") return;
    clearTimeout(timers[el.name]);
    timers[el.name] = setTimeout(function () { post(fieldsFor(el)); }, 800);
  });
})();
