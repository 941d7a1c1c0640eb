#!/bin/sh
# install.sh MODE - the installed gclab as a user meets it (issue 14). ctest sets BUILD (the
# build tree), SRC (the source tree), LIBDIR, MANDIR (CMake's install dirs, relative) and
# VERSION. Each mode installs into its own temporary prefix with `cmake --install --prefix`:
#   files       the installed files, and no path of the build or source tree in any of them
#   relocate    the prefix moved elsewhere: mprof run + mprof plot of a C and a Python program
#   destdir     DESTDIR staging: the staged mprof runs and plots from where it was staged
#   pkgconfig   a C program built with pkg-config only, shared and -static, then in a moved prefix
#   findpackage a C program built with find_package(gclab) only, shared and static
#   headers     each public header compiles alone, as C99 and as C++, from the prefix only
#   exports     the shared libraries export exactly what the headers mark as their API
#   python      python/ installs offline with pip (Debian's python3), with the C accelerator
#               where Python's headers are, then `from mprof_trace import profile` works,
#               under mprof too
# GCLAB_PY_ACCEL names mprof_trace's C accelerator when the build made it (tests/CMakeLists.txt).
#   version     the version named in project() is the one every other file names
#   notests     -DGCLAB_TESTS=OFF configures with no cmocka to be found
set -u
: "${BUILD:?}" "${SRC:?}" "${LIBDIR:?}" "${VERSION:?}"
mode=${1:?mode}
T=$(mktemp -d "${TMPDIR:-/tmp}/gclab-install.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
check() { d=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$d"; else fail "$d"; sed 's/^/  /' "$T/out" >&2; fi; }
CC=${CC:-cc}
CXX=${CXX:-c++}
# A sanitized build's libraries need the sanitizer runtime in the programs that link them.
SAN=${SANITIZE_FLAGS:-}

install_to() { cmake --install "$BUILD" --prefix "$1" >/dev/null || fail "cmake --install --prefix $1"; }

# profile_and_plot PREFIX: mprof run + mprof plot of a C program and a Python one, through
# the installed mprof only.
profile_and_plot() {
	m=$1/bin/mprof
	check "$m --version is $VERSION" sh -c "'$m' --version | grep -qx 'mprof (gclab) $VERSION'"
	cat >prog.c <<'C'
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) { char *p = malloc(32 << 20); memset(p, 1, 32 << 20); usleep(300000); free(p); return 0; }
C
	$CC -O0 -o prog prog.c || { fail "cc prog.c"; return; }
	check "C program: mprof run" "$m" run -q -T 0.02 -o c.dat ./prog
	check "C program: the profile has samples" grep -q '^MEM ' c.dat
	check "C program: mprof plot" "$m" plot -o c.png c.dat
	check "C program: the plot is a PNG" sh -c "head -c 8 c.png | od -An -c | grep -q 'P   N   G'"
	cp "$SRC/tests/install/profiled.py" .
	check "Python program: mprof run" "$m" run -q -T 0.02 -o py.dat --python python3 profiled.py
	check "Python program: its @profile bracket" grep -q '^FUNC __main__.compute ' py.dat
	check "Python program: its collection" grep -q '^GC 2 ' py.dat
	check "Python program: mprof plot" "$m" plot -o py.svg py.dat
	check "Python program: the plot is an SVG" grep -q '<svg' py.svg
}

case $mode in
files)
	install_to "$T/p"
	for f in bin/mprof libexec/gclab/mprof-plot share/gclab/python/mprof_launch.py \
		share/gclab/python/mprof_trace.py share/gclab/python/site/sitecustomize.py \
		include/rcgc.h include/mprof/trace.h include/gclab/version.h \
		"$LIBDIR/librcgc.so.0" "$LIBDIR/librcgc.so" "$LIBDIR/librcgc.a" \
		"$LIBDIR/libmprof_trace.so.0" "$LIBDIR/libmprof_trace.so" "$LIBDIR/libmprof_trace.a" \
		"$LIBDIR/libmprof_instrument.so.0" "$LIBDIR/libmprof_instrument.so" "$LIBDIR/libmprof_instrument.a" \
		"$LIBDIR/pkgconfig/rcgc.pc" "$LIBDIR/pkgconfig/mprof-trace.pc" \
		"$LIBDIR/cmake/gclab/gclabConfig.cmake" "$LIBDIR/cmake/gclab/gclabTargets.cmake" \
		"$MANDIR/man1/mprof.1" "$MANDIR/man5/mprof-dat.5" "$MANDIR/man3/rcgc.3" \
		"$MANDIR/man3/mprof_trace.3" share/doc/gclab/LICENSE; do
		check "installed: $f" test -e "$T/p/$f"
	done
	if [ -n "${GCLAB_PY_ACCEL:-}" ]; then
		f=share/gclab/python/$(basename "$GCLAB_PY_ACCEL")
		check "installed: $f, beside mprof_trace.py" test -f "$T/p/$f"
	fi
	check "soname librcgc.so.0" sh -c "readelf -d '$T/p/$LIBDIR/librcgc.so' | grep -q 'SONAME.*\[librcgc.so.0\]'"
	check "soname libmprof_trace.so.0" sh -c "readelf -d '$T/p/$LIBDIR/libmprof_trace.so' | grep -q 'SONAME.*\[libmprof_trace.so.0\]'"
	check "librcgc needs libmprof_trace.so.0" sh -c "readelf -d '$T/p/$LIBDIR/librcgc.so' | grep -q 'NEEDED.*\[libmprof_trace.so.0\]'"
	# No path of this build in anything installed (binaries by their strings, texts whole).
	src=$(cd "$SRC" && pwd -P) bld=$(cd "$BUILD" && pwd -P)
	find "$T/p" -type f | while read -r f; do
		if strings -a "$f" | grep -q -e "$src" -e "$bld" -e "$T"; then
			echo "$f"
		fi
	done >leaks
	if [ -n "$SAN" ]; then
		# AddressSanitizer names each instrumented module by its source path, unmapped: a
		# sanitized build is never installed for use, and the normal build is checked.
		ok "sanitized build: the build-path check is the normal build's ($(wc -l <leaks) files name it here)"
	else
		check "no build, source or install path in an installed file" test ! -s leaks
		sed 's/^/  carries a path: /' leaks >&2
	fi
	;;
