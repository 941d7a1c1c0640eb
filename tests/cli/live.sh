# live.sh - mprof run --live, mprof top and the status line, as a person at a terminal sees
# them: driven under tmux (its own server), the pane captured and read. Every wait polls the
# pane or a file with a generous timeout; nothing waits a fixed time for the program.
. "$(dirname "$0")/lib.sh"
: "${MEMFIX:?}"
command -v tmux >/dev/null || { echo "tmux is missing (scripts/install-deps installs it)" >&2; exit 1; }
TM="tmux -L mprof-live-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; rm -rf "$T"' EXIT
export LANG=C.UTF-8

# pane: the visible screen; with -e, its colours too
pane() { $TM capture-pane -p $* -t s 2>/dev/null; }
# until_pane PATTERN [SECONDS]: polls the pane until it shows PATTERN (an ERE)
until_pane() {
	n=$(( ${2:-60} * 10 ))
	while [ $n -gt 0 ]; do
		pane | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "--- pane, waiting for '$1':" >&2
	pane >&2
	return 1
}
until_gone() {
	n=$(( ${2:-60} * 10 ))
	while [ $n -gt 0 ]; do
		pane | grep -Eq -- "$1" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
# start WIDTH HEIGHT COMMAND: a fresh session whose pane runs COMMAND, then says how it ended
start() {
	$TM kill-server 2>/dev/null
	w=$1 h=$2
	shift 2
	# The old server may still be going away: retried until the new session stands.
	n=0
	until $TM new-session -d -s s -x "$w" -y "$h" "$*; echo mprof-exit \$?; sleep 600" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 100 ] || { fail "tmux: cannot start a session"; return 1; }
		sleep 0.1
	done
}

# 1. The view: the bracket while inside it, memory as the profile says, a collection counted,
# q leaves the terminal clean, and the recording goes on to the end.
mkdir d1
start 100 30 "$MPROF run --live -T 0.05 -o $T/live.dat $MEMFIX live $T/d1"
check "the view shows the bracket the fixture is inside" until_pane 'in +waiting_phase'
# The bracket opens before the fixture touches its 16 MiB: the memory shown climbs to it.
check "16 MiB held shows" until_pane 'RSS (1[6-9]|[2-9][0-9])\.[0-9] MiB' 30
sleep 0.5 # memory is steady inside the bracket; the profile is flushed every 50 ms
shown=$(pane | sed -n 's/.*RSS \([0-9.]*\) MiB.*/\1/p' | head -1)
last=$(awk '$1=="MEM"{m=$2} END{print m}' live.dat)
if [ -n "$shown" ] && awk -v a="$shown" -v b="$last" 'BEGIN{d=a-b; exit !(d<=1 && d>=-1)}'; then
	ok "current memory shown ($shown MiB) is within 1 MiB of the profile's last sample ($last)"
else
	fail "current memory shown '$shown' vs the profile's last sample '$last'"
fi
# p: the picture stands still (elapsed does not move), the key line says so; p again resumes.
elapsed() { pane | sed -n 's/^elapsed *\([0-9.]*s\).*/\1/p'; }
$TM send-keys -t s p
check "p pauses the view" until_pane 'p resume .*\[paused\]' 30
e1=$(elapsed)
sleep 1.2
e2=$(elapsed)
check "paused: the picture stands still (elapsed $e1, then $e2)" test -n "$e1" -a "$e1" = "$e2"
$TM send-keys -t s p
check "p again resumes" until_gone '\[paused\]' 30
sleep 1.2
e3=$(elapsed)
check "resumed: elapsed moves on ($e2, then $e3)" test -n "$e3" -a "$e3" != "$e2"
# + and -: the chart's window steps through 5 s .. 1 h, named on the time axis.
check "the chart shows the last 30 s at first" until_pane '^ +-30\.0s +[─-]+.* now$' 30
$TM send-keys -t s +
check "+ widens the window to a minute" until_pane '^ +-1m00s +[─-]+.* now$' 30
$TM send-keys -t s - -
check "- narrows it to 10 s" until_pane '^ +-10\.0s +[─-]+.* now$' 30
touch d1/go
check "the collection is counted" until_pane 'GC runs +1 +\(gen0 0 +gen1 0 +gen2 1\)'
check "the last collection is described" until_pane 'last GC +gen2 .*freed 12 objects'
$TM send-keys -t s q
check "q closes the view" until_gone 'q quit'
if pane | grep -Eq '▁|▂|▃|▄|▅|▆|▇|█|GC runs|waiting_phase'; then
	fail "q left the view's drawing on the terminal"; pane >&2
