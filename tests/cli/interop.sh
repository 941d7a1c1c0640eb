#!/bin/sh
# memory_profiler's own mprof reads what we write: peak and plot.
. "$(dirname "$0")/lib.sh"
MP=/usr/bin/python3-mprof
if [ ! -x "$MP" ]; then
	echo "SKIP: memory_profiler's mprof ($MP) is not installed (apt-get install python3-memory-profiler)"
	exit 77
fi
"$MPROF" run -q -T 0.02 -o ours.dat "$MEMFIX" traced >/dev/null 2>&1
"$MPROF" run -q -M -T 0.02 -o tree.dat "$MEMFIX" tree 2 8 200 >/dev/null 2>&1
expect_status 0 "memory_profiler peak reads our file" "$MP" peak ours.dat
check "its peak line" grep -q "^ours.dat	[0-9.]* MiB" out
expect_status 0 "memory_profiler peak reads our -M file" "$MP" peak tree.dat
check "its child lines" grep -q "Child [0-9]*" out
expect_status 0 "memory_profiler plot reads our file" env MPLBACKEND=Agg "$MP" plot -o ours.png ours.dat
check "it drew a PNG" sh -c "head -c 8 ours.png | od -An -c | grep -q 'P   N   G'"
finish
