# lib.sh - what the end-to-end tests share. Sourced with MPROF (and, for the run tests,
# MEMFIX) set by ctest; runs in a fresh temporary directory.
set -u
: "${MPROF:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mprof-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

# check DESCRIPTION COMMAND...: the command must succeed
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}

# expect_status WANT DESCRIPTION COMMAND...: runs the command, compares its exit status
expect_status() {
	want=$1 d=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$d (status $got)"; else
		fail "$d: status $got, want $want"
		sed 's/^/  stderr: /' "$T/err" >&2
	fi
}

# awk over a .dat: max of MEM (and PEAK) values
dat_max_mem() { awk '$1=="MEM"{if($2>m)m=$2} END{printf "%.3f\n", m+0}' "$1"; }
dat_max_all() { awk '($1=="MEM"||$1=="PEAK")&&$2>m{m=$2} END{printf "%.3f\n", m+0}' "$1"; }
dat_min_mem() { awk '$1=="MEM"&&(m==""||$2<m){m=$2} END{printf "%.3f\n", m+0}' "$1"; }
count() { grep -c "^$1 " "$2" || true; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN{print a-b}'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a+0 >= b+0)}'; }

# started FILE: waits (up to 20 s) until a backgrounded mprof has created its profile, which it
# does once its signals are set up, so that a signal sent then is mprof's to handle: a fixed
# sleep races with a slow start on a loaded machine.
started() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.1
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	exit 0
}
