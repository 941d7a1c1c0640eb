#!/bin/sh
# Brackets for C programs without editing them (docs/c-programs.md), end to end through
# `mprof run --functions`: -finstrument-functions + libmprof_instrument, uprobes for a program
# built without it, and the messages for what cannot work.
. "$(dirname "$0")/lib.sh"
: "${INSTR_CALLS:?}" "${PLAIN_CALLS:?}" "${STRIPPED_CALLS:?}" "${STRIPPED_INSTR_CALLS:?}"

# names FILE: the distinct bracket names, sorted, on one line
names() { awk '$1=="FUNC"{print $2}' "$1" | sort -u | tr '\n' ' '; }
# nfunc NAME FILE [LEVEL]: how many brackets of NAME (at LEVEL)
nfunc() { awk -v n="$1" -v l="${3-}" '$1=="FUNC"&&$2==n&&(l==""||$7==l){c++} END{print c+0}' "$2"; }
# levels NAME FILE: the distinct levels of NAME's brackets
levels() { awk -v n="$1" '$1=="FUNC"&&$2==n{print $7}' "$2" | sort -un | tr '\n' ' '; }

keep='outer,fact,leaf,thrower,deeper,after_jump*'
expected_names='after_jump after_jump_big fact leaf outer '

# --- compiler instrumentation ------------------------------------------------------------
expect_status 0 "instrumented, filtered" "$MPROF" run -q -o i.dat --functions "$keep" "$INSTR_CALLS"
check "exactly the matching functions (thrower and deeper were left by longjmp)" \
	test "$(names i.dat)" = "$expected_names"
check "outer: 3 calls, all at level 0" test "$(nfunc outer i.dat 0)" -eq 3 -a "$(nfunc outer i.dat)" -eq 3
check "fact's recursion nests 1..5 under outer, 3 times" \
	test "$(levels fact i.dat)" = "1 2 3 4 5 " -a "$(nfunc fact i.dat)" -eq 15
check "leaf: 4 calls at level 1" test "$(nfunc leaf i.dat 1)" -eq 4 -a "$(nfunc leaf i.dat)" -eq 4
check "after the longjmp, calls from main are at level 0 again" \
	test "$(nfunc after_jump i.dat 0)" -eq 1 -a "$(nfunc after_jump_big i.dat 0)" -eq 1
check "...and the last outer's leaf at level 1" \
	sh -c "tail -n 20 i.dat | grep -q '^FUNC leaf .* 1\$'"
check "outer's memory at entry and exit are numbers" \
	awk '$1=="FUNC"&&$2=="outer"&&!($3>0&&$5>0){bad=1} END{exit bad}' i.dat

expect_status 0 "threads" "$MPROF" run -q -o th.dat --functions 'outer,fact,worker' "$INSTR_CALLS" threads
check "each thread's brackets nest on their own: 4 workers at 0, 4 outers at 1, fact 2..6" \
	test "$(nfunc worker th.dat 0)" -eq 4 -a "$(nfunc outer th.dat 1)" -eq 4 -a \
	"$(levels fact th.dat)" = "2 3 4 5 6 " -a "$(nfunc fact th.dat)" -eq 20

expect_status 0 "one function" "$MPROF" run -q -o one.dat --functions outer "$INSTR_CALLS"
check "only outer" test "$(names one.dat)" = "outer "
expect_status 0 "an exclusion" "$MPROF" run -q -o ex.dat --functions 'outer,fact,!fact' "$INSTR_CALLS"
check "fact excluded" test "$(names ex.dat)" = "outer "

# The environment variable, as under a launcher mprof cannot see through.
MPROF_FUNCTIONS=leaf expect_status 0 "MPROF_FUNCTIONS, no option" "$MPROF" run -q -o env.dat "$INSTR_CALLS"
check "the variable's functions" test "$(names env.dat)" = "leaf "
printf '#!/bin/sh\nexec "%s" "$@"\n' "$INSTR_CALLS" >launcher.sh
chmod +x launcher.sh
expect_status 0 "--functions through a script" "$MPROF" run -q -o sh.dat --functions outer ./launcher.sh
check "the script's program got the patterns" test "$(nfunc outer sh.dat)" -eq 3

# --min-duration, decided at each call's end: 200 calls of ~1 us, 3 of 20 ms.
expect_status 0 "short calls, all kept" "$MPROF" run -q -o all.dat --functions 'quick,slow' "$INSTR_CALLS" short
check "200 quick + 3 slow without a minimum" \
	test "$(nfunc quick all.dat)" -eq 200 -a "$(nfunc slow all.dat)" -eq 3
