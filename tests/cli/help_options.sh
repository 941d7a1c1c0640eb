#!/bin/sh
# --help and the parser agree, for every subcommand: each option that --help lists is
# accepted (long and short form), every other option is refused as a usage error, and attach
# refuses by name the options of run that only mean something when mprof starts the program.
. "$(dirname "$0")/lib.sh"

cmds="run attach list clean rm peak plot export"

# listed CMD: one "SHORT LONG ARG" line per option in CMD's --help, "-" for what it lacks.
listed() {
	"$MPROF" "$1" --help | awk '
	match($0, /^  (-[A-Za-z](, --[a-z][a-z-]*)?|    --[a-z][a-z-]*)( [^ ]+)?  /) {
		spec = substr($0, 3, RLENGTH - 4)
		s = "-"; l = "-"; a = "-"
		if (spec ~ /^-[A-Za-z]/) {
			s = substr(spec, 1, 2)
			spec = substr(spec, 3)
		}
		sub(/^(, |    )/, "", spec)
		n = split(spec, w, " ")
		if (n >= 1 && w[1] ~ /^--/) l = w[1]
		if (n >= 2) a = w[2]
		else if (n == 1 && w[1] !~ /^--/) a = w[1]
		print s, l, a
	}'
}

# A valid value for each argument name that a --help uses; a new one must be added here.
value_for() {
	case $1 in
	-) ;;
	SECONDS) echo 1 ;;
	FILE) echo out.x ;;
	NAME) echo rss ;;
	MODE) echo hwm ;;
	TITLE) echo title ;;
	A,B) echo 0,1 ;;
	PX) echo 100 ;;
	DPI) echo 96 ;;
	PATTERNS) echo 'main,f*' ;;
	DURATION) echo 1ms ;;
	'csv|json'|'csv|json|trace') echo csv ;;
	*) echo "UNKNOWN" ;;
	esac
}

# accepted CMD OPTION ARG: the option (with a valid value) parses, then --help ends the command.
accepted() {
	v=$(value_for "$3")
	if [ "$v" = UNKNOWN ]; then
		fail "$1 $2: no sample value for '$3' in this test"
		return
	fi
	expect_status 0 "$1 accepts $2 $v" "$MPROF" "$1" "$2" $v --help
}

# refused CMD OPTION: a usage error naming the option.
refused() {
	expect_status 2 "$1 refuses $2" "$MPROF" "$1" "$2" --help
	check "$1: the refusal names $2" grep -q -- "'$2'" err
}

: >all_long
for c in $cmds; do
	listed "$c" >"opts_$c"
	check "$c --help lists options" test -s "opts_$c"
	check "$c --help lists --help" grep -q -- '^-h --help -$' "opts_$c"
	awk '{print $2}' "opts_$c" >>all_long
done
sort -u all_long | grep -v '^-$' >all_long.u
check "the long options seen" test "$(wc -l <all_long.u)" -ge 20

for c in $cmds; do
	# Everything listed is accepted, by its long name and by its short one.
	while read -r s l a; do
		[ "$l" != - ] && accepted "$c" "$l" "$a"
		[ "$s" != - ] && accepted "$c" "$s" "$a"
	done <"opts_$c"
	# Every other subcommand's long option that this one does not list is refused (unless it
	# abbreviates one of this one's: run's --functions takes plot's --func as its prefix).
	while read -r l; do
		grep -q -- " $l" "opts_$c" || refused "$c" "$l"
	done <all_long.u
	# Every letter that is not listed is refused.
	for x in a b c d e f g h i j k l m n o p q r s t u v w x y z \
		A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
		grep -q -- "^-$x " "opts_$c" || refused "$c" "-$x"
	done
done

# attach: its own options, and run's that need mprof to start the program refused by name.
for o in --python --nopython -E --exit-code -a --attach; do
	expect_status 2 "attach $o" "$MPROF" attach "$o" 1
	check "attach $o: says it is run's" grep -q -- "mprof attach: option '$o' is for 'mprof run' only" err
	check "attach --help does not list $o" sh -c "! grep -q -- ' $o ' opts_attach && ! grep -q -- '^$o ' opts_attach"
done
expect_status 2 "attach --exit (a prefix) is refused" "$MPROF" attach --exit 1
check "the refusal names the option in full" grep -q -- "'--exit-code'" err
expect_status 2 "attach -qE (in a group) is refused" "$MPROF" attach -qE 1
check "the refusal names -E" grep -q -- "'-E'" err
check "run still lists --attach" grep -q -- '^-a --attach -$' opts_run
check "attach lists the sampling options" sh -c "grep -q -- ' --interval SECONDS' opts_attach && grep -q -- ' --include-children ' opts_attach"
finish
