#!/bin/sh
# A flood of brackets on the trace channel never starves sampling, signals or the end of the
# run: 16 threads in 2 processes send brackets as fast as they can for 3 s at -T 0.01.
. "$(dirname "$0")/lib.sh"

"$MPROF" run -q -T 0.01 -o flood.dat "$MEMFIX" flood 2 8 3000
st=$?
ended=$(date +%s.%N)
check "flood run exits 0 (got $st)" test "$st" -eq 0
n=$(count MEM flood.dat)
span=$(awk '$1=="MEM"&&!f{f=$3} $1=="EXIT"{e=$3} END{print e-f}' flood.dat)
want=$(awk -v s="$span" 'BEGIN{printf "%d", s / 0.01 * 0.95}')
check "samples kept under the flood: $n of about $(awk -v s="$span" 'BEGIN{printf "%d", s/0.01}') (at least $want)" ge "$n" "$want"
check "brackets recorded" ge "$(count FUNC flood.dat)" 1000
exit_t=$(awk '$1=="EXIT"{print $3}' flood.dat)
late=$(sub "$ended" "$exit_t")
check "the run ends within 0.2 s of the program ($late s)" awk -v l="$late" 'BEGIN{exit !(l < 0.2)}'

# SIGTERM to mprof reaches the flooding program at once; it exits 42.
"$MPROF" run -q -T 0.01 -o term.dat "$MEMFIX" flood 2 8 20000 &
mp=$!
started term.dat
sleep 0.5
sent=$(date +%s.%N)
kill -TERM $mp
wait $mp
st=$?
done_at=$(date +%s.%N)
check "SIGTERM forwarded under the flood: status 42 (got $st)" test "$st" -eq 42
took=$(sub "$done_at" "$sent")
check "the flooded run ended $took s after SIGTERM (under 1 s)" awk -v l="$took" 'BEGIN{exit !(l < 1)}'
finish
