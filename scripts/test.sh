#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs the whole test suite, as CI does: installs what it needs, checks formatting,
# builds with ASan + UBSan and warnings as errors, runs unit and integration tests (the
# integration tests start their own Docker engines through CTest fixtures and stop them),
# builds the headless configuration (no Qt Widgets), and runs each fuzzer for a bounded time.
# Usage: scripts/test.sh            (CI=true turns a missing test server into a failure)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OPSDECK_TEST_BUILD_DIR:-$root/build-test}
jobs=$(nproc)
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "install dependencies"
"$root/scripts/install-deps.sh" test

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/opsdeck-ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-3G}
# Paths relative to the checkout and no working directory in the hash: a fresh clone in another
# folder (as CI makes) hits the cache that an earlier run in this one filled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

step "format (clang-format --dry-run --Werror)"
git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

step "build: Debug, ASan + UBSan, -Werror, desktop + tests"
cmake -S . -B "$out/asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPSDECK_SANITIZE=ON -DOPSDECK_WERROR=ON \
      -DOPSDECK_BUILD_BENCH=ON "${launcher[@]}" >/dev/null
ninja -C "$out/asan" -j "$jobs"

step "tests: unit + integration (real dockerd hosts)"
# Qt's own one-off allocations at exit are not ours: leaks are reported, not fatal, here;
# UBSan and ASan errors abort the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$out/asan" && ctest --output-on-failure --timeout 300 -L 'unit|integration')

step "build: headless (OPSDECK_BUILD_GUI=OFF, no Qt Widgets) + its unit tests"
cmake -S . -B "$out/headless" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOPSDECK_BUILD_GUI=OFF -DOPSDECK_WERROR=ON \
      -DOPSDECK_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
ninja -C "$out/headless" -j "$jobs"
(cd "$out/headless" && ctest --output-on-failure --timeout 300 -L unit)

step "fuzz: libFuzzer targets, bounded time each"
cmake -S . -B "$out/fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DOPSDECK_BUILD_FUZZ=ON -DOPSDECK_BUILD_GUI=OFF -DOPSDECK_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
ninja -C "$out/fuzz" -j "$jobs"
(cd "$out/fuzz" && ctest --output-on-failure -L fuzz)

step "done"
