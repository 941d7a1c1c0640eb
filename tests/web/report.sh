#!/bin/sh
# report.sh - scripts/demo --small, then its report.html opened in headless Chromium
# (tests/web/report_check.mjs).
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$SOURCE_DIR/scripts/demo" --small --out "$dir" "$BUILD_DIR" >"$dir.log" 2>&1 || { cat "$dir.log"; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
node "$(dirname "$0")/report_check.mjs" "$dir"
