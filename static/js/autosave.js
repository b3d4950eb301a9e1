/*
 * Autosave for the self-assessment form (progressive enhancement: without this file the
 * Save buttons do the same job).
 *
 * - Every change is sent to the server after a short pause; one save at a time.
 * - Each field carries the version it was loaded at; the server refuses to overwrite a
 *   field changed elsewhere and says so (a conflict), which this script shows.
 * - Leaving the page with unsaved changes asks first; when the tab is hidden or closed,
 *   pending changes are sent with navigator.sendBeacon.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-autosave]");
  if (!form) return;

  var status = form.querySelector("[data-save-status]");
  var banner = form.querySelector("[data-conflict-banner]");
  var lang = document.documentElement.lang;
  var TEXT = {
    en: { saving: "Saving…", saved: "All changes saved", failed: "Not saved: check your connection. Your answers stay on this page.", conflict: "Not saved: this page was changed elsewhere.", invalid: "Some answers could not be saved: press Save to see which.", locked: "Not saved: ", unsaved: "You have unsaved changes." },
    nl: { saving: "Opslaan…", saved: "Alle wijzigingen zijn opgeslagen", failed: "Niet opgeslagen: controleer je verbinding. Je antwoorden blijven op deze pagina staan.", conflict: "Niet opgeslagen: deze pagina is ergens anders gewijzigd.", invalid: "Sommige antwoorden konden niet worden opgeslagen: klik op Opslaan om te zien welke.", locked: "Niet opgeslagen: ", unsaved: "Je hebt niet-opgeslagen wijzigingen." }
  }[lang === "nl" ? "nl" : "en"];

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
      applyVersions(body.versions);
      applyProgress(body.progress);
      if (body.status === "saved") {
        var time = new Date().toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
        say(TEXT.saved + " (" + time + ")", "ok");
      } else if (body.status === "conflict") {
        dirty = true;
        blocked = true;
        say(TEXT.conflict, "error");
        if (banner) banner.hidden = false;
      } else if (body.status === "locked") {
        dirty = true;
        blocked = true;
        say(TEXT.locked + body.message, "error");
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
