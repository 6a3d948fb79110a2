# SPDX-License-Identifier: Apache-2.0
# A thin front for newcomers: everything real lives in CMake and scripts/.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RELEASE_DIR := build/release
TEST_DIR := build/test

.PHONY: all deps configure build demo test bench clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

# The demo needs only the program, not the test binaries; its build
# output goes to a log, shown only when the build fails.
demo: configure
	@echo "building sluice (log: $(RELEASE_DIR)/demo-build.log)"
	@cmake --build $(RELEASE_DIR) -j $(JOBS) --target sluice_cli \
	  >$(RELEASE_DIR)/demo-build.log 2>&1 || \
	  { cat $(RELEASE_DIR)/demo-build.log; exit 1; }
	@$(RELEASE_DIR)/sluice demo

test: deps
	@cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DSLUICE_WERROR=ON \
	  -DSLUICE_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)
	@bash scripts/test.sh $(TEST_DIR)

bench: build
	@bash bench/run.sh $(RELEASE_DIR)

clean:
	rm -rf build
