# run_peaks.sh - true peaks without touching the program (docs/peaks.md): the program's own
# ru_maxrss is the same under mprof (run and attach), the final PEAK is the program's own, a
# PEAK credits only the function that held it, a program of 1 ms gets a sample, the eBPF
# source catches short spikes and agrees with VmHWM, META names the source, --peaks=reset.
. "$(dirname "$0")/lib.sh"
: "${MEMFIX:?}"

# The source this machine gives by default: bpf as root (CI), else hwm.
"$MPROF" run -q -o probe.dat true
default=$(awk '$1=="META"{for(i=2;i<=NF;i++) if($i ~ /^peaks=/) print substr($i,7)}' probe.dat)
echo "default peak source: $default"
meta_peaks() { awk '$1=="META"{for(i=2;i<=NF;i++) if($i ~ /^peaks=/) print substr($i,7)}' "$1"; }
within() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN{x=a-b; if(x<0)x=-x; exit !(x<=d)}'; }

# --- the program's own ru_maxrss (KiB) is what it is without mprof -------------------------
cat >maxrss.py <<'PY'
import resource, sys, time
a = bytearray(200 * 2**20)
a[::4096] = b"x" * len(a[::4096])
del a
if len(sys.argv) > 1:          # attach: say when the peak is behind, then wait to be sampled
    open(sys.argv[1], "w").close()
    time.sleep(1.0)
else:
    time.sleep(0.3)            # samples after the peak: a reset would lower it here
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
PY
alone=$(python3 maxrss.py)
for src in default hwm; do
	opt=""
	[ "$src" = default ] || opt="--peaks=$src"
	# sh -c exec: the same python, without the bootstrap that `mprof run python3` adds
	under=$("$MPROF" run -q -T 0.02 $opt -o own_$src.dat sh -c 'exec python3 maxrss.py')
	check "run ($src): own ru_maxrss $under KiB = $alone KiB alone (within 1 MiB)" \
		within "$under" "$alone" 1024
done
under=$("$MPROF" run -q -T 0.02 --peaks=reset -o own_reset.dat sh -c 'exec python3 maxrss.py')
check "run --peaks=reset is the one that lowers it ($under KiB)" \
	ge "$(sub "$alone" "$under")" 102400

python3 maxrss.py ready >att.txt &
bg=$!
for i in $(seq 100); do [ -e ready ] && break; sleep 0.05; done
expect_status 0 "attach while the program runs" "$MPROF" attach -q -T 0.02 -t 0.5 -o att.dat "$bg"
wait "$bg"
check "attach: own ru_maxrss $(cat att.txt) KiB = $alone KiB alone (within 1 MiB)" \
	within "$(cat att.txt)" "$alone" 1024
check "attach wrote samples" grep -q '^MEM ' att.dat

# --- the final PEAK is the program's own, never a reaped descendant's ----------------------
big='a=bytearray(200*2**20); a[::4096]=b"x"*len(a[::4096])'
for src in default hwm reset; do
	opt=""
	[ "$src" = default ] || opt="--peaks=$src"
	expect_status 0 "run ($src) a shell whose child peaks" \
		"$MPROF" run -q $opt -o shell_$src.dat sh -c "python3 -c '$big'; sleep 0.3"
	m=$(dat_max_all shell_$src.dat)
	check "($src) the shell's peak $m MiB is its own (< 20 MiB)" ge 20 "$m"
done
expect_status 0 "run -C the same shell" "$MPROF" run -q -C -o shell_tree.dat sh -c "python3 -c '$big'; sleep 0.3"
if [ "$default" = bpf ]; then
	check "with -C (bpf) the tree's peak $(dat_max_all shell_tree.dat) MiB has the child's 200" \
		ge "$(dat_max_all shell_tree.dat)" 200
fi

