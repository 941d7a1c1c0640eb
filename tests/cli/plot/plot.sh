# plot.sh - mprof plot through the real binary: formats, default output, options, bad input.
. "$(dirname "$0")/lib.sh"
F=$FIXTURES

# png_size FILE: "WIDTHxHEIGHT" from the PNG's IHDR
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'; }
magic() { head -c "$2" "$1" | od -An -c | tr -d ' \n'; }
no_images() { ls ./*.png ./*.svg ./*.pdf ./*.tmp* 2>/dev/null | grep -q . && fail "$1: a file was left" || ok "$1: no file left"; }

expect 0 "PNG of our profile" "$MPROF" plot -o ours.png "$F/ours_full.dat"
[ "$(magic ours.png 4)" = "211PNG" ] && ok "a PNG" || fail "not a PNG: $(magic ours.png 4)"
same "default size suits a README" /dev/stdin "1000x500" <<E
$(png_size ours.png)
E
[ ! -s "$T/out" ] && ok "nothing printed with -o" || fail "printed with -o"
expect 0 "SVG" "$MPROF" plot -o ours.svg "$F/mp_python.dat"
grep -q '<svg' ours.svg && ok "an SVG" || fail "not an SVG"
expect 0 "PDF" "$MPROF" plot --output ours.pdf "$F/mp_children.dat"
[ "$(magic ours.pdf 5)" = "%PDF-" ] && ok "a PDF" || fail "not a PDF"
expect 0 "upper-case extension" "$MPROF" plot -o UP.PNG "$F/legacy5.dat"
rm -f ./*.png ./*.svg ./*.pdf ./*.PNG

expect 0 "options: title, no brackets, slope, backend, unique prefixes" \
	"$MPROF" plot --tit "a title" -n -s --backend Agg --outp o.png "$F/mp_python.dat"
expect 0 "flame" "$MPROF" plot -f -o f.png "$F/mp_python.dat"
expect 0 "window a,b" "$MPROF" plot -w 0.2,0.8 -o w1.png "$F/mp_python.dat"
expect 0 "window a," "$MPROF" plot -w 0.2, -o w2.png "$F/mp_python.dat"
expect 0 "window ,b" "$MPROF" plot --window ,0.5 -o w3.png "$F/mp_python.dat"
expect 0 "size" "$MPROF" plot --width 800 --height 300 -o s.png "$F/mp_python.dat"
same "--width/--height" /dev/stdin "800x300" <<E
$(png_size s.png)
E
expect 0 "dpi" "$MPROF" plot --dpi 192 -o d.png "$F/mp_python.dat"
same "--dpi scales" /dev/stdin "2000x1000" <<E
$(png_size d.png)
E
expect 0 "several files" "$MPROF" plot -o multi.png "$F/mp_python.dat" "$F/mp_children.dat" "$F/ours_full.dat"
expect 0 "memory_profiler's -M file" "$MPROF" plot -o m.png "$F/mp_children.dat"
rm -f ./*.png

# Without -o: the newest profile, a PNG beside it, its path printed.
cp "$F/mp_command.dat" mprofile_20260101000000.dat
cp "$F/ours_full.dat" mprofile_20260102000000.dat
expect 0 "newest profile, default output" "$MPROF" plot
same "prints what it used and wrote" "$T/out" "Using last profile data.
mprofile_20260102000000.png"
[ -s mprofile_20260102000000.png ] && ok "PNG beside the profile" || fail "no PNG beside the profile"
expect 0 "negative index" "$MPROF" plot -2
same "index -2" "$T/out" "mprofile_20260101000000.png"
mkdir sub && cp "$F/legacy5.dat" sub/old.dat
expect 0 "a path elsewhere" "$MPROF" plot sub/old.dat
same "output beside it" "$T/out" "sub/old.png"
[ -s sub/old.png ] && ok "written in sub/" || fail "not written in sub/"
rm -f ./*.png mprofile_* && rm -rf sub

# Bad input: one clear line, non-zero exit, no image.
expect 1 "index that does not exist" "$MPROF" plot 3 -o x.png
same "bad index named" "$T/err" "mprof: cannot open '3': no such file or profile index"
no_images "bad index"
expect 1 "no profile at all" "$MPROF" plot
has "says what it looked for" "$T/err" "mprofile_*.dat"
expect 1 "malformed profile" "$MPROF" plot -o x.png "$F/bad_number.dat"
same "file and line" "$T/err" "mprof: $F/bad_number.dat:3: MEM: '2.0x' is not a number"
no_images "malformed"
# A last line cut short (kill -9) is ignored with a warning: the profile still plots.
expect 0 "torn last line" "$MPROF" plot -o torn.png "$F/truncated.dat"
rm -f torn.png
expect 1 "empty profile" "$MPROF" plot -o x.png "$F/empty.dat"
same "empty named" "$T/err" "mprof: $F/empty.dat: empty profile"
expect 1 "no MEM lines" "$MPROF" plot -o x.png "$F/nomem.dat"
same "no samples named" "$T/err" "mprof: $F/nomem.dat: no memory samples (no MEM lines)"
expect 1 "one bad file among good ones" "$MPROF" plot -o x.png "$F/mp_python.dat" "$F/binary.dat"
no_images "bad file among good"
expect 2 "unknown extension" "$MPROF" plot -o x.jpg "$F/mp_python.dat"
same "extension named, formats listed" "$T/err" "mprof: cannot write 'x.jpg': unknown format '.jpg' (use .png, .svg, .pdf or .html; without an extension, .png)"
no_images "unknown extension"
# Without an extension: a PNG named FILE.png, as memory_profiler's savefig writes it.
expect 0 "no extension" "$MPROF" plot -o plot "$F/mp_python.dat"
[ "$(magic plot.png 4)" = "211PNG" ] && ok "-o plot writes plot.png" || fail "no plot.png"
same "the name written is printed" "$T/out" "plot.png"
[ ! -e plot ] && ok "no file named plot" || fail "a file named plot"
mkdir d.v2 && expect 0 "a dot in a directory is no extension" "$MPROF" plot -o d.v2/name "$F/mp_python.dat"
[ -s d.v2/name.png ] && ok "d.v2/name.png" || fail "no d.v2/name.png"
rm -rf plot.png d.v2
expect 2 "--ylim must be A,B" "$MPROF" plot --ylim 5,2 -o y.png "$F/mp_python.dat"
expect 0 "--ylim A," "$MPROF" plot --ylim 0, -o y.png "$F/mp_python.dat"
rm -f y.png
expect 1 "output directory missing" "$MPROF" plot -o /nonexistent/dir/x.png "$F/mp_python.dat"
same "cannot write" "$T/err" "mprof: cannot write '/nonexistent/dir/x.png': No such file or directory"
mkdir d.png
expect 1 "output is a directory" "$MPROF" plot -o d.png "$F/mp_python.dat"
same "is a directory" "$T/err" "mprof: cannot write 'd.png': Is a directory"
rmdir d.png
expect 2 "window with one number" "$MPROF" plot -w 5 -o x.png "$F/mp_python.dat"
has "window explained" "$T/err" "invalid window '5'"
expect 2 "window backwards" "$MPROF" plot -w 3,1 -o x.png "$F/mp_python.dat"
expect 2 "bad width" "$MPROF" plot --width 0 -o x.png "$F/mp_python.dat"
expect 2 "unknown option" "$MPROF" plot --bogus
expect 2 "missing value" "$MPROF" plot -o
no_images "usage errors"
# What mprof run writes now, read back by plot, peak and export.
if "$MPROF" run -o run.dat sh -c 'sleep 0.3' >/dev/null 2>&1; then
	expect 0 "plot of a fresh mprof run" "$MPROF" plot run.dat
	same "PNG beside it" "$T/out" "run.png"
	expect 0 "peak of a fresh mprof run" "$MPROF" peak run.dat
	expect 0 "export of a fresh mprof run" "$MPROF" export run.dat
	rm -f run.dat run.png
else
	fail "mprof run -o run.dat sh -c 'sleep 0.3' failed"
fi
expect 0 "--help" "$MPROF" plot --help
has "help lists --flame" "$T/out" "--flame"
finish
