#!/bin/sh
# The command line: help, version, prefixes, --, list/rm/clean with memory_profiler's output.
. "$(dirname "$0")/lib.sh"

for c in run attach list clean rm peak plot export; do
	expect_status 0 "mprof $c --help" "$MPROF" $c --help
	check "$c help is a usage text" grep -q "Usage: mprof $c" out
done
expect_status 0 "--version" "$MPROF" --version
check "version printed" grep -q 'mprof (gclab)' out
expect_status 0 "run --version" "$MPROF" run --version
expect_status 0 "--out prefix of --output" "$MPROF" run -q --out pre.dat true
check "prefix wrote pre.dat" test -s pre.dat
expect_status 0 "--inter prefix of --interval" "$MPROF" run -q --inter 0.05 -o pre2.dat true
check "interval recorded" grep -q 'interval=0.05' pre2.dat
expect_status 2 "ambiguous prefix --no" "$MPROF" run --no true
expect_status 0 "-- before the program" "$MPROF" run -q -o dd.dat -- true
check "program options stay the program's" sh -c "'$MPROF' run -q -o po.dat '$MEMFIX' exit -o; test \$? -eq 0 && test -s po.dat"

# list / rm / clean on default-named profiles
for s in 01 02 03; do : >"mprofile_202611241830$s.dat"; done
: >mprofile_bad.dat
expect_status 0 "list" "$MPROF" list
check "list format" grep -qx "0 mprofile_20261124183001.dat 18:30:01 24/11/2026" out
check "list has 3 entries" test "$(wc -l <out)" -eq 3
expect_status 0 "rm --dry-run -1" "$MPROF" rm --dry-run -1
check "dry run names the newest" grep -qx "mprofile_20261124183003.dat" out
check "dry run removed nothing" test -e mprofile_20261124183003.dat
expect_status 0 "rm -1 --dry-run (an option after the index)" "$MPROF" rm -1 --dry-run
check "the option still applied" test -e mprofile_20261124183003.dat
expect_status 0 "rm -1" "$MPROF" rm -1
check "rm -1 removed the newest" test ! -e mprofile_20261124183003.dat
expect_status 1 "rm without argument" "$MPROF" rm
expect_status 1 "rm of a missing index" "$MPROF" rm 7
check "rm of a bad index removed nothing" test -e mprofile_20261124183001.dat
expect_status 0 "clean --dry-run" "$MPROF" clean --dry-run
check "clean dry run lists 2" test "$(grep -c mprofile_ out)" -eq 2
expect_status 0 "clean" "$MPROF" clean
check "clean removed profiles only" sh -c "test ! -e mprofile_20261124183001.dat && test -e mprofile_bad.dat"

# The default name, and a second run in the same second taking the next one.
expect_status 0 "default name" "$MPROF" run -q true
expect_status 0 "default name again" "$MPROF" run -q true
check "two default-named profiles" test "$(ls mprofile_??????????????.dat | wc -l)" -eq 2
finish
