// Evidence form: keep the "n selected" count of each competency up to date while ticking
// indicators. Without JavaScript the counts are those of the last page load.
(function () {
  "use strict";
  var picker = document.querySelector(".indicator-picker[data-count-label]");
  if (!picker) { return; }
  var template = picker.getAttribute("data-count-label");

  function update(group) {
    var count = group.querySelectorAll("input[type=checkbox]:checked").length;
    var badge = group.querySelector(".indicator-group__count");
    if (!badge) { return; }
    badge.textContent = template.replace("{n}", String(count));
    badge.hidden = count === 0;
  }

  picker.addEventListener("change", function (event) {
    var group = event.target.closest ? event.target.closest(".indicator-group") : null;
    if (group) { update(group); }
  });
})();
