# peak.sh - mprof peak: memory_profiler's output, the true peak, --func, bad input.
. "$(dirname "$0")/lib.sh"
F=$FIXTURES
tab=$(printf '\t')

expect 0 "peak of a memory_profiler file" "$MPROF" peak "$F/mp_python.dat"
want=$(awk '$1=="MEM"&&$2>m{m=$2} END{printf "%.3f", m}' "$F/mp_python.dat")
same "peak is the highest MEM" "$T/out" "$F/mp_python.dat${tab}$want MiB"

expect 0 "peak with children" "$MPROF" peak "$F/mp_children.dat"
has "child line in memory_profiler's format" "$T/out" "  Child 29843${tab}${tab}${tab}51.281 MiB"
[ "$(wc -l <"$T/out")" -eq 3 ] && ok "one line per child" || fail "one line per child"

expect 0 "true peak from PEAK lines" "$MPROF" peak "$F/ours_full.dat"
has "PEAK 50 above every MEM sample" "$T/out" "ours_full.dat${tab}50.000 MiB"

expect 0 "--func" "$MPROF" peak --func __main__.inner "$F/mp_python.dat"
has "--func peak" "$T/out" "${tab}99.645 MiB"
expect 0 "--func with an unknown name" "$MPROF" peak --func nope "$F/mp_python.dat"
same "unknown function is NaN" "$T/out" "$F/mp_python.dat${tab}NaN MiB"
expect 0 "--fu (unique prefix)" "$MPROF" peak --fu work "$F/ours_full.dat"
has "prefix works" "$T/out" "${tab}50.000 MiB"

# The newest profile of the current directory, and indexes.
cp "$F/mp_command.dat" mprofile_20260101000000.dat
cp "$F/mp_python.dat" mprofile_20260102000000.dat
expect 0 "newest profile" "$MPROF" peak
has "announces the last profile" "$T/out" "Using last profile data."
has "newest is used" "$T/out" "mprofile_20260102000000.dat${tab}"
expect 0 "index -2" "$MPROF" peak -2
same "index -2 is the older" "$T/out" "mprofile_20260101000000.dat${tab}1.676 MiB"
expect 0 "same file twice is printed once" "$MPROF" peak 0 mprofile_20260101000000.dat
[ "$(wc -l <"$T/out")" -eq 1 ] && ok "deduplicated" || fail "deduplicated"

# Bad input: one clear line each, non-zero exit.
expect 1 "index that does not exist" "$MPROF" peak 7
same "message for a bad index" "$T/err" "mprof: cannot open '7': no such file or profile index"
expect 1 "malformed profile" "$MPROF" peak "$F/bad_number.dat"
same "file and line named" "$T/err" "mprof: $F/bad_number.dat:3: MEM: '2.0x' is not a number"
# A last line cut short (kill -9) is ignored with a warning: the profile stays readable.
expect 0 "torn last line" "$MPROF" peak "$F/truncated.dat"
same "torn line warned" "$T/err" "mprof: warning: $F/truncated.dat: the last line was cut short (a killed run?) and is ignored"
expect 1 "empty profile" "$MPROF" peak "$F/empty.dat"
same "empty named" "$T/err" "mprof: $F/empty.dat: empty profile"
expect 1 "no MEM lines" "$MPROF" peak "$F/nomem.dat"
same "no samples named" "$T/err" "mprof: $F/nomem.dat: no memory samples (no MEM lines)"
expect 1 "binary file" "$MPROF" peak "$F/binary.dat"
expect 1 "a good and a bad file: the good one is still printed" "$MPROF" peak "$F/legacy5.dat" "$F/bad_number.dat"
has "good one printed" "$T/out" "legacy5.dat${tab}2.500 MiB"
expect 2 "unknown option" "$MPROF" peak --bogus
expect 2 "--func without a value" "$MPROF" peak --func
expect 0 "--help" "$MPROF" peak --help
has "help names --func" "$T/out" "--func NAME"
mkdir empty && cd empty
expect 1 "no profile in the directory" "$MPROF" peak
has "says what it looked for" "$T/err" "mprofile_*.dat"

# memory_profiler's own mprof peak prints the same for its files.
if [ -x /usr/bin/python3-mprof ]; then
	for f in mp_python.dat mp_children.dat mp_include_children.dat legacy5.dat unsorted.dat; do
		/usr/bin/python3-mprof peak "$F/$f" >"$T/theirs" 2>&1
		"$MPROF" peak "$F/$f" >"$T/ours" 2>&1
		cmp -s "$T/theirs" "$T/ours" && ok "same output as memory_profiler: $f" ||
			fail "output differs from memory_profiler's for $f"
	done
fi
finish
