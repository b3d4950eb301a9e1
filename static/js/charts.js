// Draws every chart on the page from its figure JSON (<script type="application/json"
// data-chart="ID">), with the locally served plotly.js. No inline script: the CSP stays strict.
// Without JavaScript the chart's data table (in <details>) carries the same numbers.
(function () {
    "use strict";

    function drawAll() {
        if (!window.Plotly) {
            return;
        }
        var blocks = document.querySelectorAll("script[type='application/json'][data-chart]");
        Array.prototype.forEach.call(blocks, function (block) {
            var target = document.getElementById(block.getAttribute("data-chart"));
            if (!target) {
                return;
            }
            var figure = JSON.parse(block.textContent);
            window.Plotly.newPlot(target, figure.data, figure.layout, figure.config).then(
                function () {
                    target.setAttribute("data-drawn", "true");
                }
            );
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", drawAll);
    } else {
        drawAll();
    }
})();
