// File inputs with data-max-size: say at once when the chosen file is too large, and do not
// send the form with it (the server would refuse it after a long upload). Without JavaScript
// the server checks the size and shows the form again with everything that was typed.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-max-size]");
  if (!inputs.length) { return; }
  var lang = document.documentElement.getAttribute("lang") || "en";

  function megabytes(size, template) {
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })
      .format(size / (1024 * 1024));
    return template.replace("{n}", number);
  }

  function tooLarge(input) {
    var max = parseInt(input.getAttribute("data-max-size"), 10);
    var file = input.files && input.files[0];
    return file && max > 0 && file.size > max ? file : null;
  }

  function messageOf(input) {
    var id = input.id + "-size-error";
    var message = document.getElementById(id);
    if (!message) {
      message = document.createElement("p");
      message.id = id;
      message.className = "field__error";
      message.setAttribute("role", "alert");
      message.hidden = true;
      input.insertAdjacentElement("afterend", message);
    }
    return message;
  }

  function describe(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (each) { return each !== id; });
    if (on) { ids.push(id); }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  function check(input) {
    var file = tooLarge(input);
    var message = messageOf(input);
    var field = input.closest ? input.closest(".field") : null;
    if (file) {
      message.textContent = input.getAttribute("data-size-message")
        .replace("{name}", file.name)
        .replace("{size}", megabytes(file.size, input.getAttribute("data-size-unit") || "{n} MB"));
      message.hidden = false;
      input.setAttribute("aria-invalid", "true");
      if (field) { field.classList.add("field--error"); }
    } else {
      message.hidden = true;
      message.textContent = "";
      if (!document.getElementById("file-error")) {
        input.removeAttribute("aria-invalid");
        if (field) { field.classList.remove("field--error"); }
      }
    }
    describe(input, message.id, Boolean(file));
    return !file;
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
