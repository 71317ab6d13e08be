#!/bin/sh
# check.sh renders a wstrigger report page in headless Debian Chromium and
# fails when the page logs a console error or warning, throws, fetches
# anything from the network, or draws fewer plots than expected. It saves
# a full-page screenshot next to the page (or to $2).
#
#   reports/browsercheck/check.sh wstrigger-report/report.html [shot.png] [min-plots]
#
# Needs: chromium (apt-get install -y chromium) and Node. It uses
# playwright-core when installed here (npm install in this folder);
# without it, it falls back to chromium --headless --screenshot, failing
# on any console message (the report has no scripts, so any is an error).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
html=${1:?usage: check.sh REPORT.html [SCREENSHOT.png] [MIN_PLOTS]}
shot=${2:-${html%.html}.png}
min=${3:-5}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "check.sh: no Chromium at $chromium (apt-get install -y chromium, or set CHROMIUM)" >&2; exit 2; }

if [ -d "$here/node_modules/playwright-core" ]; then
	CHROMIUM=$chromium exec node "$here/check.mjs" "$html" "$shot" "$min"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,6000 \
	--enable-logging=stderr --v=0 --screenshot="$shot" "$url" 2>"$log" >/dev/null
if grep -q 'CONSOLE' "$log"; then
	echo "check.sh: console messages on $html:" >&2
	grep 'CONSOLE' "$log" >&2
	exit 1
fi
[ -s "$shot" ] || { echo "check.sh: no screenshot written" >&2; exit 1; }
plots=$(grep -o '<svg' "$html" | wc -l)
[ "$plots" -ge "$min" ] || { echo "check.sh: $plots plots in $html, want $min" >&2; exit 1; }
echo "$html: rendered without console messages, $plots inline plots, screenshot $shot"
