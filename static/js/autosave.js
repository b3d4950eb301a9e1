/*
 * Autosave for the self-assessment form (progressive enhancement: without this file the
 * Save buttons do the same job).
 *
 * - Every change is sent to the server after a short pause; one save at a time.
 * - Each field carries the version it was loaded at; the server refuses to overwrite a
 *   field changed elsewhere and says so (a conflict), which this script shows.
 * - Leaving the page with unsaved changes asks first; when the tab is hidden or closed,
 *   pending changes are sent with navigator.sendBeacon.
 * - The save status sits in the sticky bar at the bottom, where the person is working; an
 *   answer the server refused gets its message at the answer itself (aria-live).
 * - Every text comes from the page (data-text-* attributes, translated on the server).
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) return;

  var status = form.querySelector("[data-save-status]");
  var banner = form.querySelector("[data-conflict-banner]");
  function text(name) { return form.getAttribute("data-text-" + name) || ""; }
  var TEXT = {
    saving: text("saving"), saved: text("saved"), failed: text("failed"),
    conflict: text("conflict"), invalid: text("invalid"), locked: text("locked"),
    unsaved: text("unsaved")
  };
  // The characters the server cannot store (see portfolio/inputs.py).
  var UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

  function fieldOf(errorName) {
    // "r-12-note" -> "r-12"; "reflection" stays.
    var match = /^(r-\d+)-/.exec(errorName);
    return match ? match[1] : errorName;
  }

  function showFieldErrors(errors, cleaned) {
    var marked = {};
    Object.keys(errors || {}).forEach(function (name) {
      var key = fieldOf(name);
      marked[key] = (marked[key] ? marked[key] + " " : "") + errors[name];
    });
    form.querySelectorAll("[data-field-error]").forEach(function (box) {
      var key = box.getAttribute("data-field-error");
      var holder = box.closest("fieldset, section");
      var described = key === "reflection" ? form.querySelector("#reflection-text") : holder;
      if (marked[key]) {
        box.textContent = marked[key];
        box.hidden = false;
        if (holder) holder.classList.add("rating--error");
        describe(described, box.id, true);
      } else if (!box.hidden) {
        box.textContent = "";
        box.hidden = true;
        if (holder) holder.classList.remove("rating--error");
        describe(described, box.id, false);
      }
    });
    // A refused control character is removed here too, so the next save can succeed.
    (cleaned || []).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (input && typeof input.value === "string") input.value = input.value.replace(UNSTORABLE, "");
    });
  }

  function describe(element, id, on) {
    // Tie (or untie) an error message to its field for screen readers.
    if (!element) return;
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
    else element.removeAttribute("aria-describedby");
  }

  function clock() {
    var now = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(now.getHours()) + ":" + two(now.getMinutes());  // 24-hour, as everywhere
  }

  var dirty = false;
  var inFlight = false;
  var again = false;
  var timer = null;
  var blocked = false;

  function say(message, kind) {
    if (!status) return;
    status.textContent = message;
    status.className = "save-status" + (kind ? " save-status--" + kind : "");
  }

  function payload() {
    var data = new FormData(form);
    data.set("action", "save");
    data.set("_format", "json");
    return data;
  }

  function applyVersions(versions) {
    Object.keys(versions || {}).forEach(function (name) {
      var v = form.querySelector('input[name="' + name + '-v"]');
      var h = form.querySelector('input[name="' + name + '-h"]');
      if (v) v.value = versions[name][0];
      if (h) h.value = versions[name][1];
    });
  }

  function applyProgress(progress) {
    if (!progress) return;
    var bar = document.querySelector("[data-progress-round]");
    if (bar) { bar.max = progress.total; bar.value = progress.answered; }
    document.querySelectorAll(".competency-tabs a").forEach(function (link) {
      var key = link.getAttribute("href").split("/").pop();
      var count = link.querySelector(".competency-tabs__count");
      var item = progress.competencies[key];
      if (count && item) count.textContent = item.answered + "/" + item.total;
    });
  }

  function save() {
    if (blocked) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    dirty = false;
    say(TEXT.saving, "busy");
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: payload(),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      var body = result.body;
      if (!body.status && body.error) {
        // An error answer ({"error": {"code", "message"}}), e.g. an expired form.
        dirty = true;
        say(body.error.message || TEXT.failed, "error");
        return;
      }
      applyVersions(body.versions);
      applyProgress(body.progress);
      if (body.status === "saved" || body.status === "invalid") showFieldErrors(body.errors, body.cleaned);
      if (body.status === "saved") {
        say(TEXT.saved.replace("{time}", clock()), "ok");
      } else if (body.status === "conflict") {
        dirty = true;
        blocked = true;
        say(TEXT.conflict, "error");
        if (banner) banner.hidden = false;
      } else if (body.status === "locked") {
        dirty = true;
        blocked = true;
        say(TEXT.locked + " " + body.message, "error");
      } else if (body.status === "refused") {
        blocked = true;
        say(body.message, "error");
      } else {
        dirty = true;
        say(TEXT.invalid, "error");
      }
    }).catch(function () {
      dirty = true;
      say(TEXT.failed, "error");
    }).then(function () {
      inFlight = false;
      if (again) { again = false; save(); }
    });
  }

  function changed(delay) {
    dirty = true;
    say(TEXT.unsaved, "");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () { changed(200); });
  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea, input[type=text]")) changed(1500);
  });

  form.addEventListener("submit", function () {
    // A normal submit saves everything itself: do not warn or beacon on the way out.
    dirty = false;
    blocked = true;
    window.clearTimeout(timer);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty || inFlight) {
      event.preventDefault();
      event.returnValue = TEXT.unsaved;
      return TEXT.unsaved;
    }
  });

  function flush() {
    if (dirty && !blocked && navigator.sendBeacon) {
      if (navigator.sendBeacon(form.getAttribute("action") || window.location.href, payload())) dirty = false;
    }
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // STARR template: fill an empty reflection in place.
  var starr = form.querySelector("[data-starr-button]");
  var textarea = form.querySelector("textarea[name=reflection]");
  if (starr && textarea) {
    starr.addEventListener("click", function (event) {
      event.preventDefault();
      if (!textarea.value.trim()) {
        textarea.value = textarea.getAttribute("data-starr");
        changed(200);
      }
      textarea.focus();
    });
  }

  // Preview without leaving the page.
  var previewButton = form.querySelector("[data-preview-button]");
  var preview = form.querySelector("[data-preview]");
  if (previewButton && preview && textarea) {
    previewButton.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData();
      data.set("text", textarea.value);
      data.set("csrf_token", form.querySelector("input[name=csrf_token]").value);
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (r) { return r.json(); }).then(function (body) {
        // The server sanitised this HTML (nh3): it holds no scripts or event handlers.
        preview.innerHTML = body.html;
        preview.hidden = false;
      });
    });
  }
})();
