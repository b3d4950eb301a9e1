/*
 * "Why did it change?" in view as soon as a rating differs from last round's
 * (progressive enhancement: without this file the field is in view after saving).
 *
 * Each indicator with a rating from last round has a collapsed "Add a note" details that
 * holds the reason field, with last round's choice in data-previous-choice. When the person
 * picks a different level, the reason field moves out of the details, right under the scale,
 * with a label that asks the question. It stays there (nothing jumps away while typing).
 */
(function () {
  "use strict";

  document.querySelectorAll("details.rating__more[data-previous-choice]").forEach(function (details) {
    var before = details.getAttribute("data-previous-choice");
    var fieldset = details.closest("fieldset");
    if (!before || !fieldset) return;

    fieldset.addEventListener("change", function (event) {
      var input = event.target;
      if (input.type !== "radio" || input.value === before) return;
      var field = details.querySelector("[data-reason-field]");
      if (!field) return;  // already in view
      details.parentNode.insertBefore(field, details);
      var label = field.querySelector("label");
      if (label) label.textContent = details.getAttribute("data-changed-label");
      var summary = details.querySelector("summary");
      if (summary) summary.textContent = details.getAttribute("data-note-summary");
    });
  });
})();
