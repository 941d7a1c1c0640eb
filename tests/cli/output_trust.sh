#!/bin/sh
# Outputs and messages a user can trust: output files are only ever created or replaced when
# they are regular files; a write error on the standard output is a failure; an output that
# vanished is an error; messages name what the user typed; attach refuses what it cannot watch.
. "$(dirname "$0")/lib.sh"
F=${FIXTURES:?}
good=$F/ours_full.dat

# Only regular files are replaced: a FIFO, a symbolic link, a device node stay what they are.
mkfifo fifo.csv
expect_status 1 "export -o FIFO refused" "$MPROF" export -o fifo.csv "$good"
check "the FIFO is still a FIFO" test -p fifo.csv
ln -s target.csv link.csv
expect_status 1 "export -o symlink refused" "$MPROF" export -o link.csv "$good"
check "the symlink is still a symlink, its target not created" sh -c 'test -L link.csv && ! test -e target.csv'
mkfifo fifo.png
expect_status 1 "plot -o FIFO refused" "$MPROF" plot -o fifo.png "$good"
check "the plot FIFO is still a FIFO" test -p fifo.png
if [ "$(id -u)" = 0 ]; then
	expect_status 1 "export -o /dev/null refused (root)" "$MPROF" export -o /dev/null "$good"
	check "/dev/null is still a character device" test -c /dev/null
fi
expect_status 0 "export to a regular file replaces it" sh -c "echo old > r.csv && '$MPROF' export -o r.csv '$good'"
check "the file holds the export" grep -q '^kind,t,mem' r.csv

# -o - is the standard output.
"$MPROF" export -o - "$good" >dash.csv
check "export -o - writes to the standard output" grep -q '^sample,' dash.csv
check "export -o - creates no file named -" test ! -e ./-

# A write error on the standard output is exit 1.
expect_status 1 "peak > /dev/full" sh -c "'$MPROF' peak '$good' >/dev/full"
expect_status 1 "export > /dev/full" sh -c "'$MPROF' export '$good' >/dev/full"
cp "$good" mprofile_20260101000000.dat
expect_status 1 "list > /dev/full" sh -c "'$MPROF' list >/dev/full"
expect_status 1 "plot's printed path > /dev/full" sh -c "'$MPROF' plot mprofile_20260101000000.dat >/dev/full"

# An output whose directory is removed during the run is an error, not a success.
mkdir gone
( i=0; while [ ! -e gone/v.dat ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
  sleep 0.1; rm -rf gone ) &
expect_status 1 "output removed mid-run" "$MPROF" run -q -T 0.05 -o gone/v.dat sleep 1.5
check "the message says the file is gone" grep -q "cannot write 'gone/v.dat': No such file or directory" "$T/err"
wait

# Messages name what the user typed and the real limits.
expect_status 2 "--width -1" "$MPROF" plot --width -1 -o w.png "$good"
check "the message names -1, not the next option" grep -q "invalid width '-1'" "$T/err"
expect_status 2 "-T 1e8" "$MPROF" run -T 1e8 true
check "the message gives the real range" grep -q "invalid interval '1e8': seconds, from 0.0001 to 10000000" "$T/err"
expect_status 0 "plot -1 still means the newest profile" "$MPROF" plot -o idx.png -1

# attach refuses an empty name and kernel threads.
expect_status 1 "attach ''" "$MPROF" attach -q -o e.dat ''
check "attach '' says why" grep -q "give a process id or a name" "$T/err"
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	expect_status 1 "attach to kthreadd (pid 2)" "$MPROF" attach -q -o k.dat 2
	check "attach to a kernel thread says why" grep -q "kernel thread" "$T/err"
fi
finish