# --- a program of 1 ms gets a MEM sample, every time ----------------------------------------
# (with every source: without the eBPF reading at exec, the kernel's ru_maxrss stands in)
for mode in auto:20 hwm:10 none:10; do
	runs=${mode#*:} mode=${mode%:*} got=0
	for i in $(seq "$runs"); do
		"$MPROF" run -q --peaks=$mode -o true_$i.dat true
		grep -q '^MEM ' true_$i.dat && got=$((got + 1))
	done
	check "true (--peaks=$mode): $got of $runs runs have a MEM sample" [ "$got" -eq "$runs" ]
done
# CI runs as root on a kernel with BTF: there, the eBPF source must be what runs by default.
if [ "${CI:-}" = true ]; then
	check "under CI the default peak source is bpf (got $default)" [ "$default" = bpf ]
fi

# --- short spikes: 20 of 64 MiB held 3 ms at -T 0.1 ----------------------------------------
if [ "$default" = bpf ]; then
	"$MPROF" run -q -T 0.1 -o spikes.dat "$MEMFIX" spikes 20 64 3 150 >spikes.out
	# A spike is caught when a PEAK (or, read during its hold, a MEM) shows it: count the
	# clusters of such lines, spikes being 150 ms apart.
	caught=$(awk '($1=="PEAK"||$1=="MEM") && $2 >= 64 {print $3}' spikes.dat | sort -n |
		awk 'NR==1 || $1-p > 0.08 {n++} {p=$1} END{print n+0}')
	check "bpf catches the spikes: $caught of 20" [ "$caught" -eq 20 ]
	hwm=$(awk '$1=="hwm"{printf "%.3f", $2/1024}' spikes.out)
	top=$(awk '$1=="PEAK"&&$2>m{m=$2} END{printf "%.3f", m}' spikes.dat)
	check "bpf's highest PEAK $top MiB agrees with the program's VmHWM $hwm MiB" within "$top" "$hwm" 1
	check "bpf PEAKs carry the time of their maximum (two fields)" \
		awk '$1=="PEAK" && NF!=3 {exit 1}' spikes.dat
	"$MPROF" run -q -T 0.1 --peaks=hwm -o spikes_hwm.dat "$MEMFIX" spikes 20 64 3 150 >/dev/null
	check "hwm PEAKs carry their interval (three fields, start <= end)" \
		awk '$1=="PEAK" && (NF!=4 || $4>$3) {exit 1}' spikes_hwm.dat
fi

# --- META names the source; --peaks ---------------------------------------------------------
"$MPROF" run -q --peaks=hwm -o m_hwm.dat true
check "--peaks=hwm: META peaks=hwm" [ "$(meta_peaks m_hwm.dat)" = hwm ]
"$MPROF" run -q --no-peaks -o m_none.dat "$MEMFIX" spike 10 32 20
check "--no-peaks: META peaks=none" [ "$(meta_peaks m_none.dat)" = none ]
check "--no-peaks: no PEAK line" sh -c "! grep -q '^PEAK ' m_none.dat"
"$MPROF" run -q --peaks=none -o m_none2.dat true
check "--peaks=none: META peaks=none" [ "$(meta_peaks m_none2.dat)" = none ]
"$MPROF" run -q --peaks=reset -o m_reset.dat "$MEMFIX" spike 10 32 20
check "--peaks=reset: META peaks=reset" [ "$(meta_peaks m_reset.dat)" = reset ]
check "--peaks=reset: the spike is a PEAK" ge "$(dat_max_all m_reset.dat)" 40
"$MPROF" run -q --backend pss -o m_pss.dat true
check "pss backend: META peaks=none" [ "$(meta_peaks m_pss.dat)" = none ]
check "default: META peaks=$default (bpf or hwm)" sh -c "[ '$default' = bpf ] || [ '$default' = hwm ]"
if [ "$default" = bpf ]; then
	expect_status 0 "--peaks=bpf" "$MPROF" run -q --peaks=bpf -o m_bpf.dat true
	check "--peaks=bpf: META peaks=bpf" [ "$(meta_peaks m_bpf.dat)" = bpf ]
fi
expect_status 2 "--peaks with an unknown source" "$MPROF" run -q --peaks=magic true
"$MEMFIX" sleep 2000 &
bg=$!
expect_status 2 "attach refuses --peaks=reset" "$MPROF" attach -q --peaks=reset -o no.dat "$bg"
check "the refusal says why" grep -q "reset" "$T/err"
expect_status 2 "run --attach refuses --peaks=reset" "$MPROF" run -q -a --peaks=reset -o no.dat "$bg"
expect_status 0 "attach --peaks=hwm" "$MPROF" attach -q --peaks=hwm -t 0.2 -o a_hwm.dat "$bg"
kill "$bg" 2>/dev/null
wait "$bg" 2>/dev/null

# --- peak --func: a function is credited only with what it held ----------------------------
cat >twofuncs.py <<'PY'
import time
@profile
def big():
    a = bytearray(200 * 2**20)
    a[::4096] = b"x" * len(a[::4096])
    time.sleep(0.05)
    del a
@profile
def small():
    time.sleep(0.6)
big()
small()
PY
for src in default hwm reset; do
	opt=""
	[ "$src" = default ] || opt="--peaks=$src"
	"$MPROF" run -q -T 0.5 $opt -o funcs_$src.dat python3 twofuncs.py
	s=$("$MPROF" peak --func __main__.small funcs_$src.dat | awk '{print $2}')
	check "($src) peak --func small = $s MiB, not big's (< 100)" \
		awk -v v="$s" 'BEGIN{exit !(v != "NaN" && v+0 < 100)}'
done
b=$("$MPROF" peak --func __main__.big funcs_default.dat | awk '{print $2}')
if [ "$default" = bpf ]; then
	check "(bpf) peak --func big = $b MiB holds its 200" ge "$b" 200
fi

finish
