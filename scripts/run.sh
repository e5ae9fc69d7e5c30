#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds Opsdeck and starts the console on a small local estate: two Docker engines of its
# own (own data root, socket and pid file; no bridge, no iptables), with a healthy service, a
# crash loop, a container whose restart policy gave up, and a stopped one. The engines are
# stopped again when the console closes. Without a display the console says so and prints
# `opsdeck status` instead.
# Usage: scripts/run.sh [opsdeck options]     (needs root for dockerd, or sudo)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh" test >&2

build=${OPSDECK_BUILD_DIR:-$root/build-release}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/opsdeck-ccache}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSDECK_BUILD_TESTS=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
ninja -C "$build" opsdeck >&2

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
state=${OPSDECK_DEMO_STATE:-/tmp/opsdeck-local-estate}
harness="$root/tests/integration/dockerd.sh"
cleanup() { $sudo "$harness" down "$state" >&2 || true; }
trap cleanup EXIT
$sudo "$harness" up "$state" 2 >&2
$sudo "$harness" scenario "$state" >&2
# shellcheck disable=SC1091
. "$state/hosts.env"

config="$state/environments.yaml"
cat >"$config" <<YAML
# Written by scripts/run.sh: two local Docker engines as two environments.
version: 1
environments:
  - name: Staging
    colour: "#f9a825"
    docker:
      hosts:
        - url: $HOST2_TCP
          name: staging-docker-1
  - name: Production
    colour: "#c62828"
    production: true
    docker:
      hosts:
        - url: unix://$HOST1_SOCK
          name: prod-docker-1
YAML
# The engine sockets belong to root: run the console as root too when we started them so.
$sudo "$build/app/opsdeck" --config "$config" "$@"
