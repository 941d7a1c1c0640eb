#!/bin/sh
# Bad input: one clear message, the right status, nothing left behind, nothing started.
. "$(dirname "$0")/lib.sh"

expect_status 127 "missing program" "$MPROF" run -q -o x.dat ./no-such-program
check "no .dat left for a missing program" test ! -e x.dat
check "message names the program" grep -q "cannot run './no-such-program'" err
expect_status 127 "missing program on PATH" "$MPROF" run -q -o x.dat no-such-program-xyz
printf '#!/bin/sh\n' >noexec.sh
chmod 644 noexec.sh
expect_status 126 "non-executable program" "$MPROF" run -q --nopython -o x.dat ./noexec.sh
check "no .dat left for a non-executable" test ! -e x.dat
expect_status 2 "bad interval" "$MPROF" run -T abc -o x.dat true
check "usage hint" grep -q "Try 'mprof run --help'" err
expect_status 2 "interval too small" "$MPROF" run -T 0.00001 -o x.dat true
expect_status 2 "negative timeout" "$MPROF" run -t -1 -o x.dat true
expect_status 2 "unknown option" "$MPROF" run --frobnicate true
expect_status 2 "unknown backend" "$MPROF" run --backend tracemalloc true
check "backend message" grep -q "unknown backend 'tracemalloc'" err
expect_status 2 "no program" "$MPROF" run
expect_status 2 "unknown command" "$MPROF" frobnicate
expect_status 1 "output directory missing" "$MPROF" run -q -o nodir/x.dat "$MEMFIX" touch started.flag 0
check "program not started when the output cannot be created" test ! -e started.flag
check "message names the file" grep -q "cannot create 'nodir/x.dat'" err
mkdir ro && chmod 555 ro
if [ "$(id -u)" -ne 0 ]; then
	expect_status 1 "output directory not writable" "$MPROF" run -q -o ro/x.dat true
fi
ln -s target.dat link.dat
expect_status 1 "symlink output refused" "$MPROF" run -q -o link.dat true
check "symlink target not created" test ! -e target.dat
expect_status 1 "directory output refused" "$MPROF" run -q -o ro true
# A write error during the run (file size limit): reported, the program undisturbed.
expect_status 1 "write error reported" sh -c "ulimit -f 8; exec '$MPROF' run -q -T 0.001 -o big.dat '$MEMFIX' touch ran.flag 800"
check "write error message" grep -q "cannot write 'big.dat'" err
check "program ran on" test -e ran.flag
check "whole lines that fit were kept" test -s big.dat
check "file cut to whole lines" sh -c "tail -c1 big.dat | od -An -c | grep -q '\\\\n'"
# An existing profile is replaced, never appended to.
"$MPROF" run -q -o same.dat true
"$MPROF" run -q -o same.dat true
check "a file never mixes two runs" test "$(count CMDLINE same.dat)" -eq 1
finish
