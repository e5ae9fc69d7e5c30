#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds Opsdeck and starts the console on the built-in demo estate (`opsdeck --demo`): three
# simulated environments (Integration, Staging, Production) with Docker hosts, Marathon on
# Mesos, Consul and Kafka, all served on 127.0.0.1 from inside the process. Nothing else is
# started and nothing needs root beyond installing packages. Without a display the console
# says so and prints `opsdeck status` of the demo estate instead.
# Usage: scripts/run.sh [opsdeck options]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" build >&2

build=${OPSDECK_BUILD_DIR:-$root/build-release}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/opsdeck-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSDECK_BUILD_TESTS=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
ninja -C "$build" opsdeck opsdeck-sim >&2
exec "$build/app/opsdeck" --demo "$@"
