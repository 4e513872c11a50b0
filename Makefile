# A thin layer over CMake so that `make run` and `make test` work on a fresh
# Debian 12 machine.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# make package: where the .deb goes (tests/package/build.sh).
DEB_OUT    ?= build-deb
# make fuzz: seconds per harness, and which (all when empty; docs/fuzzing.md).
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
ARGS       ?=

.PHONY: all deps deps-test deps-fuzz build build-asan build-fuzz run test test-normal \
	test-asan fuzz fuzz-merge bench clean deps-package package package-check

all: build

deps:
	@sh scripts/install-deps.sh

# What the tests use besides: Nagios plugins, promtool, Alertmanager, chromium.
deps-test:
	@sh scripts/install-deps.sh --test

# What the fuzzing needs besides: clang and its libFuzzer runtime.
deps-fuzz:
	@sh scripts/install-deps.sh --fuzz

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTEND_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The libFuzzer harnesses (tests/fuzz/), a clang build of their own.
build-fuzz: deps deps-fuzz
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DTEND_FUZZ=ON -DTEND_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

# Runs each harness for FUZZ_SECONDS; fails on any crash, leak or timeout.
fuzz: build-fuzz
	@sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Folds what the runs found into the committed corpus, minimized.
fuzz-merge: build-fuzz
	@sh tests/fuzz/run.sh --merge $(FUZZ_BUILD) $(FUZZ_TARGETS)

# What the package needs besides: debhelper, lintian, pandoc (docs/packaging.md).
deps-package:
	@sh scripts/install-deps.sh --package

# The Debian package, built from a copy of the tree: DEB_OUT/tend_VERSION_amd64.deb.
package: deps deps-package
	@sh tests/package/build.sh $(DEB_OUT)

# The package checked: lintian, then unpacked into a scratch root and looked at.
package-check: package
	@sh tests/package/check.sh $(DEB_OUT)/tend_*_$$(dpkg --print-architecture).deb

# Starts the daemon with the embedded default config (or ARGS="-c tend.yaml").
run: build
	$(BUILD)/tend run $(ARGS)

test: test-normal test-asan

test-normal: build deps-test
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan deps-test
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

bench: build
	@sh bench/restart_latency/run.sh $(BUILD)
	@sh bench/check_cycle/run.sh $(BUILD)
	@sh bench/check_throughput/run.sh $(BUILD)
	@sh bench/heal_mttr/run.sh $(BUILD)
	@sh bench/api_load/run.sh $(BUILD)
	@sh bench/retry_overhead/run.sh $(BUILD)
	@sh bench/fetch/run.sh $(BUILD)
	@sh bench/cleanup/run.sh $(BUILD)
	@sh bench/snapshot/run.sh $(BUILD)
	@sh bench/snapshot/e2e.sh $(BUILD)
	@sh bench/chaos/run.sh $(BUILD)
	@sh bench/report/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_OUT)