relocate)
	install_to "$T/p"
	mv "$T/p" "$T/moved"
	profile_and_plot "$T/moved"
	;;
destdir)
	DESTDIR=$T/stage cmake --install "$BUILD" --prefix /opt/gclab-test >/dev/null ||
		fail "DESTDIR=... cmake --install"
	check "nothing outside DESTDIR" test ! -e /opt/gclab-test
	profile_and_plot "$T/stage/opt/gclab-test"
	;;
pkgconfig)
	install_to "$T/p"
	c="$SRC/tests/install/consumer/consumer.c"
	build_and_run() {
		export PKG_CONFIG_PATH="$1/$LIBDIR/pkgconfig"
		check "pkg-config --modversion rcgc is $VERSION" sh -c "test \"\$(pkg-config --modversion rcgc)\" = '$VERSION'"
		# shellcheck disable=SC2046
		check "cc \$(pkg-config --cflags --libs rcgc)" \
			$CC $SAN -std=c99 -o shared "$c" $(pkg-config --cflags --libs rcgc)
		check "the program needs librcgc.so.0" sh -c "readelf -d shared | grep -q 'NEEDED.*librcgc.so.0'"
		check "it runs" env LD_LIBRARY_PATH="$1/$LIBDIR" ./shared
		check "under the installed mprof: its bracket, marker and collection" sh -c "
			LD_LIBRARY_PATH='$1/$LIBDIR' '$1/bin/mprof' run -q -o t.dat ./shared &&
			grep -q '^FUNC consumer ' t.dat && grep -q '^MARK ' t.dat && grep -q '^GC 2 .* 1 0 ' t.dat"
		if [ -n "$SAN" ]; then
			# The sanitizers' runtime cannot be linked -static: the static libraries alone.
			# shellcheck disable=SC2046
			check "cc \$(pkg-config --static ...) with the static libraries" $CC $SAN -std=c99 \
				-o static "$c" $(pkg-config --static --cflags rcgc) -L"$1/$LIBDIR" \
				-Wl,-Bstatic -lrcgc -lmprof_trace -Wl,-Bdynamic -lpthread
		else
			# shellcheck disable=SC2046
			check "cc -static \$(pkg-config --static --cflags --libs rcgc)" \
				$CC -std=c99 -static -o static "$c" $(pkg-config --static --cflags --libs rcgc)
		fi
		check "the static program runs" ./static
	}
	build_and_run "$T/p"
	mv "$T/p" "$T/moved"
	build_and_run "$T/moved"
	;;
