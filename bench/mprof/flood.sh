#!/bin/sh
# bench/mprof/flood.sh BUILD_DIR: sampling under a flood of trace events. 16 threads in 2
# processes send brackets as fast as they can for 3 s while mprof samples at -T 0.01; prints
# the samples kept against the samples due (the ratio; goal >= 0.95) and the brackets that
# got through, median of 3 runs. The anchor is the schedule itself: one sample per interval.
set -u
build=$(cd "${1:-build-bench}" && pwd) || exit 1
mprof=$build/bin/mprof
memfix=$build/tests/memfix
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 1 2 3; do
	"$mprof" run -q -T 0.01 -o "$tmp/f$i.dat" "$memfix" flood 2 8 3000
	awk '$1=="MEM"{n++; if(!f)f=$3} $1=="FUNC"{b++} $1=="EXIT"{e=$3}
	     END{printf "%d %.1f %d\n", n, (e-f)/0.01, b}' "$tmp/f$i.dat"
done | sort -n | sed -n 2p | awk '{
	printf "%-44s %6d of %6.0f due   ratio %.3f   goal >= 0.95: %s\n",
		"samples kept under a 16-thread flood", $1, $2, $1 / $2, (($1 / $2) >= 0.95) ? "met" : "MISSED"
	printf "%-44s %6d in 3 s (%.0f per second)\n", "brackets recorded meanwhile", $3, $3 / 3
}'
