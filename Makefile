# Developer entry points. `make demo` runs Serin's main job; `make test` runs the whole suite.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps configure build test demo bench format format-check tidy asan tsan install clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSERIN_WERROR=ON $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)

bench: deps
	cmake -S . -B build-bench $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DSERIN_BUILD_TESTS=OFF
	cmake --build build-bench -j$(JOBS)
	@bash scripts/bench.sh build-bench

format:
	git ls-files '*.h' '*.cpp' | xargs clang-format -i --style=file

format-check:
	git ls-files '*.h' '*.cpp' | xargs clang-format --dry-run --Werror --style=file

tidy: configure
	run-clang-tidy -p $(BUILD_DIR) -quiet 'src/|analysis/|traffic/'

asan: deps
	cmake -S . -B build-asan $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DSERIN_SANITIZE=address,undefined -DSERIN_BUILD_BENCHMARKS=OFF
	cmake --build build-asan -j$(JOBS)
	@# One process per test binary: ASan start-up per test would cost minutes.
	@set -e; for t in build-asan/bin/*_test; do echo "== $$t"; $$t --gtest_brief=1; done

tsan: deps
	cmake -S . -B build-tsan $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DSERIN_SANITIZE=thread -DSERIN_BUILD_BENCHMARKS=OFF
	cmake --build build-tsan -j$(JOBS) --target serin_runtime_test serin_util_test serin_cluster_test
	@set -e; for t in serin_runtime_test serin_util_test serin_cluster_test; do \
	  echo "== $$t"; build-tsan/bin/$$t --gtest_brief=1; done

install: build
	install -D -m 0755 $(BUILD_DIR)/bin/serin $(DESTDIR)$(PREFIX)/bin/serin
	ln -sf serin $(DESTDIR)$(PREFIX)/bin/kubectl-serin

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-bench
