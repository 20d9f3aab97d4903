// Interview mode: pages the questions one per screen on a phone, keeps the progress count,
// the chosen anchor's text and the save state up to date, saves each change as it happens
// (only the field that changed, like the scorecard page), and runs a timer against the
// interview's minutes. Without JavaScript the page is a plain form with "Save draft".
(function () {
  "use strict";
  var form = document.getElementById("interview");
  if (!form) return;
  var sections = Array.prototype.slice.call(form.querySelectorAll(".iv-q"));
  var links = Array.prototype.slice.call(form.querySelectorAll(".iv-index a[data-q]"));
  var status = document.getElementById("save-status");
  var progress = document.getElementById("iv-progress");
  var narrow = window.matchMedia("(max-width: 899px)");
  var current = 0;

  // -- paging -------------------------------------------------------------------------------
  function show(index, focus) {
    current = Math.max(0, Math.min(sections.length - 1, index));
    sections.forEach(function (s, i) { s.classList.toggle("is-current", i === current); });
    links.forEach(function (a, i) {
      if (i === current) a.setAttribute("aria-current", "step");
      else a.removeAttribute("aria-current");
    });
    if (narrow.matches) {
      form.scrollIntoView({block: "start"});
      if (focus) {
        var heading = sections[current].querySelector("h2");
        heading.setAttribute("tabindex", "-1");
        heading.focus({preventScroll: true});
      }
    } else if (focus) {
      sections[current].scrollIntoView({block: "start"});
    }
  }
  function setPaged() {
    form.classList.toggle("iv-paged", narrow.matches);
    show(current, false);
  }
  links.forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      show(parseInt(a.dataset.q, 10), true);
    });
  });
  form.addEventListener("click", function (e) {
    var go = e.target.closest("button[data-go]");
    if (go) show(current + parseInt(go.dataset.go, 10), true);
  });
  if (narrow.addEventListener) narrow.addEventListener("change", setPaged);
  var start = sections.findIndex(function (s) { return "#" + s.id === window.location.hash; });
  current = start > -1 ? start : 0;
  setPaged();

  // -- progress and anchors -----------------------------------------------------------------
  function questionState(section) {
    var na = section.querySelector("input[type=checkbox][name^='na-']");
    if (na && na.checked) return "not-asked";
    var groups = section.querySelectorAll(".iv-crit");
    if (!groups.length) return "";
    for (var i = 0; i < groups.length; i++) {
      if (!groups[i].querySelector("input[type=radio]:checked")) return "";
    }
    return "rated";
  }
  function refresh() {
    var rated = 0, notAsked = 0, total = 0;
    sections.forEach(function (s, i) {
      if (!s.dataset.item) return;
      total += 1;
      var state = questionState(s);
      if (state === "rated") rated += 1;
      if (state === "not-asked") notAsked += 1;
      var link = links[i];
      link.classList.toggle("is-rated", state === "rated");
      link.classList.toggle("is-not-asked", state === "not-asked");
      link.setAttribute("aria-label", "Question " + (i + 1) +
        (state === "rated" ? ", rated" : state === "not-asked" ? ", not asked" : ""));
    });
    progress.innerHTML = "";
    var strong = document.createElement("strong");
    strong.textContent = rated + "/" + (total - notAsked);
    progress.appendChild(strong);
    progress.appendChild(document.createTextNode(" rated" +
      (notAsked ? " \u00b7 " + notAsked + " not asked" : "")));
  }
  function showAnchor(radio) {
    var out = document.getElementById(radio.name + "-chosen");
    if (out) out.textContent = radio.checked ? radio.dataset.anchor : "Not rated yet.";
  }

  // -- saving -------------------------------------------------------------------------------
  var url = form.dataset.autosave;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};
  var pending = 0;
  var queue = Promise.resolve();
  function post(fields) {
    if (!url) return;
    pending += 1;
    status.textContent = "Saving\u2026";
    status.classList.remove("is-error");
    // One save at a time, in the order of the taps: "Not asked" off, then a rating, must
    // reach the server in that order.
    queue = queue.then(function () {
      return fetch(url, {
        method: "POST", body: new URLSearchParams(fields), credentials: "same-origin",
        headers: {"X-CSRFToken": csrf}
      });
    }).then(function (r) { return r.text().then(function (t) { return [r.ok, t]; }); })
      .then(function (res) {
        pending -= 1;
        var tmp = document.createElement("div");
        tmp.innerHTML = res[1];
        if (!res[0]) {
          status.textContent = tmp.textContent || "Not saved";
          status.classList.add("is-error");
        } else if (!pending) {
          status.textContent = tmp.textContent || "Saved";
        }
      })
      .catch(function () {
        pending -= 1;
        status.textContent = "Not saved (connection problem): use Save draft.";
        status.classList.add("is-error");
      });
  }
  function fieldsFor(el) {
    if (el.type === "checkbox" && el.name.indexOf("na-") === 0) {
      return [[el.name, el.checked ? "1" : "0"]];
    }
    if (el.type === "checkbox") {
      var fields = [[el.name + "-present", "1"]];
      form.querySelectorAll("input[type=checkbox][name='" + el.name + "']").forEach(function (b) {
        if (b.checked) fields.push([el.name, b.value]);
      });
      return fields;
    }
    return [[el.name, el.value]];
  }
  form.addEventListener("change", function (e) {
    var el = e.target;
    if (!el.name || el.type === "hidden") return;
    if (el.type === "radio") showAnchor(el);
    if (el.type === "checkbox" && el.name.indexOf("na-") === 0) {
      // Not asked: its ratings are dropped on the server; the buttons are cleared and locked.
      var section = el.closest(".iv-q");
      section.querySelectorAll(".iv-crit").forEach(function (group) {
        group.disabled = el.checked;
        if (el.checked) {
          group.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
          var out = group.querySelector(".iv-anchor");
          if (out) out.textContent = "Not asked.";
        } else {
          var out2 = group.querySelector(".iv-anchor");
          if (out2) out2.textContent = "Not rated yet.";
        }
      });
    }
    if (el.tagName !== "TEXTAREA") post(fieldsFor(el));
    refresh();
  });
  form.addEventListener("input", function (e) {
    var el = e.target;
    if (el.tagName !== "TEXTAREA" || !el.name) return;
    clearTimeout(timers[el.name]);
    timers[el.name] = setTimeout(function () { post(fieldsFor(el)); }, 800);
  });
  form.addEventListener("submit", function () {
    Object.keys(timers).forEach(function (k) { clearTimeout(timers[k]); });
  });

  // -- timer --------------------------------------------------------------------------------
  var clock = document.getElementById("iv-clock");
  var toggle = document.getElementById("iv-timer-toggle");
  var minutes = parseInt(form.dataset.minutes, 10) || 0;
  var key = "iv-timer-" + form.dataset.session;
  var state = {started: null, elapsed: 0};
  try { state = JSON.parse(window.localStorage.getItem(key)) || state; } catch (err) { /* none */ }
  function elapsed() {
    return state.elapsed + (state.started ? (Date.now() - state.started) / 1000 : 0);
  }
  function tick() {
    var s = Math.floor(elapsed());
    clock.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
    clock.classList.toggle("over", minutes > 0 && s > minutes * 60);
    toggle.textContent = state.started ? "Pause" : (s ? "Resume" : "Start timer");
  }
  function save() {
    try { window.localStorage.setItem(key, JSON.stringify(state)); } catch (err) { /* none */ }
  }
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    if (state.started) { state.elapsed = elapsed(); state.started = null; }
    else { state.started = Date.now(); }
    save();
    tick();
  });
  tick();
  setInterval(tick, 1000);
})();
