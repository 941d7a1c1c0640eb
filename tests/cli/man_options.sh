#!/bin/sh
# docs/mprof.1 and the option tables agree (issue 14): for every subcommand that `mprof --help`
# lists, the man page has a "<COMMAND> OPTIONS" section whose .TP entries name exactly the
# options `mprof <command> --help` prints (long and short forms, paired as there), -h/--help
# and --version being documented once, under COMMON OPTIONS. MAN names the page.
. "$(dirname "$0")/lib.sh"
: "${MAN:?}"

# The subcommands, from mprof's own --help.
cmds=$("$MPROF" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
[ -n "$cmds" ] || fail "mprof --help lists no command"

# help_opts CMD: "SHORT LONG" per option in CMD's --help ("-" for a missing short form).
help_opts() {
	"$MPROF" "$1" --help | awk '
	match($0, /^  (-[A-Za-z](, --[a-z][a-z-]*)?|    --[a-z][a-z-]*)/) {
		spec = substr($0, 3, RLENGTH - 2)
		s = "-"; l = "-"
		if (spec ~ /^-[A-Za-z]/) { s = substr(spec, 1, 2); spec = substr(spec, 3) }
		sub(/^(, |    )/, "", spec)
		if (spec ~ /^--/) l = spec
		print s, l
	}' | sort -u
}

# man_opts SECTION: "SHORT LONG" per .TP entry of the man page's section SECTION.
man_opts() {
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN" | awk -v want="$1" '
	/^\.SH/ { sec = $0; sub(/^\.SH +"?/, "", sec); sub(/"$/, "", sec); tp = 0; next }
	sec != want { next }
	/^\.TP/ { tp = 1; next }
	tp {
		tp = 0; s = "-"; l = "-"
		n = split($0, w, /[ ,"]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] ~ /^--[a-z][a-z-]*/) { if (l == "-") { l = w[i]; sub(/=.*/, "", l) } }
			else if (w[i] ~ /^-[A-Za-z]$/ && s == "-") s = w[i]
		}
		if (l != "-" || s != "-") print s, l
	}' | sort -u
}

upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }

common=$(printf '%s\n' "-h --help" "- --version" | sort)
check "COMMON OPTIONS documents -h/--help and --version" \
	test "$(man_opts "COMMON OPTIONS")" = "$common"

for c in $cmds; do
	sec="$(upper "$c") OPTIONS"
	if ! grep -q "^\.SH \"\{0,1\}$sec\"\{0,1\}\$" "$MAN"; then
		fail "$MAN has no section '$sec' for 'mprof $c'"
		continue
	fi
	help_opts "$c" | grep -v -x -e '-h --help' -e '- --version' >help.txt
	man_opts "$sec" >man.txt
	if diff help.txt man.txt >diff.txt; then
		ok "$sec: the man page and 'mprof $c --help' list the same $(wc -l <help.txt) options"
	else
		fail "$sec and 'mprof $c --help' disagree (< --help only, > man page only):"
		grep '^[<>]' diff.txt | sed 's/^/  /' >&2
	fi
done
# Every subcommand also appears in the synopsis.
for c in $cmds; do
	check "the synopsis shows mprof $c" grep -q "^\.B mprof $c\$" "$MAN"
done

[ "$failures" -eq 0 ] || exit 1
