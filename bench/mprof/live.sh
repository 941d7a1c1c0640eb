#!/bin/bash
# live.sh - what `mprof run --live` costs on top of recording: mprof's CPU (with the view's
# process and the idle program, which sleeps) over a 5 s run at -T 0.01 and 0.001, with and
# without --live (under tmux, as a terminal). Prints seconds of CPU and the view's cost in % of
# one core; the budget is 1 %.
# Usage: bench/mprof/live.sh [BUILD_DIR]
set -eu
B=${1:-build}
MPROF=$(cd "$B" && pwd)/src/cli/mprof
MEMFIX=$(cd "$B" && pwd)/tests/memfix
D=$(mktemp -d)
TM="tmux -L mprof-bench-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$D"' EXIT
SECS=5
# cpu OUT ARGS...: CPU seconds (user+sys, children included) of `mprof run ARGS` on a terminal
cpu() {
	out=$1
	shift
	$TM new-session -d -s s -x 120 -y 35 \
		"/usr/bin/time -f '%U %S' -o $D/$out $MPROF run -q -o $D/$out.dat $* $MEMFIX sleep ${SECS}000" >/dev/null 2>&1 </dev/null
	while [ ! -s "$D/$out" ]; do sleep 0.2; done
	$TM kill-server 2>/dev/null || true
	awk '{ printf "%.3f", $1 + $2 }' "$D/$out"
}
for T in 0.01 0.001; do
	plain=$(cpu p$T -T $T)
	live=$(cpu l$T --live -T $T)
	awk -v t="$T" -v a="$plain" -v b="$live" -v s="$SECS" 'BEGIN {
		printf "-T %-6s without --live %6.3fs CPU, with %6.3fs: the view costs %.2f%% of a core (ratio %.2f)\n",
			t, a, b, (b - a) / s * 100, a > 0 ? b / a : 0 }'
done