expect_status 0 "--min-duration 10ms" "$MPROF" run -q -o min.dat --functions 'quick,slow' \
	--min-duration 10ms "$INSTR_CALLS" short
# (a 1 us call preempted for 10 ms on a loaded machine may pass: a few are tolerated)
check "the slow calls kept, the quick dropped" \
	test "$(nfunc slow min.dat)" -eq 3 -a "$(nfunc quick min.dat)" -lt 10

# C++: names demangled, matched with or without their parameters.
if [ -n "${INSTR_SHAPES-}" ]; then
	expect_status 0 "C++ program" "$MPROF" run -q -o cpp.dat --functions 'geo::area,geo::Grid::fill' "$INSTR_SHAPES"
	check "demangled names" test "$(names cpp.dat)" = 'geo::Grid::fill(int) geo::area(geo::Square%20const&) '
else
	fail "no C++ compiler: the demangling test did not run"
fi

# Outside mprof the instrumented program runs as without the library.
check "instrumented program runs alone" "$INSTR_CALLS"
check "...with the variable set too" env MPROF_FUNCTIONS=outer "$INSTR_CALLS"

# --- uprobes, for the same program built without instrumentation ----------------------------
if [ "$(id -u)" -eq 0 ]; then
	expect_status 0 "uprobes" "$MPROF" run -q -o u.dat --functions "$keep" "$PLAIN_CALLS"
	check "uprobes: the matching functions that returned (outer tail-calls leaf)" \
		test "$(names u.dat)" = "$expected_names"
	check "uprobes: outer 3 at level 0, leaf 4 at level 1" \
		test "$(nfunc outer u.dat 0)" -eq 3 -a "$(nfunc leaf u.dat 1)" -eq 4
	check "uprobes: after the longjmp, level 0 again" \
		test "$(nfunc after_jump u.dat 0)" -eq 1 -a "$(nfunc after_jump_big u.dat 0)" -eq 1
	expect_status 0 "uprobes, not quiet" "$MPROF" run -o u2.dat --functions "$keep" "$PLAIN_CALLS"
	check "uprobes: the calls left by longjmp are counted and said" \
		grep -q "call(s) whose return was never seen (left by longjmp)" err
	expect_status 0 "uprobes, --min-duration" "$MPROF" run -q -o um.dat --functions 'quick,slow' \
		--min-duration 10ms "$PLAIN_CALLS" short
	check "uprobes: the slow calls kept, the quick dropped" \
		test "$(nfunc slow um.dat)" -eq 3 -a "$(nfunc quick um.dat)" -lt 10
	expect_status 0 "uprobes: a library's function (not in the program)" "$MPROF" run -q -o lib.dat \
		--functions nanosleep "$PLAIN_CALLS" short
	check "uprobes: nanosleep from libc, 3 calls" test "$(nfunc nanosleep lib.dat)" -eq 3
else
	expect_status 1 "uprobes without root" "$MPROF" run -q -o u.dat --functions outer "$PLAIN_CALLS"
	check "says what is missing" grep -q "not allowed (needs root" err
	check "and the other way" grep -q "finstrument-functions" err
fi

# --- what cannot work, said clearly -------------------------------------------------------
expect_status 1 "stripped, not instrumented" "$MPROF" run -q -o s.dat --functions outer "$STRIPPED_CALLS"
check "says it is stripped" grep -q "stripped (no symbol table)" err
check "no profile left" test ! -e s.dat
expect_status 1 "stripped, instrumented" "$MPROF" run -q -o s.dat --functions outer "$STRIPPED_INSTR_CALLS"
check "says it is stripped" grep -q "it is stripped (no symbol table)" err
expect_status 1 "no such function" "$MPROF" run -q -o n.dat --functions no_such_function "$PLAIN_CALLS"
check "says nothing matches" grep -q "matches 'no_such_function'" err
expect_status 2 "an empty pattern" "$MPROF" run -q --functions 'outer,,leaf' "$INSTR_CALLS"
check "names the problem" grep -q "empty pattern" err
expect_status 2 "a bad duration" "$MPROF" run -q --functions outer --min-duration 5min "$INSTR_CALLS"
check "names the units" grep -q "ns, us, ms or s" err
expect_status 2 "--min-duration alone, no instrumentation" "$MPROF" run -q --min-duration 1ms "$PLAIN_CALLS"
check "asks for --functions" grep -q "with --functions" err
printf 'print(1)\n' >p.py
expect_status 2 "--functions on Python" "$MPROF" run -q --functions f p.py
check "points to @profile" grep -q "@profile" err
finish
