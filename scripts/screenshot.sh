#!/usr/bin/env bash
# Renders reports/example/report.html in headless Chromium and saves reports/example/report.png.
# Run after regenerating the example: cargo run --release -- scan examples/portfolio.csv --out reports/example
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "no Chromium found (apt-get install -y chromium)" >&2
  exit 1
fi
"$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2000 \
  --screenshot="$PWD/reports/example/report.png" "file://$PWD/reports/example/report.html" 2>/dev/null
echo "wrote reports/example/report.png"
