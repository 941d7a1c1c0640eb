#!/bin/sh
# trace.sh - mprof export --format trace, checked by tests/web/trace_check.mjs (schema, counts
# against the .dat, speedscope's importer in headless Chromium) on fixtures with every line type.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0
for f in ours_full.dat gclab_python.dat mp_children.dat; do
	echo "# $f"
	"$MPROF" export --format trace -o "$dir/$f.json" "$FIXTURES/$f"
	node "$(dirname "$0")/trace_check.mjs" "$FIXTURES/$f" "$dir/$f.json" || status=1
done
exit $status
