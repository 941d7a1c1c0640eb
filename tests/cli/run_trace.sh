#!/bin/sh
# The trace channel end to end: brackets, markers and GC events from a C program, kept even
# when the program is killed.
. "$(dirname "$0")/lib.sh"

expect_status 0 "run traced" "$MPROF" run -q -T 0.01 -o t.dat "$MEMFIX" traced
check "two inner brackets at level 1" test "$(grep -c '^FUNC inner .* 1$' t.dat)" -eq 2
check "one outer bracket at level 0" test "$(grep -c '^FUNC outer .* 0$' t.dat)" -eq 1
check "marker name encoded" grep -q '^MARK between%20calls ' t.dat
check "GC line with its counts" grep -Eq '^GC 2 [0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+ 12 1 3000 [0-9]+$' t.dat
# inner holds 8 MiB while open: its exit memory is at least 8 MiB above... no: exit is after
# the unmap; check the times instead: each bracket ends after it starts, within the run.
check "bracket times ordered" awk '$1=="FUNC"{ if ($5 < $3) bad=1 } END{exit bad}' t.dat
check "FUNC has memory_profiler's 6 fields" awk '$1=="FUNC"&&NF!=7{bad=1} END{exit bad}' t.dat

# Killed inside a bracket: every finished bracket is kept, the open one is not.
expect_status 137 "traced, killed mid-bracket" "$MPROF" run -q -T 0.01 -o k.dat "$MEMFIX" traced kill
check "finished brackets kept" test "$(count FUNC k.dat)" -eq 3
check "open bracket lost" sh -c "! grep -q 'never' k.dat"
check "EXIT 137" grep -q '^EXIT 137 ' k.dat

# Outside mprof the same program runs untouched.
check "traced runs without mprof" "$MEMFIX" traced
finish
