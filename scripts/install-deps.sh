#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages Opsdeck needs to build, run and test.
# Usage: scripts/install-deps.sh [build|test]   (default: build)
set -euo pipefail

mode=${1:-build}
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

build_pkgs=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-httpserver-dev qt6-l10n-tools
    libqcustomplot-dev libyaml-cpp-dev libcurl4-openssl-dev libmicrohttpd-dev librdkafka-dev libarchive-dev
    libgl-dev libqt6svg6 libzookeeper-mt-dev
)
# Tests: clang for the fuzzers, clang-format for the style check, real Docker engines with a
# busybox image imported from busybox-static, openssl for the TLS engine's certificates,
# iproute2 (ss) and procps (ps) for the engine harness; the published Marathon and Consul
# clients, which must work against the simulated estate unchanged; a real ZooKeeper (Debian's
# jars, run by tests/integration/zookeeper/zookeeper.sh on a Java runtime); Debian's Chromium,
# Node.js and npm for the web dashboard's browser test (tests/browser, playwright-core from npm).
test_pkgs=(
    clang libclang-rt-14-dev clang-format
    docker.io busybox-static openssl iproute2 procps
    python3 python3-marathon python3-consul
    etcd-server etcd-client
    zookeeper default-jre-headless
    chromium nodejs npm
)

pkgs=("${build_pkgs[@]}")
if [ "$mode" = "test" ]; then
    pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
    # A Node.js from elsewhere (e.g. NodeSource's, which bundles npm and conflicts with Debian's
    # npm package) is as good as Debian's: only a missing command counts.
    if { [ "$p" = nodejs ] && command -v node >/dev/null; } || { [ "$p" = npm ] && command -v npm >/dev/null; }; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