else ok "q leaves the terminal clean"; fi
check "recording goes on after q" test ! -e d1/end
touch d1/end
check "mprof ends with the program's status" until_pane 'mprof-exit 0'
check "the profile has the bracket" grep -q '^FUNC waiting_phase ' live.dat
check "the profile has the collection" grep -q '^GC 2 ' live.dat
check "no B line in the profile" sh -c '! grep -q "^B " live.dat'

# 2. The profile written with --live has the same line types and counts as without it.
start 100 30 "$MPROF run --live -T 10 -o $T/a.dat $MEMFIX traced"
until_pane 'mprof-exit 0'
$MPROF run -q -T 10 -o b.dat "$MEMFIX" traced
# Every line type, with its count for what the program did (brackets, collections, marks, the
# exit); MEM and PEAK only by their presence: how many there are depends on when the first
# sample lands against the program's start (an eBPF reading at exec, or not), not on --live.
types() { cut -d' ' -f1 "$1" | sort | uniq -c | awk '$2=="MEM"||$2=="PEAK"{$1="n"} {print}'; }
if [ "$(types a.dat)" = "$(types b.dat)" ]; then ok "--live writes the same lines as without it"
else fail "line types differ with --live"; types a.dat >&2; types b.dat >&2; fi

# 3. No terminal: --live refuses, and nothing is written.
expect_status 2 "--live refuses when stdout is not a terminal" $MPROF run --live -o nt.dat "$MEMFIX" exit 0
check "the refusal says why" grep -q 'not one' err
check "nothing recorded on refusal" test ! -e nt.dat
expect_status 2 "top refuses when stdout is not a terminal" $MPROF top b.dat
sleep 30 &
expect_status 2 "attach --live refuses when stdout is not a terminal" $MPROF attach --live $!
kill $!
# A terminal without cursor addressing gets no picture drawn as a stream of lines.
start 80 20 "TERM=dumb $MPROF top $T/b.dat"
check "top refuses a terminal without cursor addressing" until_pane 'cannot draw on this terminal \(TERM=dumb\)'
check "... with status 1" until_pane 'mprof-exit 1'

# 4. Colours only when wanted: NO_COLOR leaves none; without it the terminal's are used.
mkdir d2 d3
start 100 30 "TERM=screen-256color NO_COLOR=1 $MPROF run --live -o $T/nc.dat $MEMFIX live $T/d2"
until_pane 'in +waiting_phase'
if pane -e | grep -q "$(printf '\033')\[[0-9;]*3[1-7]m"; then fail "NO_COLOR: colours drawn"
else ok "NO_COLOR: no colours"; fi
touch d2/go d2/end
until_pane 'mprof-exit'
start 100 30 "TERM=screen-256color $MPROF run --live -o $T/c.dat $MEMFIX live $T/d3"
until_pane 'in +waiting_phase'
if pane -e | grep -q "$(printf '\033')\[[0-9;]*3[1-7]m"; then ok "colours on a colour terminal"
else fail "no colours on a colour terminal"; fi

# 5. Resize: the view is redrawn to the new size.
check "the key line is on the last row" sh -c "$TM capture-pane -p -t s | sed -n 30p | grep -q 'q quit'"
$TM resize-window -t s -x 60 -y 16
check "after a resize the key line is on the new last row" until_pane 'q quit' 30
n=0
while [ $n -lt 100 ] && ! pane | sed -n 16p | grep -q 'q quit'; do sleep 0.1; n=$((n + 1)); done
check "after a resize the key line moved to row 16" sh -c "$TM capture-pane -p -t s | sed -n 16p | grep -q 'q quit'"
wide=$(pane | tr -d '\200-\277' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
check "after a resize nothing is wider than 60 columns ($wide)" test "$wide" -le 60
touch d3/go d3/end
until_pane 'mprof-exit'

# 5b. The time axis: a collection's digit never covers a label. A finished profile is shown at
# its last moment, so a collection that started then is marked in the chart's last column,
# beside "now", and one 29.5 s before in its first, beside the window's length.
awk 'BEGIN {
	t0 = 1795545000
	print "CMDLINE memfix axis"
	print "META mprof=0.2.0 interval=0.5 backend=rss peaks=none children=none pid=4242"
	for (i = 0; i <= 80; i++) printf "MEM %.6f %.6f\n", 10 + (i % 7), t0 + i * 0.5
	printf "GC 2 12.0000 %.6f 11.0000 %.6f 12 0 3000 4242\n", t0 + 40 - 29.5, t0 + 40 - 29.49
	printf "GC 1 12.0000 %.6f 11.0000 %.6f 5 0 300 4242\n", t0 + 40 - 0.01, t0 + 40
	printf "EXIT 0 %.6f\n", t0 + 40
}' >axis.dat
for loc in C.UTF-8 C; do
	start 100 30 "LANG=$loc $MPROF top $T/axis.dat"
	until_pane 'exited 0'
	row=$(pane | grep ' now$')
	check "$loc: the newest collection's digit is beside 'now', not over it: '$row'" \
		sh -c "echo '$row' | grep -Eq '1 now\$'"
	check "$loc: the oldest one's digit is beside the window's length: '$row'" \
		sh -c "echo '$row' | grep -Eq '^ +-30\.0s +[─-]?2'"
	$TM send-keys -t s q
	until_pane 'mprof-exit 0'
