#!/bin/sh
# page.sh - mprof plot -o x.html opened in headless Chromium (tests/web/page_check.mjs), on a
# profile with brackets, GC, marks, peaks and children, and on memory_profiler's own file.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
for f in ours_full.dat mp_python.dat; do
	echo "# $f"
	"$MPROF" plot -o "$dir/$f.html" "$FIXTURES/$f"
	node "$(dirname "$0")/page_check.mjs" "$FIXTURES/$f" "$dir/$f.html" || status=1
done
exit $status
