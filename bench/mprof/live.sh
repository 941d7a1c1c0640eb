#!/bin/bash
# live.sh - what `mprof run --live` costs on top of recording: mprof's CPU (user + system, with
# what it waited for: the view's process and the idle program, which sleeps) over a run of
# SECS seconds at -T 0.01 and 0.001, with and without --live, on a terminal (tmux). The runs
# are interleaved (plain, live, plain, live, ...) so that a change in the machine's load falls
# on both; the figures are medians of RUNS runs each. Prints CPU seconds, the ratio live/plain,
# and the view's cost in % of one core (the difference over the run's length); budget 1 %.
# mprof's own CPU varies from run to run by more than the view costs (the spread is printed),
# so the view's process is also measured alone, from /proc/PID/schedstat.
# Usage: bench/mprof/live.sh [BUILD_DIR]   (RUNS=5 SECS=5 by default, from the environment)
set -eu
B=${1:-build}
MPROF=$(cd "$B" && pwd)/bin/mprof
MEMFIX=$(cd "$B" && pwd)/tests/memfix
RUNS=${RUNS:-5}
SECS=${SECS:-5}
command -v tmux >/dev/null || { echo "live.sh: tmux is missing (scripts/install-deps)" >&2; exit 1; }
[ -x "$MPROF" ] || { echo "live.sh: no $MPROF (build first)" >&2; exit 1; }
D=$(mktemp -d /tmp/mprof-bench-live.XXXXXX)
TM="tmux -L mprof-bench-live-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$D"' EXIT

# cpu OUT ARGS...: CPU seconds of `mprof run -q ARGS memfix sleep` on a 120x35 terminal
cpu() {
	out=$1
	shift
	rm -f "$D/$out"
	n=0
	until $TM new-session -d -s s -x 120 -y 35 \
		"$CPU $D/$out.t $MPROF run -q -o $D/$out.dat $* $MEMFIX sleep ${SECS}000; mv $D/$out.t $D/$out" \
		>/dev/null 2>&1 </dev/null; do
		n=$((n + 1))
		[ $n -lt 100 ] || { echo "live.sh: tmux cannot start a session" >&2; exit 1; }
		sleep 0.1 # the previous server is still going away
	done
	# The view's process alone, read from its schedstat (CPU time in ns) until it is gone:
	# all of its life but its last poll interval (50 ms, in which it reads the profile's last
	# lines and gives the terminal back).
	n=0 view= view_ns=0
	while [ ! -s "$D/$out" ]; do
		[ -n "$view" ] || view=$(pgrep -f "^mprof-live --feed [0-9]* -- $D/$out.dat\$" | head -1)
		if [ -n "$view" ] && read -r ns _ 2>/dev/null <"/proc/$view/schedstat"; then
			view_ns=$ns
		fi
		sleep 0.05
		n=$((n + 1))
		[ $n -lt $((SECS * 20 + 1200)) ] || { echo "live.sh: the run did not end" >&2; exit 1; }
	done
	$TM kill-server 2>/dev/null || true
	[ -z "$view" ] || echo "$view_ns" | awk '{ printf "%.4f\n", $1 / 1e9 }' >>"$D/view$T"
	cat "$D/$out"
}
# CPU FILE ARGS...: runs ARGS (on the terminal) and writes to FILE the CPU seconds (user +
# system) of it and of everything it waited for, to the microsecond (/usr/bin/time rounds to
# 10 ms, 0.2 % of a core over 5 s).
# The counters are read before and after: they may already hold what the wrapper's own
# parents waited for before they exec'd it.
CPU="/usr/bin/python3 -c 'import os, resource, shutil, sys
def c(): r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime + r.ru_stime
c0 = c(); os.waitpid(os.posix_spawn(shutil.which(sys.argv[2]), sys.argv[2:], os.environ), 0)
open(sys.argv[1], \"w\").write(\"%.4f\\n\" % (c() - c0))'"
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

T=warm-up
cpu w --live -T 0.01 >/dev/null # a first run warms the caches; not counted
for i in $(seq "$RUNS"); do
	for T in 0.01 0.001; do
		# Which goes first alternates, so that neither always follows the other.
		if [ $((i % 2)) = 1 ]; then
			cpu p -T $T >>"$D/plain$T"
			cpu l --live -T $T >>"$D/live$T"
		else
			cpu l --live -T $T >>"$D/live$T"
			cpu p -T $T >>"$D/plain$T"
		fi
	done
done
echo "mprof run CPU over ${SECS} s, without and with --live (medians of $RUNS interleaved runs):"
for T in 0.01 0.001; do
	plain=$(median <"$D/plain$T")
	live=$(median <"$D/live$T")
	view=$(median <"$D/view$T")
	spread=$(sort -n "$D/plain$T" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }')
	awk -v t="$T" -v a="$plain" -v b="$live" -v v="$view" -v s="$SECS" -v sp="$spread" 'BEGIN {
		ratio = a > 0 ? b / a : 0
		cost = (b - a) / s * 100
		printf "  -T %-6s without --live %6.3f s (runs %s), with %6.3f s: ratio %.2f, the view costs %.2f %% of a core (budget 1 %%)%s\n",
			t, a, sp, b, ratio, cost, (cost > 1 ? "  OVER" : "")
		printf "  -T %-6s the view'"'"'s process alone: %6.3f s, %.2f %% of a core\n", t, v, v / s * 100 }'
done