done

# 5c. m: with -M (CHLD lines in the profile) or -C (members sent beside it), the tree's
# processes largest first, each one a descendant of the program, with the memory it holds.
for opt in -M -C; do
	start 100 30 "$MPROF run --live $opt -T 0.05 -o $T/tree$opt.dat $MEMFIX tree 3 8 10000"
	until_pane 'GC runs' 60
	$TM send-keys -t s m
	check "$opt: m shows the processes" until_pane 'processes \(4 shown, largest first\)' 60
	prog=$(pane | sed -n 's/^mprof running  pid \([0-9]*\) .*/\1/p')
	kids=$(pgrep -P "$prog" | tr '\n' ' ')
	for k in $kids; do kids="$kids $(pgrep -P "$k" | tr '\n' ' ')"; done
	shown=$(pane | sed -n 's/^  pid \([0-9]*\) .*/\1/p' | tr '\n' ' ')
	n=0 bad=
	for p in $shown; do
		n=$((n + 1))
		case " $kids " in *" $p "*) ;; *) bad="$bad $p" ;; esac
	done
	check "$opt: the 4 pids listed ($shown) are the program's children and grandchild ($kids)" \
		test "$n" = 4 -a -z "$bad"
	mems=$(pane | sed -n 's/^  pid [0-9]* *\([0-9.]*\) MiB$/\1/p' | tr '\n' ' ')
	check "$opt: each holds its 8 MiB ($mems)" \
		awk -v m="$mems" 'BEGIN { n = split(m, a, " "); for (i = 1; i <= n; i++) if (a[i] < 8) exit 1; exit n != 4 }'
	$TM send-keys -t s m
	check "$opt: m again shows the brackets and the collector" until_pane 'GC runs' 30
	until_pane 'mprof-exit 0' 60
done
[ "$(count CHLD tree-M.dat)" -gt 0 ] && ok "-M: the profile has the children" || fail "-M: no CHLD line"

# 6. mprof top: a finished profile replayed, and shown as it is.
start 100 30 "$MPROF top --speed 50 $T/live.dat"
check "top replays a profile to its end" until_pane 'exited 0' 60
check "top shows the replayed collection" until_pane 'GC runs +1 '
$TM send-keys -t s q
check "top ends on q" until_pane 'mprof-exit 0'

# 7. The status line: on a terminal's stderr, gone at the end; -q and a pipe have none.
mkdir d4
start 200 10 "$MPROF run -T 0.05 -o $T/st.dat $MEMFIX live $T/d4"
check "a run on a terminal shows a status line" until_pane 'mprof: [0-9.]+s +[0-9]+ samples +mem [0-9.]+ MiB +peak [0-9.]+ MiB +GC 0'
touch d4/go d4/end
until_pane 'mprof-exit'
check "the status line is cleared at the end" sh -c "! $TM capture-pane -p -t s | grep -q ' samples  mem'"
$MPROF run -T 0.05 -o p.dat "$MEMFIX" sleep 400 2>err
check "no status line when stderr is not a terminal" sh -c "! grep -q 'samples  mem' err"
mkdir d5
start 200 10 "$MPROF run -q -T 0.05 -o $T/q.dat $MEMFIX live $T/d5"
started q.dat
sleep 0.6
check "-q: no status line" sh -c "! $TM capture-pane -p -t s | grep -q 'samples  mem'"
touch d5/go d5/end
until_pane 'mprof-exit'
finish
