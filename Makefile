# Thin wrapper around CMake: the two README commands and the bench.
BUILD ?= build
CONFIG ?= conf/cordon.yaml
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps test-deps build run test bench asan fuzz clean

all: build

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/first-config.sh $(CONFIG)
	$(BUILD)/cordon serve --config $(CONFIG)

test: test-deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD)
