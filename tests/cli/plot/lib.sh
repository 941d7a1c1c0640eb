# lib.sh - what the plot/peak/export end-to-end tests share. Sourced with MPROF (the mprof
# binary) and FIXTURES (tests/fixtures/dat) set by ctest; runs in a fresh directory.
# The temporary directory, fail/ok/check, expect_status and finish come from ../lib.sh.
: "${FIXTURES:?}"
. "$(dirname "$0")/../lib.sh"

# expect WANT_STATUS DESCRIPTION COMMAND...: expect_status under its shorter name.
expect() { expect_status "$@"; }

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
