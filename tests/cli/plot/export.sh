# export.sh - mprof export: CSV and JSON through the real binary, bad input.
. "$(dirname "$0")/lib.sh"
F=$FIXTURES

expect 0 "CSV by default" "$MPROF" export "$F/ours_full.dat"
same "header" /dev/stdin "kind,t,mem,t_end,mem_end,name,level,pid,gen,collected,uncollectable,candidates,status" <<E
$(head -1 "$T/out")
E
[ "$(grep -c '^sample,' "$T/out")" -eq 5 ] && ok "a row per sample" || fail "a row per sample"
[ "$(grep -c '^call,' "$T/out")" -eq 3 ] && ok "a row per call" || fail "a row per call"
[ "$(grep -c '^gc,' "$T/out")" -eq 2 ] && ok "a row per collection" || fail "a row per collection"
[ "$(awk -F, '{print NF}' "$T/out" | sort -u)" = 13 ] && ok "13 columns on every row" || fail "ragged rows"

cp "$F/mp_python.dat" mprofile_20260102000000.dat
expect 0 "JSON of the newest profile" "$MPROF" export --format json
if command -v python3 >/dev/null; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["file"] == "mprofile_20260102000000.dat", d["file"]
assert d["cmdline"] == "/usr/bin/python3 demo.py"
assert len(d["samples"]) == 14 and d["samples"][0][0] == 0.0
names = [f["name"] for f in d["functions"]]
assert names == ["__main__.inner", "__main__.outer", ".load_data"], names
assert sum(len(f["calls"]) for f in d["functions"]) == 5
' "$T/out" && ok "valid JSON with every part" || fail "JSON"
fi
expect 0 "-o FILE" "$MPROF" export --fo json -o out.json 0
[ -s out.json ] && [ ! -s "$T/out" ] && ok "written to the file only" || fail "-o"

# Over an existing export: the new one takes its place (exchanged with the temporary file,
# which is then removed), another link to the old file keeps the old content, and nothing is
# left beside it.
echo "old" >over.csv
ln over.csv old_link.csv
expect 0 "-o over an existing file" "$MPROF" export -o over.csv "$F/ours_full.dat"
[ "$(head -c 5 over.csv)" = "kind," ] && ok "the new export replaced it" || fail "not replaced"
[ "$(cat old_link.csv)" = "old" ] && ok "another link keeps the old file" || fail "old link changed"
[ -z "$(ls | grep 'over.csv.tmp')" ] && ok "no temporary file left" || fail "temporary file left: $(ls)"
mkdir adir
expect 1 "-o a directory" "$MPROF" export -o adir "$F/ours_full.dat"
[ -d adir ] && [ -z "$(ls | grep 'adir.tmp')" ] && ok "the directory is untouched" || fail "directory"

expect 2 "unknown format" "$MPROF" export --format xml "$F/ours_full.dat"
expect 2 "two profiles" "$MPROF" export "$F/ours_full.dat" "$F/mp_python.dat"
expect 1 "bad profile" "$MPROF" export "$F/bad_number.dat"
same "file and line" "$T/err" "mprof: $F/bad_number.dat:3: MEM: '2.0x' is not a number"
expect 1 "unwritable output" "$MPROF" export -o /nonexistent/x.csv "$F/ours_full.dat"
same "cannot write" "$T/err" "mprof: cannot write '/nonexistent/x.csv': No such file or directory"
expect 1 "index that does not exist" "$MPROF" export 5
if [ -w /dev/full ]; then
	"$MPROF" export "$F/mp_python_fast.dat" >/dev/full 2>"$T/err"
	[ $? -eq 1 ] && grep -q "No space left on device" "$T/err" && ok "full disk reported" ||
		fail "full disk not reported"
fi
finish