findpackage)
	install_to "$T/p"
	check "cmake configure with find_package(gclab)" \
		cmake -S "$SRC/tests/install/consumer" -B b -DCMAKE_PREFIX_PATH="$T/p" \
		-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN"
	check "cmake build" cmake --build b
	check "gclab::rcgc runs" env LD_LIBRARY_PATH="$T/p/$LIBDIR" b/consumer_shared
	check "gclab::rcgc_static runs" b/consumer_static
	check "gclab::rcgc_static is static" sh -c "! readelf -d b/consumer_static | grep -q librcgc"
	;;
headers)
	install_to "$T/p"
	for h in rcgc.h mprof/trace.h gclab/version.h; do
		printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" >h.c
		cp h.c h.cc
		check "$h alone, C99" $CC -std=c99 -pedantic-errors -Wall -Wextra -Werror -I"$T/p/include" -c h.c -o h.o
		check "$h alone, C11" $CC -std=c11 -pedantic-errors -Wall -Wextra -Werror -I"$T/p/include" -c h.c -o h.o
		check "$h alone, C++11" $CXX -std=c++11 -pedantic-errors -Wall -Wextra -Werror -I"$T/p/include" -c h.cc -o h.o
		check "$h alone, C++17" $CXX -std=c++17 -Wall -Wextra -Werror -I"$T/p/include" -c h.cc -o h.o
	done
	printf '#include <rcgc.h>\n#if RCGC_VERSION_MAJOR * 10000 + RCGC_VERSION_MINOR * 100 + RCGC_VERSION_PATCH != GCLAB_VERSION_NUMBER\n#error\n#endif\nconst char *v = RCGC_VERSION_STRING;\n' >v.c
	check "the version macros agree" $CC -std=c99 -I"$T/p/include" -c v.c -o v.o
	check "the version macros name $VERSION" sh -c "strings -a v.o | grep -qx '$VERSION'"
	;;
exports)
	install_to "$T/p"
	# What a header marks RC_API / MPROF_API, against what the library exports.
	sed -n 's/^RC_API[^(]*[ *]\([a-z_0-9]*\)(.*/\1/p; s/^RC_API extern const rc_type \(.*\);/\1/p' \
		"$T/p/include/rcgc.h" | tr ',' '\n' | tr -d ' ' | sort >want-rcgc
	sed -n 's/^MPROF_API[^(]*[ *]\([a-z_0-9]*\)(.*/\1/p; s/^MPROF_API extern int \([a-z_0-9]*\);/\1/p' \
		"$T/p/include/mprof/trace.h" | sort >want-trace
	nm -D --defined-only "$T/p/$LIBDIR/librcgc.so" | awk '{print $3}' | sort >got-rcgc
	nm -D --defined-only "$T/p/$LIBDIR/libmprof_trace.so" | awk '{print $3}' | sort >got-trace
	check "librcgc exports rcgc.h's API ($(wc -l <want-rcgc) names), nothing else" diff want-rcgc got-rcgc
	check "libmprof_trace exports what trace.h's inline functions call, nothing else" diff want-trace got-trace
	check "the API is not empty" test "$(wc -l <want-rcgc)" -gt 60
	nm -D --defined-only "$T/p/$LIBDIR/libmprof_instrument.so" | awk '{print $3}' | sort >got-instr
	printf '__cyg_profile_func_enter\n__cyg_profile_func_exit\n' >want-instr
	check "libmprof_instrument exports the two hooks, nothing else" diff want-instr got-instr
	;;
