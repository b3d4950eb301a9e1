// Draws every chart on the page from its figure JSON (<script type="application/json"
// data-chart="ID">), with the locally served plotly.js. No inline script: the CSP stays strict.
// Without JavaScript the chart's data table (in <details>) carries the same numbers.
(function () {
    "use strict";

    // Below this width a figure's "narrow" layout is laid over its own (portfolio/charts/figures.py).
    var NARROW = 600;

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
            var layout = figure.layout;
            if (figure.narrow && target.clientWidth < NARROW) {
                layout = Object.assign({}, layout, figure.narrow);
            }
            window.Plotly.newPlot(target, figure.data, layout, figure.config).then(
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
