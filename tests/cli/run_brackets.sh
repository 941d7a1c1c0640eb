#!/bin/sh
# run_brackets.sh - brackets at about one syscall (docs/trace-protocol.md, "The ring and the
# kernel's figures"): with the kernel tracker, the memory of each bracket is the kernel's exact
# figure (what statm says at the same moments), finished brackets kept in the ring survive a
# kill -9, a forked child writes its own slot, a flood still samples, and a program that
# scribbles over the ring breaks nothing but its own lines. Without the tracker, statm.
# Python's brackets go through the C accelerator when the build made it (GCLAB_PY_ACCEL names
# it, docs/python.md) and python3 loads it, and through the pure-Python path when it did not
# or MPROF_TRACE_PURE=1: the fixture says which, and the test checks it is the one expected.
. "$(dirname "$0")/lib.sh"
: "${BRACKETFIX:?}" "${BRACKETFIX_PY:?}"
accel=0
if [ -n "${GCLAB_PY_ACCEL:-}" ] && [ "${MPROF_TRACE_PURE:-}" != 1 ]; then
	accel=$(python3 -c 'import importlib.machinery as m, sys
print(int(any(sys.argv[1].endswith(s) for s in m.EXTENSION_SUFFIXES)))' "$GCLAB_PY_ACCEL")
fi

"$MPROF" run -q -o probe.dat true
default=$(awk '$1=="META"{for(i=2;i<=NF;i++) if($i ~ /^peaks=/) print substr($i,7)}' probe.dat)
if [ "$default" != bpf ]; then
	echo "the kernel tracker is not available here (peaks=$default): nothing to test" >&2
	[ "${CI:-}" = true ] && { echo "FAIL: under CI the tracker must run" >&2; exit 1; }
	exit 77
fi

# Under AddressSanitizer the program's instrumentation touches pages of its own (shadow)
# between the program's reading and the emitter's: up to 4 pages more are allowed then.
slack=
[ "${GCLAB_SANITIZED:-}" = 1 ] && slack=0.0157

# exact DAT OUT PREFIX: each FUNC PREFIXalloc<i> carries, to the .dat's precision (MiB, 4
# places), the statm figures the program printed for the same moments; prints mismatches.
exact() {
	awk -v pre="$3" -v slack="$slack" 'NR==FNR { if ($1 ~ /^alloc/) { s0[$1] = $2; s1[$1] = $3 }; next }
		$1=="FUNC" { n = $2; sub("^" pre, "", n)
			if (!(n in s0)) next
			seen++
			a = sprintf("%.4f", s0[n] / 1048576); b = sprintf("%.4f", s1[n] / 1048576)
			if (slack) { # a sanitizer touches its own pages between the two readings
				d0 = $3 - a; d1 = $5 - b
				if (d0 < -0.0001 || d0 > slack || d1 < -0.0001 || d1 > slack) {
					print n ": FUNC " $3 " " $5 ", statm " a " " b; bad++ }
			} else if ($3 != a || $5 != b) { print n ": FUNC " $3 " " $5 ", statm " a " " b; bad++ }
			i = substr(n, 6) + 0
			if ($5 - $3 < i - 0.01) { print n ": grew " $5 - $3 " MiB, not " i; bad++ } }
		END { if (seen != length(s0)) { print "FUNC lines " seen " of " length(s0); bad++ }
			exit bad > 0 }' "$2" "$1"
}

# --- exactness: C, then Python, with the tracker; C without it (statm) ----------------------
expect_status 0 "C brackets under the tracker" "$MPROF" run -q -o c.dat "$BRACKETFIX" exact 12
cp "$T/out" c.out
check "C: the fast path is taken (ring and kernel figures)" grep -qx 'paths 3' c.out
check "C: every bracket's memory is statm's at the same moments" exact c.dat c.out ""

expect_status 0 "Python brackets under the tracker" "$MPROF" run -q -o p.dat "$BRACKETFIX_PY" exact 12
cp "$T/out" p.out
check "Python: the fast path is taken" grep -qx 'paths 3' p.out
check "Python: every block's memory is statm's at the same moments" exact p.dat p.out "[.]"

expect_status 0 "Python: 2000 calls under the tracker" "$MPROF" run -q -o r.dat "$BRACKETFIX_PY" reads 2000
check "Python: their memory is the kernel's word, no statm read: $(cat "$T/out")" grep -qx 'reads 0' "$T/out"
expect_status 0 "Python: 2000 calls without the tracker" "$MPROF" run -q --peaks=hwm -o r.dat "$BRACKETFIX_PY" reads 2000
# (a collection meanwhile reads statm too)
check "Python: two statm reads a call without it: $(cat "$T/out")" \
	test "$(sed -n 's/^reads //p' "$T/out")" -ge 4000

expect_status 0 "C brackets without the tracker" "$MPROF" run -q --peaks=hwm -o h.dat "$BRACKETFIX" exact 6
cp "$T/out" h.out
check "without the tracker: no ring, statm" grep -qx 'paths 0' h.out
check "without the tracker: the same figures" exact h.dat h.out ""

# --- kill -9 with batching: every finished bracket is in the ring, read after the death ---
# -T 5: no sample is due before the program dies, so only the reading at its end finds them.
expect_status 137 "C: 3000 brackets then kill -9" "$MPROF" run -q -T 5 -o k.dat "$BRACKETFIX" kill 3000
check "C: they went to the ring" grep -qx 'paths 3' "$T/err"
check "C: all 3000 kept" test "$(grep -c '^FUNC kept ' k.dat)" -eq 3000
expect_status 137 "Python: 3000 calls then kill -9" "$MPROF" run -q -T 5 -o kp.dat "$BRACKETFIX_PY" kill 3000
check "Python: they went to the ring" grep -qx 'paths 3' "$T/err"
check "Python: all 3000 kept" test "$(grep -c '^FUNC __main__.kept ' kp.dat)" -eq 3000

# --- a finished bracket reaches the profile within one sampling interval, not at the end ----
# -T 0.2: the program's brackets are in the ring; mprof reads it at its next sample and writes
# the lines within 50 ms (dat.h); we look 1 s after they finished, while the program sleeps.
"$MPROF" run -q -T 0.2 -o l.dat "$BRACKETFIX" linger 100 &
lpid=$!
i=0
while [ ! -f done ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
sleep 1
check "while the program runs, its 100 finished brackets are in the profile" \
	test "$(grep -c '^FUNC early ' l.dat)" -eq 100
wait $lpid

# --- fork: the child takes its own slot and reports under its own pid ---------------------
for prog in "$BRACKETFIX" "$BRACKETFIX_PY"; do
	expect_status 0 "fork ($(basename "$prog"))" "$MPROF" run -q -C -o f.dat "$prog" fork 2000
	check "parent and child both on the fast path: $(cat "$T/out")" grep -qx 'paths 3 3' "$T/out"
	case $prog in *.py) check "Python parent and child, accelerated: $accel" \
		grep -qx "accel $accel $accel" "$T/out" ;; esac
	check "2000 parent brackets, pid field 0" \
		test "$(awk '$1=="FUNC" && $2 ~ /parent$/ && $NF==0' f.dat | wc -l)" -eq 2000
	check "2000 child brackets under the child's pid" \
		test "$(awk '$1=="FUNC" && $2 ~ /child$/ && $NF>0' f.dat | wc -l)" -eq 2000
done

# --- threads share their process's slot: every bracket arrives whole ----------------------
expect_status 0 "C: 4 threads x 20000 brackets" "$MPROF" run -o th.dat "$BRACKETFIX" threads 20000
check "C: all 80000 arrive" test "$(grep -c '^FUNC thread ' th.dat)" -eq 80000
check "C: no malformed line" sh -c "! grep -q malformed '$T/err'"
expect_status 0 "Python: 4 threads x 20000 calls + 5000 blocks" "$MPROF" run -o tp.dat "$BRACKETFIX_PY" threads 20000
check "Python: accelerated: $accel" grep -qx "accel $accel" "$T/out"
check "Python: all 80000 calls arrive" test "$(grep -c '^FUNC __main__.inthread ' tp.dat)" -eq 80000
check "Python: all 20000 blocks arrive" test "$(grep -c '^FUNC [.]inblock ' tp.dat)" -eq 20000
check "Python: no malformed line" sh -c "! grep -q malformed '$T/err'"

# --- a flood of brackets still samples, and loses none ------------------------------------
expect_status 0 "2 s of brackets at -T 0.01" "$MPROF" run -q -T 0.01 -o fl.dat "$BRACKETFIX" loop 2000
sent=$(cat "$T/out")
check "every one of $sent brackets recorded" test "$(grep -c '^FUNC flood ' fl.dat)" -eq "$sent"
# 200 samples are due; a loaded machine (load 10) may skip some, a starved sampler most.
check "samples kept coming: $(count MEM fl.dat) of 200" test "$(count MEM fl.dat)" -ge 60

# --- a program that scribbles over the whole ring --------------------------------------------
expect_status 0 "a program scribbling over the ring" "$MPROF" run -o s.dat "$BRACKETFIX" scribble 1000
check "its own 1000 brackets all arrive (through the socket when its slot looks full)" \
	test "$(grep -c '^FUNC after ' s.dat)" -eq 1000
check "the garbage is counted" grep -q 'skipped [0-9]* malformed trace event' "$T/err"
check "the profile reads back" "$MPROF" export -o s.csv s.dat
expect_status 0 "a Python program scribbling over the ring" "$MPROF" run -o sp.dat "$BRACKETFIX_PY" scribble 1000
check "Python: accelerated: $accel" grep -qx "accel $accel" "$T/out"
check "Python: its own 1000 calls and 100 blocks all arrive" \
	test "$(grep -c -e '^FUNC __main__.after ' -e '^FUNC [.]afterblock ' sp.dat)" -eq 1100
check "the garbage is counted" grep -q 'skipped [0-9]* malformed trace event' "$T/err"

finish