python)
	py=/usr/bin/python3
	[ -x $py ] || py=python3
	# A copy: a build writes build/ and *.egg-info beside its sources.
	cp -r "$SRC/python" src
	check "pip install --no-build-isolation --no-index ./python" \
		$py -m pip install -q --no-build-isolation --no-index --no-warn-script-location --target site ./src
	check "installed: site/mprof_trace.py" test -f site/mprof_trace.py
	check "installed: the package's metadata says $VERSION" sh -c "ls site | grep -qx 'mprof_trace-$VERSION.dist-info'"
	check "only the module is installed, not mprof's bootstrap" sh -c "! ls site | grep -q -e launch -e sitecustomize"
	if $py -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
		check "with Python's headers, the C accelerator is built and loads" \
			env PYTHONPATH=site $py -c 'import _mprof_trace; assert _mprof_trace.ABI == 1'
	else
		ok "no Python headers here (python3-dev): the package is pure Python"
	fi
	cat >use.py <<'PY'
import sys
import mprof_trace
from mprof_trace import profile

# Outside mprof the module is the installed one; under mprof the bootstrap's copy, already
# loaded, serves (one module, one channel).
if sys.argv[1] != "-":
    assert mprof_trace.__file__.startswith(sys.argv[1]), mprof_trace.__file__


@profile
def twice(x):
    return 2 * x


assert twice(21) == 42
print("enabled" if mprof_trace.enabled() else "disabled")
PY
	check "from mprof_trace import profile, outside mprof: a no-op" \
		sh -c "PYTHONPATH=site $py use.py '$T/site' | grep -qx disabled"
	m=$BUILD/bin/mprof
	check "a program importing it runs under mprof" \
		env PYTHONPATH=site "$m" run -q -o p.dat --python $py use.py -
	check "its bracket reached the profile" grep -q '^FUNC __main__.twice ' p.dat
	;;
version)
	check "python/pyproject.toml names $VERSION" grep -qx "version = \"$VERSION\"" "$SRC/python/pyproject.toml"
	check "debian/changelog's newest entry is $VERSION" \
		sh -c "head -1 '$SRC/debian/changelog' | grep -q '^gclab ($VERSION-'"
	check "CHANGELOG.md's newest entry is $VERSION" \
		sh -c "grep -m1 '^## ' '$SRC/CHANGELOG.md' | grep -qx '## $VERSION'"
	check "mprof --version says $VERSION" sh -c "'$BUILD/bin/mprof' --version | grep -qx 'mprof (gclab) $VERSION'"
	check "gclab/version.h says $VERSION" grep -q "GCLAB_VERSION_STRING \"$VERSION\"" "$BUILD/include/gclab/version.h"
	;;
notests)
	# A pkg-config that knows every package but cmocka.
	real=$(command -v pkg-config)
	printf '#!/bin/sh\nfor a; do case $a in cmocka*) exit 1 ;; esac; done\nexec %s "$@"\n' "$real" >pkg-config
	chmod +x pkg-config
	check "with tests, configuring needs cmocka (the fake pkg-config hides it)" \
		sh -c "! cmake -S '$SRC' -B with -DPKG_CONFIG_EXECUTABLE='$T/pkg-config' -DGCLAB_BPF=OFF"
	check "-DGCLAB_TESTS=OFF configures without cmocka" \
		cmake -S "$SRC" -B off -DPKG_CONFIG_EXECUTABLE="$T/pkg-config" -DGCLAB_BPF=OFF -DGCLAB_TESTS=OFF
	check "-DBUILD_TESTING=OFF too" \
		cmake -S "$SRC" -B off2 -DPKG_CONFIG_EXECUTABLE="$T/pkg-config" -DGCLAB_BPF=OFF -DBUILD_TESTING=OFF
	check "and builds the libraries" cmake --build off --target rcgc_shared mprof_trace_shared
	;;
*)
	echo "install.sh: unknown mode '$mode'" >&2
	exit 2
	;;
esac
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
