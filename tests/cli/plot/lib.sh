# lib.sh - what the plot/peak/export end-to-end tests share. Sourced with MPROF (the mprof
# binary) and FIXTURES (tests/fixtures/dat) set by ctest; runs in a fresh directory.
set -u
: "${MPROF:?}" "${FIXTURES:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mprof-plot-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# expect WANT_STATUS DESCRIPTION COMMAND...: runs the command (stdout in $T/out, stderr in
# $T/err) and compares its exit status.
expect() {
	want=$1 d=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d (status $got)"; else
		fail "$d: status $got, want $want"
		sed 's/^/  stderr: /' "$T/err" >&2
	fi
}

# same DESCRIPTION FILE TEXT: the file's content must be exactly TEXT (plus a final newline).
same() {
	if [ "$(cat "$2")" = "$3" ]; then ok "$1"; else
		fail "$1"
		echo "  want: $3" >&2
		sed 's/^/  got:  /' "$2" >&2
	fi
}

# has DESCRIPTION FILE TEXT: the file must contain TEXT.
has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		fail "$1: no '$3' in:"
		sed 's/^/  /' "$2" >&2
	fi
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}
