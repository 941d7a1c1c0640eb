#!/bin/sh
# Exit statuses, signals, timeout, attach.
. "$(dirname "$0")/lib.sh"

expect_status 3 "program's exit status passed through" "$MPROF" run -q -o e.dat "$MEMFIX" exit 3
check "EXIT 3 in the file" grep -q '^EXIT 3 ' e.dat
expect_status 3 "-E accepted" "$MPROF" run -q -E -o e2.dat "$MEMFIX" exit 3
expect_status 137 "killed by SIGKILL: 128+9" "$MPROF" run -q -o k.dat "$MEMFIX" signal 9
expect_status 0 "true" "$MPROF" run -q -o true.dat true

# SIGTERM to mprof is passed to the program (which exits 42), then the file is closed.
"$MPROF" run -q -T 0.01 -o term.dat "$MEMFIX" trap 5000 &
mp=$!
started term.dat
kill -TERM $mp
wait $mp
st=$?
check "SIGTERM forwarded: program's status 42 (got $st)" test "$st" -eq 42
check "EXIT 42 written" grep -q '^EXIT 42 ' term.dat
# SIGINT sent to mprof alone (not a terminal ^C): forwarded, default action kills. (A
# background job of a script starts with SIGINT ignored; env gives it its default back.)
env --default-signal=INT "$MPROF" run -q -T 0.01 -o int.dat "$MEMFIX" sleep 5000 &
mp=$!
started int.dat
kill -INT $mp
wait $mp
st=$?
check "SIGINT forwarded: 130 (got $st)" test "$st" -eq 130

# Other terminating signals sent to mprof are forwarded like SIGTERM, and the run ends with
# its EXIT line (they used to kill mprof and orphan the program).
for sig in QUIT USR1 USR2 ALRM; do
	env --default-signal "$MPROF" run -q -T 0.01 -o "sig$sig.dat" "$MEMFIX" sleep 5000 &
	mp=$!
	started "sig$sig.dat"
	kill -$sig $mp
	wait $mp
	st=$?
	case $sig in QUIT) num=3 ;; USR1) num=10 ;; USR2) num=12 ;; ALRM) num=14 ;; esac
	check "SIG$sig forwarded: $((128 + num)) (got $st)" test "$st" -eq $((128 + num))
	check "SIG$sig: EXIT written" grep -q "^EXIT $((128 + num)) " "sig$sig.dat"
done

# nohup: SIGHUP ignored when mprof starts stays ignored, for mprof and for the program.
expect_status 5 "nohup: the program keeps SIGHUP ignored" \
	nohup "$MPROF" run -q -o hup.dat sh -c 'kill -HUP $$; kill -HUP $PPID; sleep 0.1; exit 5'
check "nohup: EXIT 5 written" grep -q '^EXIT 5 ' hup.dat

# A closed stderr (its reader gone) neither kills mprof nor orphans the program.
{ "$MPROF" run -T 0.01 -o cs.dat "$MEMFIX" sleep 0.5; echo $? >cs.status; } 2>&1 | true
check "closed stderr: mprof exits 0 ($(cat cs.status))" test "$(cat cs.status)" -eq 0
check "closed stderr: EXIT written" grep -q '^EXIT 0 ' cs.dat

# SIGKILL to mprof: the file holds whole lines and the samples up to 0.1 s before.
"$MPROF" run -q -T 0.001 -o kill.dat "$MEMFIX" sleep 3000 &
mp=$!
started kill.dat
sleep 0.6
killed_at=$(date +%s.%N)
kill -KILL $mp
wait $mp 2>/dev/null
check "after SIGKILL the file ends with a whole line" sh -c "tail -c1 kill.dat | od -An -c | grep -q '\\\\n'"
n=$(count MEM kill.dat)
check "after SIGKILL at 0.6 s, samples kept ($n)" ge "$n" 100
last=$(awk '$1=="MEM"{t=$3} END{print t+0}' kill.dat)
# The file promises everything older than 0.1 s; allow the machine some slack.
check "the kept samples reach within 0.3 s of the kill ($last vs $killed_at)" ge "$last" "$(sub "$killed_at" 0.3)"
pkill -f "memfix sleep 3000" 2>/dev/null

# -t: sampling stops, the program runs on.
start=$(date +%s%N)
expect_status 0 "timeout 0.3 s" "$MPROF" run -q -t 0.3 -T 0.01 -o to.dat "$MEMFIX" touch done.flag 4000
el=$(( ($(date +%s%N) - start) / 1000000 ))
check "timeout returned before the program ended (${el} ms)" test "$el" -lt 3500
check "no EXIT after a timeout" sh -c "! grep -q '^EXIT' to.dat"
check "the program ran on" test -e done.flag

# attach by pid and by name: ends when the target exits.
"$MEMFIX" sleep 700 &
target=$!
expect_status 0 "attach by pid" "$MPROF" attach -q -T 0.02 -o at.dat $target
check "attach CMDLINE is the pid" grep -qx "CMDLINE $target" at.dat
check "attach sampled (>= 10 samples)" ge "$(count MEM at.dat)" 10
cp "$MEMFIX" ./attachme
./attachme sleep 600 &
bg=$!
# wait until the background job has exec'd (its name is then attachme)
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ "$(cat /proc/$bg/comm 2>/dev/null)" = attachme ] && break
	sleep 0.05
done
expect_status 0 "run --attach by name" "$MPROF" run -q --attach -T 0.02 -o an.dat attachm
check "attach by name writes a list CMDLINE" grep -qx "CMDLINE \['./attachme', 'sleep', '600'\]" an.dat
expect_status 1 "attach to a missing pid" "$MPROF" attach -q -o no.dat 999999999
expect_status 1 "attach to a missing name" "$MPROF" attach -q -o no.dat no-such-process-name-xyz
check "attach never picks mprof itself" sh -c "! '$MPROF' attach -q -t 0.1 -o self.dat mprof 2>/dev/null || ! grep -q \"'attach'\" self.dat"
# Where epoll_pwait2 is refused (a kernel before 5.11: ENOSYS; an older container's seccomp
# filter: EPERM), the session waits with ppoll on its epoll set instead: strace makes every
# epoll_pwait2 fail, and the run must still sample at its interval and end normally.
if command -v strace >/dev/null; then
	for e in ENOSYS EPERM; do
		# LeakSanitizer cannot run under ptrace: off for these runs of a sanitized build.
		expect_status 0 "epoll_pwait2 refused with $e: the run goes on" \
			env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -o strace.txt \
			-e trace=epoll_pwait2,ppoll -e inject=epoll_pwait2:error=$e \
			"$MPROF" run -q -T 0.01 -o nopwait.dat sleep 0.5
		check "with $e: samples at the interval ($(count MEM nopwait.dat) of about 50)" \
			ge "$(count MEM nopwait.dat)" 25
		check "with $e: the loop waits in ppoll" ge "$(grep -c 'ppoll(' strace.txt)" 25
	done
else
	fail "strace is missing (scripts/install-deps installs it)"
fi

wait
finish
