#!/bin/sh
# page.sh - mprof plot -o x.html opened in headless Chromium (tests/web/page_check.mjs), on a
# profile with brackets, GC, marks, peaks and children, on memory_profiler's own file, and on
# an overlay of two profiles with collections (tests/web/overlay_check.mjs).
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
for f in ours_full.dat mp_python.dat; do
	echo "# $f"
	"$MPROF" plot -o "$dir/$f.html" "$FIXTURES/$f"
	node "$(dirname "$0")/page_check.mjs" "$FIXTURES/$f" "$dir/$f.html" || status=1
done
# Two profiles with collections overlaid: a GC row each.
echo "# overlay"
"$MPROF" plot -o "$dir/overlay.html" "$FIXTURES/ours_full.dat" "$FIXTURES/gclab_python.dat"
node "$(dirname "$0")/overlay_check.mjs" "$dir/overlay.html" 2 || status=1
exit $status
