# Front door. The real build is CMake; these targets install what is missing first.
#   make demo    installs, builds, runs the experiments under mprof, writes plots + a report
#   make test    installs, builds, runs the whole test suite (ctest)
#   make bench   side-by-side benchmarks against the anchors (prints ratios)
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz    builds the libFuzzer targets (clang) and runs each briefly
#   make install PREFIX=/usr/local
BUILD ?= build
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test demo bench asan fuzz install clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

demo:
	@scripts/install-deps --demo
	@$(MAKE) --no-print-directory build
	@scripts/demo $(BUILD)

bench:
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build BUILD=build-bench CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=Release
	@bench/run build-bench

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan CMAKE_FLAGS="-DGCLAB_SANITIZE=ON -DCMAKE_C_COMPILER=clang"

fuzz:
	@$(MAKE) --no-print-directory build BUILD=build-fuzz CMAKE_FLAGS="-DGCLAB_FUZZ=ON -DCMAKE_C_COMPILER=clang -DGCLAB_SANITIZE=ON"
	@scripts/fuzz build-fuzz

install: build
	cmake --install $(BUILD)

clean:
	rm -rf build build-asan build-bench build-fuzz
