# Front door. The real build is CMake.
#   make demo    installs what is missing, builds, runs the experiments under mprof, writes
#                plots + a report
#   make test    installs what is missing, builds, runs the whole test suite (ctest)
#   make bench   installs what is missing, side-by-side benchmarks against the anchors (ratios)
#   make deps    installs what is missing (scripts/install-deps), nothing else
# Only these four install packages. The others use what is there, and say what is missing:
#   make build   configure + build;  make check  build + the suite
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang)
#   make fuzz    builds the libFuzzer targets (clang) and runs each briefly
#   (CI runs `make test` first, which installs what asan and fuzz need too.)
#   make install PREFIX=/usr/local [DESTDIR=...]
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build check test demo bench asan fuzz install clean

all: build

deps:
	@scripts/install-deps

build:
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

check: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test: deps
	@$(MAKE) --no-print-directory check

demo:
	@scripts/install-deps --demo
	@$(MAKE) --no-print-directory build
	@scripts/demo $(BUILD)

bench:
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build BUILD=build-bench CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=Release
	@bench/run build-bench

asan:
	@$(MAKE) --no-print-directory check BUILD=build-asan CMAKE_FLAGS="-DGCLAB_SANITIZE=ON -DCMAKE_C_COMPILER=clang"

fuzz:
	@$(MAKE) --no-print-directory build BUILD=build-fuzz CMAKE_FLAGS="-DGCLAB_FUZZ=ON -DCMAKE_C_COMPILER=clang -DGCLAB_SANITIZE=ON"
	@scripts/fuzz build-fuzz

install: build
	cmake --install $(BUILD)

clean:
	rm -rf build build-asan build-bench build-fuzz
