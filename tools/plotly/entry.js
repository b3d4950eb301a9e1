// The smallest plotly.js that draws the portfolio's charts: scatter (lines; in core),
// scatterpolar (radar), heatmap and box (the cohort's spread), plus the Dutch locale.
var Plotly = require('plotly.js/lib/core');
Plotly.register([
    require('plotly.js/lib/scatterpolar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/locales/nl')
]);
module.exports = Plotly;
