# Thin wrapper around CMake: the two README commands and the bench.
#   make run    deps, build, first config, serve on 127.0.0.1:7878
#   make test   deps, build, every test; then the same suite under ASan/UBSan,
#               then the unit tests and the thread-heavy integration tests
#               under ThreadSanitizer (TSAN_TESTS), and each fuzzer for a
#               bounded time when clang is present
#   make test-tsan   the whole suite under ThreadSanitizer
#   make test-under-load   the ctest suite while stress-ng keeps every core busy
#   make deb    the Debian package, built by dpkg-buildpackage (packaging/build-deb.sh)
# CTEST_ARGS is passed to every ctest run (e.g. CTEST_ARGS='-L integration').
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
DEB_BUILD ?= build-deb
CONFIG ?= conf/cordon.yaml
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 6
CTEST_ARGS ?=
# ctest runs this many tests at once: the tests wait on clients and servers
# more than they compute, and each has its own directory and ports
# (CMakeLists.txt), so two cores run two of them without a flaky wait.
TEST_JOBS ?= $(JOBS)
# The ThreadSanitizer pass of `make test` (`make test-tsan` runs everything):
# the unit tests and the integration tests whose requests cross cordon's
# threads -- server and http_hardening (the listener's event loops, reload,
# connection limits), npm and big_artifact (the fetcher thread, single-flight
# and streamed bodies handed between threads), analysis (the worker pool and
# results posted back to a loop), journal and audit (the decision-log writer,
# anchor and retention threads).  The other integration tests drive the same
# threads through more clients (pnpm, yarn, pip, mvn, chromium) and cost
# TSan's slowdown on every one: on two shared cores the whole suite took
# 2454 s under TSan, this set 710 s, and `make test` has to stay within 30
# minutes.
TSAN_TESTS ?= ^(unit_|integration_(server|http_hardening|npm|big_artifact|analysis|journal|audit|mcp|changes)_test)
TSAN_SELECT ?=

.PHONY: all deps test-deps build run test test-asan test-tsan test-under-load fuzz bench census deb clean

all: build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test
	@scripts/test-tools.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCORDON_SANITIZE=ON >/dev/null

# optimised: ThreadSanitizer's own cost is large enough
$(TSAN_BUILD)/CMakeCache.txt:
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCORDON_TSAN=ON >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/first-config.sh $(CONFIG)
	$(BUILD)/cordon serve --config $(CONFIG)

test: test-deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest -j $(TEST_JOBS) --output-on-failure $(CTEST_ARGS)
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-tsan TSAN_SELECT="-R '$(TSAN_TESTS)'"
	$(MAKE) --no-print-directory fuzz

# the whole suite again with AddressSanitizer, UBSan and LeakSanitizer; but
# the packaging test, which builds and installs the normal .deb whatever the
# build directory (it would only run twice)
test-asan: $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest -j $(TEST_JOBS) --output-on-failure -E '^integration_packaging_test$$' $(CTEST_ARGS)

# the whole suite again with ThreadSanitizer: a report fails the test, also
# one a background server wrote (tests/integration/lib.sh tsan_reports);
# tests/tsan.supp lists the reports that lie inside uninstrumented libraries;
# TSAN_SELECT (set by `make test` to TSAN_TESTS) narrows the run
test-tsan: $(TSAN_BUILD)/CMakeCache.txt
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && ctest -j $(TEST_JOBS) --output-on-failure $(TSAN_SELECT) $(CTEST_ARGS)

# the ctest suite of $(BUILD) while `stress-ng --cpu N` keeps every core busy
# (scripts/under-load.sh stops it on every path): proof that no test is flaky
# under load.  `scripts/under-load.sh make test` does the same for everything.
test-under-load: test-deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && $(CURDIR)/scripts/under-load.sh ctest -j $(TEST_JOBS) --output-on-failure $(CTEST_ARGS)

# each libFuzzer target for FUZZ_SECONDS (skipped without clang)
fuzz:
	@if command -v clang >/dev/null 2>&1; then \
	  cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCORDON_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null && \
	  cmake --build $(FUZZ_BUILD) -j $(JOBS) && \
	  scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS); \
	else echo "fuzz: clang not found, fuzzers skipped"; fi

bench: build
	scripts/deps.sh --bench
	bench/run.sh

# real-world precision: popular npm projects through the configured npm
# registry, Debian's Maven repository and wheels through the fixture
# (bench/census.sh; needs the network, so not part of `make test`)
census: build
	bench/census.sh

# cordon_VERSION_ARCH.deb in $(DEB_BUILD), by dpkg-buildpackage and debhelper from
# packaging/debian (a staged copy of the tree: the repository stays clean)
deb: deps
	packaging/build-deb.sh $(DEB_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
