#!/bin/sh
# Rebuild static/vendor/plotly-charts.min.js (the smallest plotly.js for our chart types).
set -e
cd "$(dirname "$0")"
npm install --no-audit --no-fund --no-save
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --define:global=window \
    --outfile=../../static/vendor/plotly-charts.min.js
rm -f ../../static/vendor/plotly-charts.min.css  # maplibre CSS, unused (no map traces)
# Plotly's own rules as a file: the page links it with id "plotly.js-style-global" and class
# "no-inline-styles", so plotly.js adds no <style> element (the CSP allows none).
cp node_modules/plotly.js/dist/plotly.css ../../static/vendor/plotly.css
