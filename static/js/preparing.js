/*
 * The waiting page of a slow download (PDF, ZIP): asks the server every two seconds how far
 * the file is, and starts the download as soon as it is made (progressive enhancement:
 * without this file the page's download button fetches it, waiting until it is made).
 */
(function () {
  "use strict";

  var panel = document.querySelector("[data-preparation]");
  if (!panel || !window.fetch) return;
  var message = panel.querySelector("[data-preparation-message]");
  var progress = panel.querySelector("progress");
  var tries = 0;

  function finish(text) {
    if (message && text) message.textContent = text;
    if (progress) progress.hidden = true;
  }

  function ask() {
    tries += 1;
    if (tries > 150) return;  // five minutes: the button still works
    fetch(panel.getAttribute("data-status-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.state === "ready") {
          finish(message.getAttribute("data-ready-text"));
          window.location.assign(status.url);
        } else if (status && status.state === "failed") {
          window.location.reload();  // the server shows what to do
        } else {
          window.setTimeout(ask, 2000);
        }
      })
      .catch(function () { window.setTimeout(ask, 4000); });
  }

  window.setTimeout(ask, 1000);
})();
